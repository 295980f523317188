"""Run is refused with its reason while the network has errors; results go stale after edits and setting
changes (and fresh again on undo); engine failures show as messages, never as a crash."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QApplication

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.commands import MoveNodes
from resnet_studio.core.edits import remove_nodes, set_params
from resnet_studio.engine.run import Fault
from resnet_studio.results.run_request import InputChoice
from resnet_studio.ui.canvas.thumbnails import ActivationThumbnail
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.run import controller as controller_module
from resnet_studio.ui.run.window import RunUi

from .conftest import WindowFactory, run


def stale_everywhere(ui: RunUi) -> bool:
    """Every panel shows the stale banner and greys its plots; every thumbnail is greyed."""
    panels = all(p.stale_banner.isVisibleTo(p) and p.greyed for p in ui.panels)
    thumbs = ui.thumbnails.items()
    return panels and bool(thumbs) and all(t.stale for t in thumbs)


def fresh_everywhere(ui: RunUi) -> bool:
    """No banner, no greying."""
    panels = all(not p.stale_banner.isVisibleTo(p) and not p.greyed for p in ui.panels)
    return panels and not any(t.stale for t in ui.thumbnails.items())


def test_a_graph_error_disables_run_with_the_reason(qtbot: object, window: MainWindow) -> None:
    ui, document = window.run_ui, window.document
    assert window.actions.run.isEnabled()
    document.push(remove_nodes(document.graph, ["layer1.1"]))  # layer2.0 loses its input
    assert not window.actions.run.isEnabled()
    tip = window.actions.run.toolTip()
    assert tip.startswith("Run is unavailable: Fix the 1 error in the network first") and "layer2.0" in tip
    assert ui.toolbar.run_button.toolTip() == tip
    assert not ui.run() and "Fix the 1 error" in window.statusBar().currentMessage()
    assert not ui.controller.running
    assert ui.activations.empty.text().startswith("Run is unavailable. Fix the 1 error")
    document.undo_stack.undo()
    assert window.actions.run.isEnabled() and ui.controller.blocked_reason is None
    assert ui.activations.empty.text().startswith("Press Run")


def test_results_go_stale_after_an_edit_and_fresh_again_on_undo(qtbot: object, window: MainWindow) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    assert not ui.controller.stale and fresh_everywhere(ui)
    document.push(MoveNodes({"layer2.0": (600.0, 900.0)}))
    qtbot.wait(20)  # type: ignore[attr-defined]
    assert not ui.controller.stale  # moving a card changes nothing that was computed
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.controller.stale)  # type: ignore[attr-defined]
    # Only what the edit can change goes stale: layer2.0 and everything after it, not what comes before.
    thumbs = {t.parentItem().node_id: t.stale for t in ui.thumbnails.items()}  # type: ignore[union-attr]
    assert thumbs["layer2.0"] and thumbs["layer4.1"] and not thumbs["layer1.1"] and not thumbs["stem"]
    assert ui.depth.greyed and ui.timing.greyed  # they show the whole network
    window.document.set_selection(["layer1.0"])  # upstream: its maps still hold
    assert not ui.activations.greyed and not ui.activations.stale_banner.isVisibleTo(ui.activations)
    window.document.set_selection(["layer3.0"])
    assert ui.activations.greyed and "Stale" in ui.activations.stale_banner.text()
    assert ui.activations.stale_view.pixmap() is not None and not ui.activations.stale_view.pixmap().isNull()
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: not ui.controller.stale)  # type: ignore[attr-defined]
    assert fresh_everywhere(ui)


def test_results_go_stale_when_run_settings_change(qtbot: object, window: MainWindow) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    window.run_settings.batch.setValue(4)  # the toolbar's batch field
    qtbot.waitUntil(lambda: ui.controller.stale)  # type: ignore[attr-defined]
    assert stale_everywhere(ui)
    window.run_settings.batch.setValue(1)
    qtbot.waitUntil(lambda: not ui.controller.stale)  # type: ignore[attr-defined]
    ui.toolbar.input.setCurrentIndex(1)
    ui.toolbar.input.activated.emit(1)  # the sample image instead of random numbers
    assert ui.controller.options.input.kind == "sample"
    qtbot.waitUntil(lambda: ui.controller.stale)  # type: ignore[attr-defined]
    # Run Again on the banner runs with the new settings and clears the mark.
    with qtbot.waitSignal(ui.controller.finished, timeout=60_000):  # type: ignore[attr-defined]
        ui.depth.stale_banner.button.click()
    qtbot.waitUntil(lambda: not ui.controller.running)  # type: ignore[attr-defined]
    assert not ui.controller.stale and fresh_everywhere(ui)
    assert document.settings.batch_size == 1


def test_out_of_memory_shows_the_engine_advice_and_applies_it(
    qtbot: object, make_window: WindowFactory
) -> None:
    window = make_window("resnet18", RunSettings(input_shape=(3, 64, 64), batch_size=1))
    # The engine's estimates at batch 1 and 16 give its fixed and per-sample parts: pretend the device holds
    # what batch 4 needs, then run batch 16 there.
    one = run(qtbot, window).estimated_memory_bytes
    window.run_settings.batch.setValue(16)
    sixteen = run(qtbot, window).estimated_memory_bytes
    assert one is not None and sixteen is not None and sixteen > one
    per_sample = (sixteen - one) / 15
    capacity = round((one + 3 * per_sample) / 0.9) + 1
    result = run(qtbot, window, (Fault("out_of_memory", "layer3.0", capacity=capacity),))
    assert result.status == "error" and result.error is not None
    problem = result.error
    assert problem.kind == "out_of_memory" and problem.suggested_batch is not None
    assert 1 <= problem.suggested_batch < 16
    banner = window.run_ui.activations.problem_banner
    assert banner.isVisibleTo(window.run_ui.activations)
    assert banner.text().startswith("<b>Out of memory.</b>") and "layer3.0" in banner.text()
    assert f"Batch {problem.suggested_batch} should fit" in banner.text()
    assert "Out of memory" in window.statusBar().currentMessage()
    assert window.run_ui.activations_dock.isVisible()
    banner.button.click()  # "Use Batch N"
    assert window.document.settings.batch_size == problem.suggested_batch
    # The nodes before the failure are there to look at.
    assert [n.name for n in result.captured][-1] == "layer2.1"
    clean = run(qtbot, window)
    assert clean.ok and not banner.isVisibleTo(window.run_ui.activations)


def test_nan_names_the_first_node_where_it_appears(qtbot: object, window: MainWindow) -> None:
    result = run(qtbot, window, (Fault("nan", "layer2.0"),))
    assert result.status == "error" and result.error is not None
    assert result.error.kind == "non_finite" and result.error.node == "layer2.0"
    ui = window.run_ui
    banner = ui.activations.problem_banner
    assert "NaN or Inf" in banner.text() and "layer2.0" in banner.text()
    assert banner.button.text() == "Show layer2.0"
    banner.button.click()
    assert window.document.selection == ("layer2.0",)
    stats = ui.activations.stats
    assert stats.text("NaN / Inf").startswith("1 /") and "color" in stats.values["NaN / Inf"].styleSheet()
    layer = result.node("layer2.0")
    assert layer is not None and layer.values is not None and np.isnan(layer.values).any()


def test_unreadable_image_and_weights_are_messages(qtbot: object, window: MainWindow, tmp_path: Path) -> None:
    ui = window.run_ui
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("hello")
    ui.controller.set_input(InputChoice("image", str(not_an_image)))
    result = run(qtbot, window)
    assert result.error is not None and result.error.kind == "input"
    assert "Input cannot be used" in ui.activations.problem_banner.text()
    assert ui.controller.current is None  # nothing ran
    ui.controller.set_input(InputChoice("random"))
    weights = tmp_path / "weights.pt"
    weights.write_bytes(b"\x00not a checkpoint")
    ui.controller.set_weights(str(weights))
    assert ui.toolbar.weights.text() == "Weights: weights.pt"
    result = run(qtbot, window)
    assert result.error is not None and result.error.kind == "weights"
    assert "Weights cannot be loaded" in ui.activations.problem_banner.text()
    window.actions.random_weights.trigger()
    assert ui.controller.options.weights is None and ui.toolbar.weights.text() == "Weights: random"


def test_an_unknown_device_is_a_message(qtbot: object, window: MainWindow) -> None:
    ui = window.run_ui
    ui.controller.set_device("cuda:7")
    assert ui.toolbar.device.currentData() == "cuda:7"
    result = run(qtbot, window)
    assert result.error is not None and result.error.kind == "device"
    assert "not available" in ui.activations.problem_banner.text()
    ui.controller.set_device("cpu")
    assert run(qtbot, window).ok


def test_open_image_from_the_toolbar(
    qtbot: object, window: MainWindow, dialogs: object, tmp_path: Path
) -> None:
    from PIL import Image

    picture = tmp_path / "stripes.png"
    pixels = np.zeros((48, 64, 3), dtype=np.uint8)
    pixels[:, ::8] = 255
    Image.fromarray(pixels).save(picture)
    dialogs.open_path = str(picture)  # type: ignore[attr-defined]
    ui = window.run_ui
    index = ui.toolbar.input.findData("__open__")
    ui.toolbar.input.setCurrentIndex(index)
    ui.toolbar.input.activated.emit(index)
    assert ui.controller.options.input == replace(InputChoice("image", str(picture)))
    assert ui.toolbar.input.currentText() == "Image: stripes.png"
    result = run(qtbot, window)
    assert result.ok and result.input == "stripes.png"


def test_a_stale_picture_is_taken_once_and_for_a_hidden_panel_when_it_comes_into_view(
    qtbot: object, window: MainWindow, monkeypatch: object
) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    ui.dock("activations").raise_()  # the Depth panel shares its tab group and is behind it
    qtbot.waitUntil(lambda: ui.activations.on_screen and not ui.depth.on_screen)  # type: ignore[attr-defined]
    taken: list[str] = []
    for panel in (ui.activations, ui.depth):
        original = panel.stale_view.show_greyed

        def counting(
            content: object, background: object, name: str = panel.title_text, keep=original
        ) -> None:
            taken.append(name)
            keep(content, background)  # type: ignore[arg-type]

        monkeypatch.setattr(panel.stale_view, "show_greyed", counting)  # type: ignore[attr-defined]
    window.document.set_selection(["layer3.0"])
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.controller.stale)  # type: ignore[attr-defined]
    assert ui.depth.greyed and ui.activations.greyed
    assert taken == [ui.activations.title_text]  # the panel in view, once; the one behind, not yet
    document.push(set_params(document.graph, "layer3.0", {"skip": False}))  # stale already: same picture
    qtbot.waitUntil(lambda: "layer3.0" in ui.controller.affected)  # type: ignore[attr-defined]
    assert taken == [ui.activations.title_text]
    ui.dock("depth").raise_()
    qtbot.waitUntil(lambda: ui.depth.on_screen)  # type: ignore[attr-defined]
    assert taken == [ui.activations.title_text, ui.depth.title_text]
    assert ui.depth.stack.currentWidget() is ui.depth.stale_view and ui.depth.stale_banner.isVisibleTo(
        ui.depth
    )
    assert not ui.depth.stale_view.pixmap().isNull()


def test_a_stale_banner_takes_the_dark_theme_while_it_shows(qtbot: object, window: MainWindow) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    window.document.set_selection(["layer3.0"])
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.activations.greyed)  # type: ignore[attr-defined]
    banner = ui.activations.stale_banner

    def banner_colour() -> str:
        image = banner.grab().toImage()
        return image.pixelColor(image.width() - 2, 2).name()

    light = banner_colour()
    window.set_theme("dark", remember=False)
    try:
        qtbot.waitUntil(lambda: banner_colour() != light)  # type: ignore[attr-defined]
        assert QColor(banner_colour()).lightness() < 100  # the dark theme's shade, not the light one's
    finally:
        window.set_theme("light", remember=False)


def test_a_result_after_an_edit_is_drawn_live_without_a_greyed_picture_of_it(
    qtbot: object, window: MainWindow, monkeypatch: object
) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    window.document.set_selection(["layer3.0"])
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.activations.greyed)  # type: ignore[attr-defined]
    taken: list[bool] = []
    original = ui.activations.stale_view.show_greyed

    def counting(content: object, background: object) -> None:
        taken.append(ui.controller.stale)
        original(content, background)  # type: ignore[arg-type]

    monkeypatch.setattr(ui.activations.stale_view, "show_greyed", counting)  # type: ignore[attr-defined]
    run(qtbot, window)
    assert not ui.activations.greyed and fresh_everywhere(ui)
    assert taken == []  # the new result was never greyed on its way in


def test_going_stale_repaints_only_the_thumbnails_whose_mark_changed(
    qtbot: object, window: MainWindow, monkeypatch: object
) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    repainted: list[str] = []
    placed: list[object] = []
    original_update, original_place = ActivationThumbnail.update, ui.thumbnails._place

    def update(item: ActivationThumbnail, *args: object) -> None:
        repainted.append(item.parentItem().node_id)  # type: ignore[union-attr]
        original_update(item, *args)

    def place(card: object) -> object:
        placed.append(card)
        return original_place(card)  # type: ignore[arg-type]

    monkeypatch.setattr(ActivationThumbnail, "update", update)  # type: ignore[attr-defined]
    monkeypatch.setattr(ui.thumbnails, "_place", place)  # type: ignore[attr-defined]
    document.push(set_params(document.graph, "layer4.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.controller.stale)  # type: ignore[attr-defined]
    qtbot.wait(20)  # type: ignore[attr-defined]
    assert sorted(repainted) == ["layer4.0", "layer4.1"]  # the others still hold: not drawn again
    assert placed == []  # nothing moved
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: not ui.controller.stale)  # type: ignore[attr-defined]
    assert sorted(repainted) == ["layer4.0", "layer4.0", "layer4.1", "layer4.1"]


class _Resizes(QObject):
    """Counts the times a widget changes size (not the event Qt sends as it shows a hidden widget again)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QResizeEvent):
            self.count += event.oldSize().isValid() and event.oldSize() != event.size()
        return False


def test_a_panel_out_of_sight_keeps_its_plots_laid_out_as_results_go_stale_and_fresh(
    qtbot: object, window: MainWindow
) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    ui.dock("activations").raise_()
    qtbot.waitUntil(lambda: ui.activations.on_screen and not ui.depth.on_screen)  # type: ignore[attr-defined]
    resizes = _Resizes()
    ui.depth.view.installEventFilter(resizes)
    for _ in range(2):
        document.push(set_params(document.graph, "layer2.0", {"skip": False}))
        qtbot.waitUntil(lambda: ui.depth.greyed and ui.depth.stale_banner.isVisibleTo(ui.depth))  # type: ignore[attr-defined]
        qtbot.wait(20)  # type: ignore[attr-defined]
        document.undo_stack.undo()
        qtbot.waitUntil(lambda: not ui.depth.greyed and ui.depth.stale_banner.isHidden())  # type: ignore[attr-defined]
        qtbot.wait(20)  # type: ignore[attr-defined]
    assert resizes.count == 0  # the banner came and went twice; the plots behind the tab were not laid out
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.controller.stale)  # type: ignore[attr-defined]
    ui.dock("depth").raise_()  # in view: the picture is taken at the size the banner leaves
    qtbot.waitUntil(lambda: ui.depth.on_screen)  # type: ignore[attr-defined]
    assert ui.depth.stack.currentWidget() is ui.depth.stale_view
    assert ui.depth.stale_view.pixmap().size() == ui.depth.stale_view.size()


def test_the_stale_check_waits_for_the_edit_to_be_drawn_and_checks_a_burst_once(
    qtbot: object, window: MainWindow, monkeypatch: object
) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    monkeypatch.setattr(controller_module, "STALE_CHECK_DELAY_MS", 2000, raising=False)  # type: ignore[attr-defined]
    heard: list[frozenset[str]] = []
    ui.controller.affected_changed.connect(heard.append)
    for name in ("layer4.1", "layer4.0", "layer3.1"):
        document.push(set_params(document.graph, name, {"skip": False}))
        QApplication.processEvents()  # the edit's own turn of the event loop: the canvas draws it
    assert not ui.controller.stale and heard == []
    qtbot.waitUntil(lambda: ui.controller.stale, timeout=10_000)  # type: ignore[attr-defined]
    assert len(heard) == 1 and {"layer3.1", "layer4.0", "layer4.1"} <= heard[0]


def test_another_stale_node_is_greyed_a_moment_after_the_selection_is_drawn(
    qtbot: object, window: MainWindow, monkeypatch: object
) -> None:
    ui, document = window.run_ui, window.document
    run(qtbot, window)
    ui.dock("activations").raise_()
    qtbot.waitUntil(lambda: ui.activations.on_screen)  # type: ignore[attr-defined]
    document.set_selection(["layer3.0"])
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    qtbot.waitUntil(lambda: ui.activations.greyed)  # type: ignore[attr-defined]
    taken: list[str] = []
    original = ui.activations.stale_view.show_greyed

    def counting(content: object, background: object) -> None:
        taken.append(ui.activations.node.name if ui.activations.node else "")
        original(content, background)  # type: ignore[arg-type]

    monkeypatch.setattr(ui.activations.stale_view, "show_greyed", counting)  # type: ignore[attr-defined]
    document.set_selection(["layer4.0"])  # also stale: its picture comes once the selection is drawn
    assert ui.activations.greyed and ui.activations.stack.currentWidget() is ui.activations.stale_view
    assert taken == []
    document.set_selection(["layer4.1"])  # a quick second click: one picture, of the node shown
    qtbot.waitUntil(lambda: taken == ["layer4.1"])  # type: ignore[attr-defined]
    qtbot.wait(100)  # type: ignore[attr-defined]
    assert taken == ["layer4.1"] and ui.activations.title.text() == "Activations: layer4.1"
