"""The main window as a whole: what it shows at start, and how panels, canvas and document work together."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QComboBox

import resnet_studio
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.commands import SetParam
from resnet_studio.core.layout import CARD_HEIGHT, CARD_WIDTH
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.theme import FUSION_PROPERTY, PRESENTATION_SCALE, base_font, is_dark

RESNET18_TOTALS = "11.69 M params | 1.81 GMACs (3.63 GFLOPs) | activations 31.4 MiB @ batch 1 float32"


def test_starts_with_resnet18_and_its_totals(window: MainWindow) -> None:
    assert window.windowTitle() == "ResNet-18[*]" and not window.isWindowModified()
    assert len(window.document.graph) == 12
    assert window.totals.text() == f"{RESNET18_TOTALS} | no problems"
    assert window.problems_dock.windowTitle() == "Problems (0)"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Run", "Lessons", "Help"]
    assert window.run_settings.isVisibleTo(window)


def test_inspector_edit_shows_an_error_in_problems_and_undo_removes_it(window: MainWindow) -> None:
    document = window.document
    document.set_selection(["layer2.0"])
    shortcut = window.inspector.params.editors["shortcut"]  # type: ignore[union-attr]
    assert isinstance(shortcut, QComboBox)
    shortcut.setCurrentText("identity")
    assert window.actions.undo.text().replace("&", "") == "Undo Set shortcut of layer2.0"
    assert window.problems.count == 1 and window.problems_dock.windowTitle() == "Problems (1)"
    assert window.problems.model.diagnostics[0].node_name == "layer2.0"
    assert window.totals.problems.text() == "1 error"
    assert window.isWindowModified()
    window.actions.undo.trigger()
    assert window.problems.count == 0 and window.problems_dock.windowTitle() == "Problems (0)"
    assert shortcut.currentText() == "auto"
    assert window.totals.text() == f"{RESNET18_TOTALS} | no problems"
    assert not window.isWindowModified()
    window.actions.redo.trigger()
    assert window.problems.count == 1


def test_fix_buttons_fix_the_problem_in_one_undoable_step(window: MainWindow) -> None:
    document = window.document
    document.set_selection(["layer2.0"])
    window.inspector.params.editors["shortcut"].setCurrentText("identity")  # type: ignore[union-attr]
    window.problems.fix_buttons[0].click()
    assert window.problems.count == 0
    assert document.graph.node("layer2.0").params["shortcut"] == "projection"
    assert document.undo_stack.undoText() == "Fix layer2.0: set shortcut to projection"
    assert window.totals.text() == f"{RESNET18_TOTALS} | no problems"
    document.undo_stack.undo()
    assert window.problems.count == 1
    window.inspector.fix_buttons[0].click()  # the inspector's Fix button does the same
    assert window.problems.count == 0


def test_run_settings_change_reanalyses_and_updates_the_status_bar(window: MainWindow) -> None:
    window.run_settings.batch.setValue(32)
    assert window.document.settings.batch_size == 32
    assert "activations 1004.7 MiB @ batch 32 float32" in window.totals.text()
    window.run_settings.shape.setText("3x32x32")
    window.run_settings.apply_shape()
    assert window.document.analysis.nodes["head"].input_shapes == ((512, 1, 1),)
    assert window.inspector.figures  # the inspector follows the analysis too
    window.document.set_settings(RunSettings())
    assert window.totals.text() == f"{RESNET18_TOTALS} | no problems"


def test_clicking_a_problem_selects_and_centres_its_node(window: MainWindow, qtbot) -> None:
    window.document.push(SetParam("layer4.0", "shortcut", "identity"))
    window.document.set_selection(["input"])
    window.canvas.reset_zoom()
    window.canvas.centre_on_node("input")
    row = window.problems.row_of("layer4.0")
    assert row is not None
    window.problems.table.clicked.emit(window.problems.model.index(row, 1))
    assert window.document.selection == ("layer4.0",)
    node = window.document.graph.node("layer4.0")
    centre = QPointF(node.position[0] + CARD_WIDTH / 2, node.position[1] + CARD_HEIGHT / 2)
    seen = window.canvas.mapToScene(window.canvas.viewport().rect().center())
    assert abs(seen.x() - centre.x()) < CARD_WIDTH and abs(seen.y() - centre.y()) < CARD_HEIGHT


def test_summary_row_selects_the_node(window: MainWindow) -> None:
    window.summary_dock.raise_()
    window.summary.table.selectRow(4)
    assert window.document.selection == (window.summary.node_at_row(4),)
    assert window.inspector.name_edit is not None and window.inspector.name_edit.text() == "layer2.0"


def test_palette_double_click_adds_a_block_at_the_view_centre(window: MainWindow) -> None:
    before = len(window.document.graph)
    window.palette_panel.tree.itemActivated.emit(window.palette_panel.entry("Dropout"), 0)
    assert len(window.document.graph) == before + 1
    assert window.document.undo_stack.undoText().startswith("Add Dropout")
    window.actions.undo.trigger()
    assert len(window.document.graph) == before


def test_edit_actions_follow_the_selection(window: MainWindow) -> None:
    a = window.actions
    assert not a.delete.isEnabled() and not a.explode.isEnabled()
    window.document.set_selection(["layer3.0"])
    assert a.delete.isEnabled() and a.copy.isEnabled() and a.explode.isEnabled()
    a.explode.trigger()
    assert "layer3.0" not in window.document.graph
    assert window.document.undo_stack.undoText() == "Explode layer3.0 into layers"
    member = next(n for n in window.document.graph.nodes if n.expanded_from is not None)
    window.document.set_selection([member.id])
    assert a.collapse.isEnabled()
    a.collapse.trigger()
    assert "layer3.0" in window.document.graph
    window.document.set_selection(["layer1.1"])
    a.delete.trigger()
    assert "layer1.1" not in window.document.graph and window.problems.count > 0
    window.document.undo_stack.undo()
    assert "layer1.1" in window.document.graph


def test_standard_shortcuts(window: MainWindow) -> None:
    a = window.actions

    def keys(action: object) -> list[QKeySequence]:
        return list(action.shortcuts())  # type: ignore[attr-defined]

    for action, standard in (
        (a.new, QKeySequence.StandardKey.New),
        (a.open, QKeySequence.StandardKey.Open),
        (a.save, QKeySequence.StandardKey.Save),
        (a.undo, QKeySequence.StandardKey.Undo),
        (a.redo, QKeySequence.StandardKey.Redo),
        (a.copy, QKeySequence.StandardKey.Copy),
        (a.paste, QKeySequence.StandardKey.Paste),
        (a.delete, QKeySequence.StandardKey.Delete),
        (a.select_all, QKeySequence.StandardKey.SelectAll),
    ):
        assert keys(action) == QKeySequence.keyBindings(standard)
    assert QKeySequence("F") in keys(a.fit) and QKeySequence("Home") in keys(a.reset_zoom)
    assert QKeySequence("Ctrl+=") in keys(a.larger_ui) and QKeySequence("Ctrl+-") in keys(a.smaller_ui)


def test_ui_scale_and_presentation_mode_scale_the_fonts(window: MainWindow, qtbot) -> None:
    app = QApplication.instance()
    base = base_font(app).pointSizeF()
    window.actions.larger_ui.trigger()
    assert app.font().pointSizeF() == round(base * 1.1, 1)
    assert window.store.ui_scale() == 1.1
    window.actions.reset_ui.trigger()
    assert app.font().pointSizeF() == base
    window.actions.presentation.trigger()
    assert window.actions.presentation.isChecked()
    assert app.font().pointSizeF() == round(base * PRESENTATION_SCALE, 1)
    assert window.toolbar.iconSize().width() > 20
    window.actions.presentation.trigger()
    assert app.font().pointSizeF() == base


def test_text_size_steps_there_and_back_give_the_side_panels_their_widths_back(
    window: MainWindow, qtbot
) -> None:
    # Each step used to scale the panels' widths as the last step left them: a step cut short by the bottom panels'
    # least width narrowed them for good on the way back.
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    side = [window.palette_dock, window.inspector_dock]
    before = [d.width() for d in side]
    for _ in range(3):
        window.actions.larger_ui.trigger()
    assert [d.width() for d in side] != before
    for _ in range(3):
        window.actions.smaller_ui.trigger()
    assert window.store.ui_scale() == 1.0
    assert [d.width() for d in side] == before


def test_on_a_laptop_screen_the_bottom_panels_scroll_and_the_side_panels_stay_readable(
    window: MainWindow, qtbot
) -> None:
    # The result docks share one tab group, which used to be as wide as its widest panel (the race, about 1000
    # pixels): at 1366 pixels the palette was left 89 pixels wide, its names cut to three letters.
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    race = window.run_ui.dock("race")
    race.raise_()
    panel = window.run_ui.race
    qtbot.waitUntil(lambda: panel.isVisible())
    qtbot.wait(50)
    assert window.palette_dock.width() >= 180 and window.inspector_dock.width() >= 180
    slot = race.widget()
    assert panel.minimumSizeHint().width() > slot.width()  # the panel is wider than its dock ...
    qtbot.waitUntil(lambda: slot.horizontalScrollBar().maximum() > 0)  # ... and scrolls sideways
    assert slot.focusPolicy() == Qt.FocusPolicy.NoFocus  # a scroll area would be a Tab stop of its own
    assert slot.verticalScrollBar().maximum() == 0  # tall enough: no scrolling down
    # The landscape panel wants about 300 pixels of height, which held the canvas to a strip on a laptop: the
    # panels below the canvas may be lower than their panel, which then scrolls down.
    landscape = window.run_ui.dock("landscape")
    landscape.raise_()
    panel_height = window.run_ui.landscape.minimumSizeHint().height()
    window.resizeDocks([landscape], [panel_height // 2], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: landscape.widget().verticalScrollBar().maximum() > 0)
    assert landscape.height() < panel_height


def test_the_docks_below_the_canvas_grow_when_a_teaching_panel_is_first_shown(
    window: MainWindow, qtbot
) -> None:
    # They start under a third of the window so the canvas has the room; the race's charts were then a few
    # pixels high on a laptop until the user dragged the dock up.
    from resnet_studio.ui.run.window import RESULT_DOCK_HEIGHT

    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.first_paint.painted and window.width() == 1366)
    race = window.run_ui.dock("race")
    window.resizeDocks([window.summary_dock], [100], Qt.Orientation.Vertical)  # as low as it goes
    qtbot.wait(20)  # laid out; and the first paint's held work has run: the docks are watched
    low = window.summary_dock.height()
    tall = round(window.height() * RESULT_DOCK_HEIGHT) - 40  # the share includes the tab bar
    assert low < tall
    race.raise_()
    qtbot.waitUntil(lambda: race.height() >= tall)
    window.resizeDocks([race], [low], Qt.Orientation.Vertical)  # the user's choice afterwards stays
    qtbot.waitUntil(lambda: race.height() < tall)
    window.run_ui.dock("gradients").raise_()
    qtbot.wait(50)
    assert window.run_ui.dock("gradients").height() < tall


def test_presenting_on_a_1024_pixel_projector_the_window_fits_and_run_stays_whole(
    window: MainWindow, qtbot
) -> None:
    # The run bar was one row of labels and controls that could not shrink: with the presentation text the window
    # needed 1050 pixels, wider than the projector.
    bar = window.run_ui.toolbar
    window.resize(1024, 768)
    window.actions.presentation.trigger()
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.minimumSizeHint().width() <= 1024
    qtbot.waitUntil(lambda: not any(label.isVisibleTo(bar) for label in bar.labels))
    for button in (bar.run_button, bar.cancel_button):
        assert bar.rect().contains(button.geometry())
    window.actions.presentation.trigger()
    window.resize(1600, 1000)
    qtbot.waitUntil(
        lambda: all(label.isVisibleTo(bar) for label in bar.labels)
    )  # room again: the words are back


def test_a_long_status_message_ends_in_an_ellipsis_before_the_totals(window: MainWindow, qtbot) -> None:
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024)
    bar = window.statusBar()
    long = "Opened pets.pth with its weights: ResNet-50: ImageNet stem, bottleneck blocks 3-4-6-3 " * 3
    window.show_status(long)
    shown = bar.currentMessage()
    assert shown.endswith("\u2026") and long.startswith(shown[:-1])
    assert bar.fontMetrics().horizontalAdvance(shown) < window.totals.x()
    window.show_status("Saved")
    assert bar.currentMessage() == "Saved"


def test_dark_and_light_colours(window: MainWindow) -> None:
    window.actions.theme_dark.trigger()
    assert is_dark(QApplication.palette()) and window.store.theme() == "dark"
    text = QApplication.palette().color(QPalette.ColorRole.WindowText)
    assert text.lightnessF() > 0.8
    window.actions.theme_light.trigger()
    assert not is_dark(QApplication.palette())
    window.actions.theme_system.trigger()
    assert window.store.theme() == "system"
    # Fusion in every theme, set once (the application remembers it has it rather than asking Qt's style)
    assert QApplication.style().name().lower() == "fusion"
    assert QApplication.instance().property(FUSION_PROPERTY) is True


def test_the_app_starts_in_fusion_from_its_command_line_and_a_style_given_there_wins() -> None:
    from resnet_studio.ui.app import qt_arguments

    assert qt_arguments([]) == (["resnet-studio", "-style", "Fusion"], True)
    assert qt_arguments(["-style", "Windows"]) == (
        ["resnet-studio", "-style", "Fusion", "-style", "Windows"],
        False,
    )
    assert qt_arguments(["-stylesheet", "x.qss"])[1]  # another option that only starts alike


def test_docks_close_and_come_back_from_the_view_menu(window: MainWindow, qtbot) -> None:
    toggle = window.inspector_dock.toggleViewAction()
    toggle.trigger()
    assert not window.inspector_dock.isVisible()
    toggle.trigger()
    assert window.inspector_dock.isVisible()
    race = window.run_ui.dock("race")  # in the bottom tab group, behind the Summary
    race.close()
    race.toggleViewAction().trigger()
    qtbot.waitUntil(
        lambda: not race.visibleRegion().isEmpty()
    )  # shown from the menu: in front, not a tab behind
    window.palette_dock.close()
    window.actions.reset_layout.trigger()
    assert window.palette_dock.isVisible()
    assert window.dockWidgetArea(window.palette_dock) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_layout_and_view_options_are_remembered(window: MainWindow, store, qtbot) -> None:
    window.summary_dock.close()
    window.actions.edge_labels.setChecked(True)
    window.actions.snap.setChecked(False)
    window.close()
    assert not window.isVisible()
    again = MainWindow(window.document, store)
    qtbot.addWidget(again)
    again.show()
    assert not again.summary_dock.isVisible() and again.problems_dock.isVisible()
    assert again.actions.edge_labels.isChecked() and not again.actions.snap.isChecked()
    assert store.qsettings.fileName().endswith("settings.ini")


def test_help_lists_the_shortcuts_and_about(window: MainWindow, dialogs) -> None:
    window.actions.shortcuts.trigger()
    text = dialogs.texts("information")[0]
    assert "<td>Fit to View</td><td><b>F</b></td>" in text
    assert "Ctrl+S" in text and ">Save<" in text
    assert "<b>Tab</b> on the canvas" in text  # the quick add, which no menu shows
    window.actions.about.trigger()
    assert dialogs.titles("about") == ["About ResNet Studio"]


def test_the_shortcut_list_leaves_out_the_keys_x11_adds_and_about_gives_the_versions(
    window: MainWindow, dialogs
) -> None:
    undo = window.actions.undo
    # What X11 binds to the standard Undo: Ctrl+Z and the F14 of Sun keyboards (Cut: F20, Quit: Exit ...).
    undo.setShortcuts([QKeySequence("Ctrl+Z"), QKeySequence("F14"), QKeySequence(Qt.Key.Key_Exit)])
    window.actions.shortcuts.trigger()
    text = dialogs.texts("information")[0]
    assert "<td>Undo</td><td><b>Ctrl+Z</b></td>" in text
    assert "F14" not in text and "Exit" not in text
    window.actions.about.trigger()
    about = dialogs.texts("about")[0]
    assert f"ResNet Studio {resnet_studio.__version__}" in about
    assert "Qt 6." in about and "PyTorch " in about and "MIT" in about
