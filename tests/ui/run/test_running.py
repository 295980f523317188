"""Running from the window: a pass fills every panel, the panel follows the selection, cancel stops a pass,
the device list is filled off the GUI thread, CUDA where present."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from resnet_studio.core.analysis import RunSettings
from resnet_studio.results.run_request import InputChoice
from resnet_studio.ui.canvas.thumbnails import ActivationThumbnail
from resnet_studio.ui.main_window import MainWindow

from .conftest import RUN_TIMEOUT_MS, WindowFactory, run

CANCEL_BOUND_S = 5.0
"""How long a cancel may take here at most; on an idle machine it takes well under a second."""


def test_a_run_of_the_sample_image_fills_every_panel(qtbot: object, window: MainWindow) -> None:
    ui = window.run_ui
    ui.controller.set_input(InputChoice("sample"))
    result = run(qtbot, window)
    assert result.ok and result.input == "sample image"
    assert [n.name for n in result.captured][:3] == ["input", "stem", "layer1.0"]
    # Activations: the first block, its grid, one channel, histogram and statistics.
    panel = ui.activations
    assert panel.title.text() == "Activations: stem" and panel.stack.currentWidget() is panel.content
    grid = panel.grid.image_array()
    assert grid is not None and np.isfinite(grid).sum() == 64 * 16 * 16  # 64 channels of 16x16 (64x64 input)
    assert panel.grid.range_label.text() == "1–64 of 64"
    assert panel.channel_view.picture is not None and panel.channel_view.picture.shape == (16, 16)
    assert panel.channel_view.slider.maximum() == 63
    stem = result.node("stem")
    assert stem is not None and stem.stats is not None
    assert panel.stats.text("Mean") == f"{stem.stats.mean:.4g}"
    assert panel.stats.text("Zeros") == f"{stem.stats.zero_fraction:.1%}"
    assert panel.histogram.bars.opts["height"].sum() > 0
    # Panels behind other tabs draw when they are first shown.
    assert ui.depth.mean.getData()[0] is None
    for dock in ui.docks[1:]:
        dock.raise_()
    qtbot.waitUntil(ui.output.isVisible)  # type: ignore[attr-defined]
    # Depth: one point per feature map (input to layer4.1, not the class scores); Timing: one bar per timed
    # node; Output: ImageNet top five.
    maps = [n for n in result.captured if len(n.shape) == 3]
    x, means = ui.depth.mean.getData()
    assert ui.depth.names == [n.name for n in maps] and ui.depth.names[-1] == "layer4.1"
    assert len(x) == 10 and np.allclose(means, [n.stats.mean for n in maps if n.stats is not None])
    assert len(ui.timing.nodes) == 10 and ui.timing.subtitle.text().startswith("total ")
    assert ui.output.table.rowCount() == 5
    top = ui.output.table.item(0, 0).text()
    assert top and not top.startswith("class ")  # a name from the ImageNet list
    assert "random (seeded)" in ui.output.note.text()
    # Canvas thumbnails beside every card with a map (input, stem, eight blocks); the head is a vector.
    qtbot.waitUntil(lambda: len(ui.thumbnails.items()) == 10)  # type: ignore[attr-defined]
    thumbs = ui.thumbnails.items()
    assert len(thumbs) == 10 and all(isinstance(t, ActivationThumbnail) for t in thumbs)
    assert "Ran 12 nodes" in window.statusBar().currentMessage()


def test_selecting_another_node_switches_the_panel(qtbot: object, window: MainWindow) -> None:
    run(qtbot, window)
    panel = window.run_ui.activations
    window.document.set_selection(("layer3.0",))
    assert panel.title.text() == "Activations: layer3.0"
    assert panel.grid.range_label.text() == "1–64 of 256"
    assert panel.channel_view.picture is not None and panel.channel_view.picture.shape == (4, 4)
    assert panel.channel_view.slider.maximum() == 255
    panel.grid.turn(1)
    assert panel.grid.range_label.text() == "65–128 of 256"
    panel.set_channel(200)  # a click on a tile of a later page turns to it
    assert panel.grid.range_label.text() == "193–256 of 256"
    assert panel.channel_view.channel == 200
    window.document.set_selection(("head",))
    assert panel.left.currentWidget() is panel.vector and panel.channel_view.isHidden()
    # A thousand class scores: a one-pixel line, which Qt draws directly (a wider antialiased one went through
    # its path stroker and held the window 50-300 ms a paint).
    assert panel.vector.curve.opts["pen"].widthF() == 1.0
    window.document.set_selection(("layer1.0",))
    assert panel.title.text() == "Activations: layer1.0" and not panel.channel_view.isHidden()


def click_plot(qtbot: object, view: pg.PlotWidget, x: float, y: float) -> None:
    """A left click at data coordinates (x, y) of a plot, through the widget like a mouse."""
    scene_point = view.getPlotItem().vb.mapViewToScene(QPointF(x, y))
    point = view.mapFromScene(scene_point)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


def test_clicking_a_bar_or_a_point_selects_its_node(qtbot: object, window: MainWindow) -> None:
    run(qtbot, window)
    ui = window.run_ui
    window.run_ui.dock("timing").raise_()
    qtbot.waitUntil(ui.timing.view.isVisible)  # type: ignore[attr-defined]
    qtbot.wait(100)  # type: ignore[attr-defined]  # the plot lays itself out once shown
    bar = ui.timing.nodes[3]
    click_plot(qtbot, ui.timing.view, 3, (bar.time_ms or 0) / 2)
    assert window.document.selection == (bar.node_id,)
    assert ui.timing.marked.isVisible()
    window.run_ui.dock("depth").raise_()
    qtbot.waitUntil(ui.depth.view.isVisible)  # type: ignore[attr-defined]
    qtbot.wait(100)  # type: ignore[attr-defined]
    x, means = ui.depth.mean.getData()
    click_plot(qtbot, ui.depth.view, x[5], means[5])
    assert window.document.selection == (ui.depth.names[5],)
    assert ui.depth.cursor.isVisible() and ui.depth.cursor.value() == 5
    assert window.run_ui.activations.title.text() == f"Activations: {ui.depth.names[5]}"


def test_cancel_stops_a_run_within_a_second(
    qtbot: object, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resnet_studio.engine.run import forward

    original = forward.run_forward

    def slow_pass(
        *args: object, progress: Callable[[float, str], None] | None = None, **kwargs: object
    ) -> object:
        """Each layer takes 40 ms more, so the pass is still running when the cancel comes, however fast."""

        def report(fraction: float, node: str) -> None:
            time.sleep(0.04)
            if progress is not None:
                progress(fraction, node)

        return original(*args, progress=report, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(forward, "run_forward", slow_pass)
    window = make_window("resnet50", RunSettings())
    controller = window.run_ui.controller
    progress: list[str] = []
    controller.progress.connect(lambda _f, node: progress.append(node))
    with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        window.actions.run.trigger()
        assert window.run_ui.progress.isVisible() and window.actions.cancel_run.isEnabled()
        assert not window.actions.run.isEnabled()
        # Reports are thinned to ~30 a second, so wait for any node after the input.
        qtbot.waitUntil(lambda: len(progress) >= 2, timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
        cancelled_at = time.perf_counter()
        window.actions.cancel_run.trigger()
    # Cancel acts between layers (a few ms apart); the bound leaves room for a loaded machine.
    assert time.perf_counter() - cancelled_at < CANCEL_BOUND_S
    assert blocker.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: not controller.running)  # type: ignore[attr-defined]
    assert window.actions.run.isEnabled() and not window.actions.cancel_run.isEnabled()
    assert not window.run_ui.progress.isVisible()
    assert controller.current is None  # nothing half-done replaces the results
    assert "cancelled" in window.statusBar().currentMessage()


def test_devices_are_listed_off_the_gui_thread(
    qtbot: object, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resnet_studio.engine.run as engine_run

    threads: list[threading.Thread] = []
    real = engine_run.list_devices

    def spy() -> object:
        threads.append(threading.current_thread())
        return real()

    monkeypatch.setattr(engine_run, "list_devices", spy)
    controller = window.run_ui.controller
    with qtbot.waitSignal(controller.devices_changed, timeout=RUN_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        controller.probe_devices()
    assert threads and threads[0] is not threading.main_thread()
    names = [d.name for d in blocker.args[0]]
    assert names[0] == "cpu"
    combo = window.run_ui.toolbar.device
    assert [combo.itemData(i) for i in range(combo.count())] == names
    assert combo.itemText(0).startswith("CPU (")


def test_cuda_can_be_chosen_and_runs_there(qtbot: object, window: MainWindow) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    controller = window.run_ui.controller
    with qtbot.waitSignal(controller.devices_changed, timeout=RUN_TIMEOUT_MS):  # type: ignore[attr-defined]
        controller.probe_devices()
    combo = window.run_ui.toolbar.device
    index = combo.findData("cuda:0")
    assert index >= 0 and torch.cuda.get_device_name(0) in combo.itemText(index)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert controller.options.device == "cuda:0"
    result = run(qtbot, window)
    assert result.ok and result.device == "cuda:0"
    assert "CUDA" in result.memory_measure
    window.run_ui.dock("timing").raise_()
    qtbot.waitUntil(window.run_ui.timing.isVisible)  # type: ignore[attr-defined]
    assert torch.cuda.get_device_name(0) in window.run_ui.timing.subtitle.text()


def test_the_depth_legend_follows_a_switch_to_the_dark_theme(qtbot: object, window: MainWindow) -> None:
    run(qtbot, window)
    depth = window.run_ui.depth
    depth.bring_up_to_date()
    window.set_theme("dark", remember=False)
    qtbot.waitUntil(lambda: depth.colours.background.lightness() < 100)  # type: ignore[attr-defined]
    text = depth.colours.foreground.name().lower()
    labels = [label.item.toHtml().lower() for _sample, label in depth.legend.items]
    assert labels and all(text in html for html in labels)  # light text on the dark plot, not dark on dark
    window.set_theme("light", remember=False)


def test_the_channel_picture_is_labelled_with_what_its_axes_show(qtbot: object, window: MainWindow) -> None:
    run(qtbot, window)
    view = window.run_ui.activations.channel_view
    assert not view.view.ui.roiPlot.isVisibleTo(view)  # nothing under the map is labelled 'channel'
    assert "px (height x width" in view.caption.text() and view.caption.text().startswith("Channel 0 of")
    view.slider.setValue(5)
    assert view.channel == 5 and view.caption.text().startswith("Channel 5 of")
    assert window.run_ui.activations.grid.channel == 5  # the grid follows the slider


def test_the_channel_picture_takes_new_colours_only_when_its_colour_map_changes(
    qtbot: object, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(qtbot, window)
    panel = window.run_ui.activations
    window.document.set_selection(["layer1.0"])  # after a ReLU: the one-sided colour map
    qtbot.wait(20)  # type: ignore[attr-defined]
    view = panel.channel_view
    image = view.view.getImageItem()
    tables: list[object] = []
    original = image.setLookupTable

    def counting(lut: object, update: bool = True) -> None:
        tables.append(lut)
        original(lut, update)

    monkeypatch.setattr(image, "setLookupTable", counting)
    size = view.size()
    view.resize(size.width() - 40, size.height() - 40)  # the colour bar is shorter: the same colours
    qtbot.wait(20)  # type: ignore[attr-defined]
    view.resize(size)
    qtbot.wait(20)  # type: ignore[attr-defined]
    assert tables == []
    bar = view.view.ui.histogram.gradient
    assert bar.gradRect.rect().width() == pytest.approx(bar.length)  # the bar still spans its length
    window.document.set_selection(["input"])  # signed values: the diverging colour map, once
    qtbot.wait(20)  # type: ignore[attr-defined]
    assert len(tables) == 1
