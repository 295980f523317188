"""Keys, menus and toolbars: every shortcut is one action's and works, from every focus; menus and the toolbar
read clearly; presentation mode gives the canvas the room; every document opens fitted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcutEvent, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QSpinBox, QWidget

from resnet_studio.core.presets import PRESETS
from resnet_studio.results.run_request import DeviceInfo
from resnet_studio.ui import actions as actions_module
from resnet_studio.ui.actions import WindowActions
from resnet_studio.ui.main_window import MainWindow

MEDIA = {Qt.Key.Key_Undo, Qt.Key.Key_Redo, Qt.Key.Key_Cut, Qt.Key.Key_Copy, Qt.Key.Key_Paste, Qt.Key.Key_Find}
MEDIA |= {Qt.Key.Key_New, Qt.Key.Key_Open, Qt.Key.Key_Save, Qt.Key.Key_Close, Qt.Key.Key_Exit}


def focused() -> QWidget:
    """The widget with the keyboard focus now."""
    focus = QApplication.focusWidget()
    assert focus is not None
    return focus


def shortcuts(window: QWidget) -> dict[str, list[QAction]]:
    """Every key sequence bound in the window, with the actions bound to it."""
    found: dict[str, list[QAction]] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            if not key.isEmpty():
                found.setdefault(key.toString(), []).append(action)
    return found


class ShortcutSpy(QObject):
    """Sits on every action: records which one a key press reaches (and whether Qt found it ambiguous), and
    swallows the event so that no command actually runs."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.hits: list[tuple[QAction, bool]] = []
        for action in window.findChildren(QAction):
            action.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut and isinstance(event, QShortcutEvent):
            self.hits.append((watched, event.isAmbiguous()))  # type: ignore[arg-type]
            return True
        return False


def test_no_key_is_bound_twice_and_none_depends_on_the_keyboard_layout(window: MainWindow) -> None:
    found = shortcuts(window)
    clashes = {key: [a.text() for a in acts] for key, acts in found.items() if len(acts) > 1}
    assert not clashes
    for key in found:
        combination = QKeySequence(key)[0]
        shifted_symbol = (
            combination.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
            and not Qt.Key.Key_A <= combination.key() <= Qt.Key.Key_Z
            and not Qt.Key.Key_F1 <= combination.key() <= Qt.Key.Key_F35
            and combination.key() not in (Qt.Key.Key_Delete, Qt.Key.Key_Insert, Qt.Key.Key_Backspace)
            and combination.key() not in MEDIA
        )
        # "Shift+=" is "+" on a US keyboard and "Shift+0" elsewhere: Qt sees both and refuses the key
        assert not shifted_symbol, key
    a = window.actions
    assert "Ctrl+D" in [k.toString() for k in a.duplicate.shortcuts()]
    assert "Ctrl+D" not in [k.toString() for k in a.delete.shortcuts()]
    assert [k.toString() for k in a.zoom_in.shortcuts()] == ["+", "="]


def test_every_shortcut_reaches_its_action_alone(window: MainWindow, qtbot) -> None:
    spy = ShortcutSpy(window)
    window.activateWindow()
    window.canvas.setFocus()
    checked = 0
    for key, actions in shortcuts(window).items():
        combination = QKeySequence(key)[0]
        if combination.key() in MEDIA or QKeySequence(key).count() != 1:
            continue
        spy.hits.clear()
        for action in actions:
            action.setEnabled(True)
        QTest.keyClick(window.canvas, combination.key(), combination.keyboardModifiers())
        assert spy.hits == [(actions[0], False)], f"{key}: {[(a.text(), amb) for a, amb in spy.hits]}"
        checked += 1
    assert checked >= 25


def test_platform_bindings_never_take_a_key_another_command_names(
    monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    original = actions_module.standard_keys

    def greedy(key: QKeySequence.StandardKey) -> list[QKeySequence]:
        # as X11 binds Ctrl+D to Delete, let every standard command also claim keys other commands name
        return [*original(key), QKeySequence("Ctrl+D"), QKeySequence("F"), QKeySequence("Ctrl+R")]

    monkeypatch.setattr(actions_module, "standard_keys", greedy)
    owner = QWidget()
    stack = QUndoStack(owner)
    made = WindowActions(owner, stack)
    holders: dict[str, list[str]] = {}
    for action in made.all():
        for key in action.shortcuts():
            holders.setdefault(key.toString(), []).append(action.text())
    assert holders["Ctrl+D"] == ["D&uplicate"] and holders["F"] == ["&Fit to View"]
    assert holders["Ctrl+R"] == ["&Run"]
    assert all(len(names) == 1 for names in holders.values()), holders
    assert "Ctrl+Z" in holders and "Ctrl+S" in holders  # the platform's own keys stay
    owner.deleteLater()


def test_undo_works_while_an_inspector_number_has_the_focus(window: MainWindow, qtbot) -> None:
    document = window.document
    document.set_selection(["layer2.0"])
    editors = window.inspector.params.editors  # type: ignore[union-attr]
    stride = editors["stride"]
    assert isinstance(stride, QSpinBox)
    window.activateWindow()
    stride.setFocus()
    qtbot.waitUntil(stride.hasFocus)
    QTest.keyClick(stride, Qt.Key.Key_Down)  # stride 2 -> 1: one command
    assert document.graph.node("layer2.0").params["stride"] == 1
    QTest.keyClick(focused(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.graph.node("layer2.0").params["stride"] == 2
    QTest.keyClick(
        focused(), Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
    )
    assert document.graph.node("layer2.0").params["stride"] == 1


def test_a_text_field_with_typing_keeps_its_own_undo(window: MainWindow, qtbot) -> None:
    document = window.document
    document.set_selection(["layer4.1"])
    window.canvas.delete_selection()
    count = document.undo_stack.count()
    search = window.palette_panel.search
    window.activateWindow()
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    QTest.keyClicks(search, "conv")
    QTest.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert search.text() == "" and document.undo_stack.index() == count  # the typing went, not the edit
    QTest.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.undo_stack.index() == count - 1  # nothing left to undo in the field: the edit is undone


def test_new_from_preset_has_one_plain_twins_submenu(window: MainWindow) -> None:
    presets = window.findChild(QMenu, "PresetMenu")
    assert presets is not None
    submenus = [a.menu() for a in presets.actions() if a.menu() is not None]
    assert [m.title() for m in submenus] == ["Plain Twins (no skips)"]
    plain = [p for name, p in PRESETS.items() if name.endswith("_plain")]
    assert [a.text() for a in submenus[0].actions()] == [p.title for p in plain]
    assert len(plain) == len(PRESETS) // 2  # every preset has its twin
    for menu in window.menuBar().findChildren(QMenu):
        menu.aboutToShow.emit()  # as it opens (the Lessons menu is filled then at the latest)
        assert menu.actions() or menu.objectName() == "RecentMenu", f"{menu.title()} is empty"


def test_the_device_box_keeps_its_width_when_the_devices_arrive(window: MainWindow) -> None:
    toolbar = window.run_ui.toolbar
    run_x = toolbar.run_button.mapTo(window, toolbar.run_button.rect().topLeft()).x()
    width = toolbar.device.width()
    toolbar.show_devices(
        (
            DeviceInfo("cpu", "cpu", "CPU (16 threads)"),
            DeviceInfo("cuda:0", "cuda", "NVIDIA H100 80GB HBM3", 85_000_000_000),
        )
    )
    QTest.qWait(20)
    assert toolbar.device.width() == width
    assert toolbar.run_button.mapTo(window, toolbar.run_button.rect().topLeft()).x() == run_x


def test_toolbar_fields_are_named_apart(window: MainWindow) -> None:
    names = [
        label.text()
        for bar in (window.run_settings, window.run_ui.toolbar)
        for label in bar.findChildren(QLabel)
        if label.buddy() is not None
    ]
    assert "Input size" in names and "Input image" in names
    assert len(names) == len(set(names))


def test_presentation_gives_the_canvas_the_room_and_gives_the_panels_back(window: MainWindow, qtbot) -> None:
    docks = window.all_docks()
    shown = [d for d in docks if d.isVisible()]
    assert len(shown) >= 3
    canvas_width, canvas_height = window.canvas.width(), window.canvas.height()
    window.actions.presentation.trigger()
    qtbot.waitUntil(lambda: window.canvas.width() > canvas_width)
    assert not any(d.isVisible() for d in docks)
    assert window.canvas.height() > canvas_height
    assert window.canvas.fitted and window.canvas.visible_scene_rect().contains(
        window.canvas.canvas.network_rect()
    )
    window.actions.presentation.trigger()
    qtbot.waitUntil(lambda: all(d.isVisible() for d in shown))
    assert [d for d in docks if d.isVisible()] == shown


def test_the_panels_come_back_at_their_widths_after_presenting(window: MainWindow, qtbot) -> None:
    # The larger text of presentation mode raised the least width of the panels hidden in tabs; restored before
    # the normal text reached them, the bottom panels kept it and squeezed the palette and the inspector.
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    side = [window.palette_dock, window.inspector_dock]
    before = [d.width() for d in side]
    window.actions.presentation.trigger()
    qtbot.wait(50)
    window.actions.presentation.trigger()
    qtbot.waitUntil(lambda: all(d.isVisible() for d in side))
    qtbot.wait(50)
    assert [d.width() for d in side] == before


def test_the_panel_in_use_stays_while_presenting(window: MainWindow, qtbot) -> None:
    window.activateWindow()
    window.palette_panel.search.setFocus()
    qtbot.waitUntil(window.palette_panel.search.hasFocus)
    window.actions.presentation.trigger()
    assert window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
    window.actions.presentation.trigger()


def test_a_newly_opened_preset_is_shown_whole(window: MainWindow, qtbot) -> None:
    canvas = window.canvas
    canvas.centre_on_node("layer4.1")
    canvas.zoom_by(2.0)
    assert not canvas.visible_scene_rect().contains(canvas.canvas.network_rect())
    window.files.open_preset("resnet50")
    assert len(window.document.graph) == 20
    assert canvas.fitted and canvas.visible_scene_rect().contains(canvas.canvas.network_rect())


def test_delete_and_reconnect_from_the_keyboard_and_the_menu(window: MainWindow, qtbot) -> None:
    from resnet_studio.core.model import Edge
    from resnet_studio.ui.canvas.menus import node_menu

    document = window.document
    document.set_selection(["layer2.1"])
    window.activateWindow()
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert "layer2.1" not in document.graph
    assert Edge("layer2.0", "out", "layer3.0", "x") in document.graph.edges
    assert document.undo_stack.undoText() == "Delete layer2.1 and reconnect"
    menu = node_menu(window.canvas, "layer3.1")
    (action,) = [a for a in menu.actions() if a.text() == "Delete and Reconnect"]
    action.trigger()
    assert Edge("layer3.0", "out", "layer4.0", "x") in document.graph.edges
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert len(document.graph) == 12 and document.analysis.ok
    menu.deleteLater()


def test_closing_while_presenting_remembers_the_panels_as_they_were(window: MainWindow, store) -> None:
    before = window.saveState()
    window.actions.presentation.trigger()
    assert window.saveState() != before
    assert window.close()
    assert store.window_state() == before


def test_undo_routing_starts_with_the_first_paint(document, store, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from resnet_studio.ui import first_paint

    monkeypatch.setattr(first_paint, "HIDDEN_FALLBACK_MS", 600_000)
    fresh = MainWindow(document, store)
    qtbot.addWidget(fresh)
    qtbot.wait(20)
    assert not fresh.undo_router.watching  # no filter on every application event while the window is made
    fresh.show()
    qtbot.waitUntil(lambda: fresh.undo_router.watching, timeout=3000)
    assert fresh.first_paint.painted


def test_the_file_menu_lists_examples_and_presets_when_it_opens(document, store, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from resnet_studio.ui import first_paint

    monkeypatch.setattr(first_paint, "HIDDEN_FALLBACK_MS", 600_000)
    fresh = MainWindow(document, store)  # never shown: the lists wait for the first paint or the menu
    qtbot.addWidget(fresh)
    presets = fresh.findChild(QMenu, "PresetMenu")
    assert presets is not None and presets.isEmpty()
    file = fresh.menuBar().actions()[0].menu()
    file.aboutToShow.emit()  # as it opens
    titles = [a.text() for a in presets.actions()]
    assert PRESETS["resnet18"].title in titles and "Plain Twins (no skips)" in titles
    examples = next(
        a.menu() for a in file.actions() if a.menu() is not None and "Example" in a.text().replace("&", "")
    )
    assert not examples.isEmpty()
    file.aboutToShow.emit()  # opened again: nothing listed twice
    assert [a.text() for a in presets.actions()] == titles
