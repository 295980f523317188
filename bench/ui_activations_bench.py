"""Speed of the activation plots, offscreen, on a real ResNet-50 forward pass (3x224x224, the sample image).

Targets (issue: run and see): showing a 256-channel feature-map grid under 100 ms (the mosaic built from the
values, set on the image item with fixed levels, and painted); switching the selected node redraws the whole
Activations panel under 50 ms (results cached from the run: grid, channel view, histogram, statistics).

As references measured in the same run: the same 256 channels drawn the naive way, one ImageItem in its own
ViewBox per channel (what the single mosaic replaces), and one repaint of the panel when nothing changed (what
any frame of it costs on this machine). Ratios say what the mosaic saves and what a switch adds to a frame.

    QT_QPA_PLATFORM=offscreen python bench/ui_activations_bench.py [--repeats 15] [--size 1400x420]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pyqtgraph as pg
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.results.run import ForwardResult, NodeRecord
from resnet_studio.results.run_request import InputChoice
from resnet_studio.ui.document import Document
from resnet_studio.ui.panels.activations import ActivationsPanel
from resnet_studio.ui.panels.feature_grid import FeatureGrid
from resnet_studio.ui.panels.plots import configure_pyqtgraph
from resnet_studio.ui.run.controller import RunController
from resnet_studio.ui.run.display import colour_table, levels_for
from resnet_studio.ui.workers.forward import ForwardWorker

TARGETS_MS = {"grid": 100.0, "switch": 50.0}
GRID_NODE = "layer1.0"
"""A ResNet-50 block with 256 channels of 56x56."""
SWITCH_NODES = ("layer1.0", "layer3.0", "layer2.0", "layer4.0")


def median_ms(samples: list[float]) -> float:
    """The median, in milliseconds (samples are seconds)."""
    return statistics.median(samples) * 1e3


def forward(controller: RunController) -> ForwardResult:
    """One ResNet-50 pass, run here on the main thread (the app runs it on a worker thread)."""
    results: list[ForwardResult] = []
    worker = ForwardWorker(controller.request())
    worker.finished.connect(results.append)
    worker.run()
    if not results or not results[0].ok:
        sys.exit(f"the forward pass failed: {results[0].problem if results else 'no result'}")
    return results[0]


def paint(widget: QWidget) -> None:
    """Paint the widget now, as the screen would."""
    widget.repaint()
    QApplication.processEvents()


def time_grid(node: NodeRecord, size: tuple[int, int], repeats: int) -> list[float]:
    """Seconds to show a fresh page of 256 channels (no cache) and paint it."""
    grid = FeatureGrid()
    grid.per_page.setCurrentIndex(grid.per_page.findData(256))
    grid.resize(*size)
    grid.show()
    paint(grid)
    levels = levels_for(node.stats)
    samples = []
    for _ in range(repeats):
        grid.clear_cache()
        start = time.perf_counter()
        grid.show_node(node, levels, 0)
        paint(grid)
        samples.append(time.perf_counter() - start)
    assert grid.image_array() is not None and grid.range_label.text() == "1–256 of 256"
    grid.close()
    return samples


def time_naive_grid(node: NodeRecord, size: tuple[int, int], repeats: int) -> list[float]:
    """Seconds to show the same 256 channels as 256 ImageItems, each in its own ViewBox (the reference)."""
    assert node.values is not None
    levels = levels_for(node.stats).as_tuple()
    table = colour_table(False)
    samples = []
    for _ in range(repeats):
        view = pg.GraphicsLayoutWidget()
        view.resize(*size)
        view.show()
        start = time.perf_counter()
        for channel in range(256):
            box = view.addViewBox(row=channel // 16, col=channel % 16, lockAspect=True, invertY=True)
            item = pg.ImageItem()
            item.setLookupTable(table)
            item.setImage(node.values[channel], autoLevels=False, levels=levels)
            box.addItem(item)
        paint(view)
        samples.append(time.perf_counter() - start)
        view.close()
        view.deleteLater()
        QApplication.processEvents()
    return samples


def time_switch(panel: ActivationsPanel, document: Document, repeats: int) -> list[float]:
    """Seconds from selecting another node to the repainted panel, every node seen once before (cached)."""
    for node in SWITCH_NODES:  # the first visit of each node builds its cached pictures
        document.set_selection((node,))
        paint(panel)
    samples = []
    for i in range(repeats):
        node = SWITCH_NODES[i % len(SWITCH_NODES)]
        start = time.perf_counter()
        document.set_selection((node,))
        paint(panel)
        samples.append(time.perf_counter() - start)
        assert panel.title.text() == f"Activations: {node}"
    return samples


def time_frame(panel: ActivationsPanel, repeats: int) -> list[float]:
    """Seconds to repaint the panel when nothing changed (the cost of any frame of it)."""
    samples = []
    for _ in range(repeats):
        panel.update()
        start = time.perf_counter()
        paint(panel)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    """Run the benchmark and print the figures; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--size", default="1400x420", help="panel size WxH (a bottom dock on a 1600x1000 screen)"
    )
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    app = QApplication.instance() or QApplication([])
    configure_pyqtgraph()

    document = Document()
    document.replace(Project(preset("resnet50"), RunSettings(), "ResNet-50"), None)
    controller = RunController(document)
    controller.set_input(InputChoice("sample"))
    started = time.perf_counter()
    result = forward(controller)
    print(
        f"ResNet-50 forward pass with capture: {(time.perf_counter() - started) * 1e3:.0f} ms (not timed below)"
    )
    node = result.node(GRID_NODE)
    assert node is not None and node.values is not None and node.values.shape == (256, 56, 56)

    grid_width = round(width * 5 / 11)  # the grid's share of the panel's splitter
    grid = time_grid(node, (grid_width, height), args.repeats)
    naive = time_naive_grid(node, (grid_width, height), max(3, args.repeats // 5))

    run_action = QAction("Run")
    panel = ActivationsPanel(document, controller, run_action)
    panel.resize(width, height)
    panel.show()
    controller.current = result
    controller.result_changed.emit(result)
    paint(panel)
    switch = time_switch(panel, document, args.repeats)
    frame = time_frame(panel, args.repeats)

    rows = [
        ("256-channel grid: mosaic + paint", median_ms(grid), TARGETS_MS["grid"]),
        ("switch node: whole Activations panel", median_ms(switch), TARGETS_MS["switch"]),
        ("reference: 256 ImageItems + paint", median_ms(naive), None),
        ("reference: panel repaint, nothing changed", median_ms(frame), None),
    ]
    print(f"\n{'measure (median of ' + str(args.repeats) + ')':<44}{'ms':>9}{'target':>10}")
    for name, value, target in rows:
        print(f"{name:<44}{value:>9.1f}{'' if target is None else f'< {target:.0f}':>10}")
    print(f"\nratio naive grid / mosaic grid: {median_ms(naive) / median_ms(grid):.1f}x")
    print(f"ratio panel switch / unchanged repaint: {median_ms(switch) / max(median_ms(frame), 1e-3):.1f}x")
    ok = median_ms(grid) < TARGETS_MS["grid"] and median_ms(switch) < TARGETS_MS["switch"]
    print("PASS" if ok else "FAIL")
    app.processEvents()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
