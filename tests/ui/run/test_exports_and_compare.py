"""Exports (every plot as PNG, the statistics as CSV), the canvas thumbnails toggle, and the teaching moment:
switch a skip off, run again, and compare with the run before."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from PySide6.QtGui import QImage

from resnet_studio.core.edits import set_params
from resnet_studio.ui.main_window import MainWindow

from .conftest import Dialogs, run


def test_every_plot_exports_as_a_png(qtbot: object, window: MainWindow, tmp_path: Path) -> None:
    run(qtbot, window)
    ui = window.run_ui
    for panel, dock in zip(ui.panels, ui.docks):
        dock.raise_()
        qtbot.waitUntil(panel.isVisible)  # type: ignore[attr-defined]
        target = tmp_path / f"{dock.objectName()}.png"
        assert panel.export_png(target) == target
        image = QImage(str(target))
        assert not image.isNull()
        assert image.width() == 2 * panel.content.width()  # twice the screen resolution
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 8  # a plot, not a blank rectangle


def test_export_from_the_menu_asks_where(
    qtbot: object, window: MainWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    assert not window.actions.export_statistics.isEnabled()  # nothing to export before a run
    run(qtbot, window)
    assert window.actions.export_statistics.isEnabled()
    dialogs.save_path = str(tmp_path / "stats.csv")
    window.actions.export_statistics.trigger()
    rows = list(csv.DictReader((tmp_path / "stats.csv").open(encoding="utf-8")))
    result = window.run_ui.controller.current
    assert result is not None and [r["name"] for r in rows] == [n.name for n in result.nodes]
    stem = next(r for r in rows if r["name"] == "stem")
    record = result.node("stem")
    assert record is not None and record.stats is not None
    assert math.isclose(float(stem["mean"]), record.stats.mean) and stem["shape"] == "64x16x16"
    assert float(stem["time_ms"]) > 0 and stem["nan"] == "0"
    assert "Saved the statistics of 12 nodes" in window.statusBar().currentMessage()
    window.run_ui.dock("timing").raise_()
    qtbot.waitUntil(window.run_ui.timing.isVisible)  # type: ignore[attr-defined]
    dialogs.save_path = str(tmp_path / "timing")
    window.actions.export_plot.trigger()
    assert not QImage(str(tmp_path / "timing.png")).isNull()  # the suffix is added


def test_thumbnails_toggle_from_the_view_menu(qtbot: object, window: MainWindow) -> None:
    ui = window.run_ui
    assert window.actions.thumbnails.isChecked() and not ui.thumbnails.items()  # nothing ran yet
    run(qtbot, window)
    cards = window.canvas.canvas.nodes
    with_thumbs = {t.parentItem() for t in ui.thumbnails.items()}
    assert with_thumbs == {cards[n] for n in cards if n not in ("head", "output")}
    for thumb in ui.thumbnails.items():
        assert thumb.pos().x() < 0  # left of its card, away from the skip connections
    window.actions.thumbnails.setChecked(False)
    assert not ui.thumbnails.items() and not window.store.flag("activation_thumbnails", True)
    window.actions.thumbnails.setChecked(True)
    assert len(ui.thumbnails.items()) == 10
    # A deleted card takes its thumbnail with it; undo brings both back.
    window.document.set_selection(("layer4.1",))
    window.canvas.delete_selection()
    assert len(ui.thumbnails.items()) == 9
    window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: len(ui.thumbnails.items()) == 10)  # type: ignore[attr-defined]


def test_switch_a_skip_off_run_again_and_compare(qtbot: object, window: MainWindow) -> None:
    ui, document = window.run_ui, window.document
    first = run(qtbot, window)
    ui.dock("depth").raise_()
    qtbot.waitUntil(ui.depth.isVisible)  # type: ignore[attr-defined]
    maps = [n for n in first.captured if len(n.shape) == 3 and n.stats is not None]
    assert len(ui.depth.mean.getData()[0]) == len(maps)
    assert ui.depth.previous_mean.getData()[0] is None  # nothing to compare with yet
    document.push(set_params(document.graph, "layer2.0", {"skip": False}))
    second = run(qtbot, window)
    assert ui.controller.previous is first and ui.controller.current is second
    assert ui.controller.comparison == "skip off at layer2.0"
    assert "skip off at layer2.0" in ui.depth.subtitle.text()
    x, means = ui.depth.previous_mean.getData()
    assert len(x) == len(maps)
    assert list(means) == [n.stats.mean for n in maps if n.stats is not None]
    legend = [label.text for _sample, label in ui.depth.legend.items]
    assert legend == ["mean", "std", "mean, run before", "std, run before"]
    # The block without its skip gives a different signal from there on, and the same before it.
    before = {n.name: n.stats.std for n in first.captured if n.stats is not None}
    after = {n.name: n.stats.std for n in second.captured if n.stats is not None}
    assert math.isclose(before["layer1.1"], after["layer1.1"])
    assert not math.isclose(before["layer2.0"], after["layer2.0"])


def test_a_canvas_export_includes_the_thumbnails_whole(qtbot: object, window: MainWindow) -> None:
    from resnet_studio.ui.canvas.export import _source_rect

    run(qtbot, window)
    canvas = window.canvas.canvas
    thumbs = window.run_ui.thumbnails.items()
    assert thumbs
    source = _source_rect(canvas)
    for thumb in thumbs:
        assert source.contains(thumb.sceneBoundingRect()), "a thumbnail is cut off at the edge of the picture"
