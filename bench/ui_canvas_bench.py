"""Speed of the canvas on ResNet-152 expanded to primitives (about 517 cards), offscreen.

Targets (issue: desktop app): open (read the file + analysis + layout + scene + first paint) under 1 s; one parameter
edit to updated cards under 30 ms; one frame of a node drag (push the move + repaint) under 16 ms.

As a reference measured in the same run, a bare QGraphicsScene with one plain rectangle, one text item and one
line per node and edge is built and painted the same way; the ratio says what the real cards cost over Qt's own
minimum on this machine.

    QT_QPA_PLATFORM=offscreen python bench/ui_canvas_bench.py [--repeats 7] [--size 1400x900]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from resnet_studio.core.commands import SetParam
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.graph import Graph
from resnet_studio.core.layout import CARD_HEIGHT, CARD_WIDTH, layered_layout
from resnet_studio.core.presets import preset
from resnet_studio.core.project import load, save
from resnet_studio.ui.canvas import CanvasView
from resnet_studio.ui.canvas.edge_item import EdgeItem
from resnet_studio.ui.canvas.node_item import NodeItem
from resnet_studio.ui.document import Document

TARGETS_MS = {"open": 1000.0, "edit": 30.0, "frame": 16.0}


def median(values: list[float]) -> float:
    """The median, in milliseconds (values are seconds)."""
    return statistics.median(values) * 1e3


def first_paint(view: QGraphicsView) -> None:
    """Paint the view the way the screen would (paint events, item caches) into an image."""
    view.viewport().grab().toImage()


def open_network(path: Path, size: tuple[int, int], fit: bool) -> tuple[float, CanvasView, Document]:
    """Seconds to read the project file, load it into a Document (which analyses), lay it out, build the canvas
    and paint it once."""
    start = time.perf_counter()
    graph = load(path)
    document = Document(graph)
    for node_id, position in layered_layout(graph).items():
        graph.move(node_id, position)
    view = CanvasView(document)
    view.resize(*size)
    if fit:
        view.fit_all()
    else:
        view.centre_on_node(graph.topological_order()[1])
    first_paint(view)
    return time.perf_counter() - start, view, document


def reopen(view: CanvasView, path: Path) -> float:
    """Seconds for File > Open of the same network into a canvas already on screen, up to the first paint."""
    start = time.perf_counter()
    view.document.open(path)
    view.fit_all()
    view.centre_on_node(view.document.graph.topological_order()[1])
    first_paint(view)
    return time.perf_counter() - start


def reference_open(graph: Graph, size: tuple[int, int]) -> float:
    """The same number of bare Qt items (rectangle + text per node, a line per edge), built and painted."""
    start = time.perf_counter()
    scene = QGraphicsScene()
    positions = {n.id: n.position for n in graph.nodes}
    for node in graph.nodes:
        x, y = node.position
        scene.addRect(x, y, CARD_WIDTH, CARD_HEIGHT)
        text = QGraphicsSimpleTextItem(node.name)
        text.setPos(x + 8, y + 6)
        scene.addItem(text)
    for edge in graph.edges:
        (x1, y1), (x2, y2) = positions[edge.src], positions[edge.dst]
        scene.addLine(x1 + CARD_WIDTH / 2, y1 + CARD_HEIGHT, x2 + CARD_WIDTH / 2, y2)
    view = QGraphicsView(scene)
    view.resize(*size)
    view.centerOn(CARD_WIDTH / 2, CARD_HEIGHT * 2)
    first_paint(view)
    elapsed = time.perf_counter() - start
    view.deleteLater()
    return elapsed


def time_edits(document: Document, view: CanvasView, repeats: int) -> tuple[float, float]:
    """Median seconds of one parameter edit until the cards show it, without and with a repaint."""
    graph = document.graph
    conv = next(n.id for n in graph.nodes if n.name == "layer3.10.conv2")
    edits, frames = [], []
    for i in range(repeats):
        command = SetParam(
            conv, "out_channels", 200 + i
        )  # a new value each time: no memoised result to reuse
        start = time.perf_counter()
        document.push(command)
        edits.append(time.perf_counter() - start)
        first_paint(view)
        frames.append(time.perf_counter() - start)
        assert view.canvas.nodes[conv].content.lines[0].endswith(f"\u2192 {200 + i}"), (
            "the card shows the edit"
        )
    return median(edits), median(frames)


def time_drag(view: CanvasView, repeats: int, zoom: float = 1.0) -> tuple[float, float]:
    """Median seconds of one drag step: the mouse move (push MoveNodes, move items), and move + repaint."""
    graph = view.document.graph
    node_id = graph.topological_order()[len(graph) // 2]
    view.centre_on_node(node_id)
    view.zoom_by(zoom / view.zoom)
    first_paint(view)
    item = view.canvas.nodes[node_id]
    viewport = view.viewport()
    press = view.mapFromScene(item.mapToScene(QPointF(60, 60)))

    def mouse(kind: QMouseEvent.Type, at: QPoint, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(
            kind,
            QPointF(at),
            QPointF(viewport.mapToGlobal(at)),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)

    mouse(QMouseEvent.Type.MouseButtonPress, press, Qt.MouseButton.LeftButton)
    moves, frames = [], []
    stack = view.document.undo_stack
    count = stack.count()
    for i in range(1, repeats * 4 + 1):
        at = press + QPoint(3 * i, 2 * i)
        start = time.perf_counter()
        mouse(QMouseEvent.Type.MouseMove, at, Qt.MouseButton.LeftButton)
        moves.append(time.perf_counter() - start)
        first_paint(view)
        frames.append(time.perf_counter() - start)
    mouse(QMouseEvent.Type.MouseButtonRelease, at, Qt.MouseButton.NoButton)
    assert stack.count() == count + 1, "a drag must be one undo step"
    return median(moves), median(frames)


def repeat(fn: Callable[[], float], repeats: int) -> float:
    """Median of several calls returning seconds, in milliseconds."""
    return median([fn() for _ in range(repeats)])


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="repeats per figure (default 7)")
    parser.add_argument("--size", default="1400x900", help="viewport size (default 1400x900)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    size = (width, height)
    app = QApplication.instance() or QApplication([])
    base = preset("resnet152")
    start = time.perf_counter()
    expanded = expand_all(base)
    expand_ms = (time.perf_counter() - start) * 1e3
    print(
        f"ResNet-152 expanded to primitives: {len(expanded)} nodes, {len(expanded.edges)} edges ({expand_ms:.0f} ms)"
    )

    keep: list[object] = []

    folder = tempfile.TemporaryDirectory()
    path = save(expanded, Path(folder.name) / "resnet152_expanded.json")

    def opened(fit: bool) -> float:
        seconds, view, document = open_network(path, size, fit)
        keep.append((view, document))
        return seconds

    opened(False)  # warm-up: imports, fonts, memoised layer rules
    open_top = repeat(lambda: opened(False), args.repeats)
    open_fit = repeat(lambda: opened(True), args.repeats)
    reference = repeat(lambda: reference_open(expanded, size), args.repeats)
    _, view, document = open_network(path, size, fit=False)
    open_again = repeat(lambda: reopen(view, path), args.repeats)
    edit, edit_paint = time_edits(document, view, args.repeats * 3)
    move, frame = time_drag(view, args.repeats)
    _, frame_far = time_drag(view, args.repeats, zoom=0.25)
    shown = view.scene().items(view.mapToScene(view.viewport().rect()).boundingRect())
    cards = sum(1 for item in shown if isinstance(item, NodeItem))
    edges = sum(1 for item in shown if isinstance(item, EdgeItem))
    app.processEvents()

    rows = [
        ("open: read file + analysis + layout + scene + first paint (100 %, top)", open_top, "open"),
        ("open, fitted to the window (all cards at low detail)", open_fit, "open"),
        ("File > Open into the canvas on screen (Document.open, items rebuilt)", open_again, "open"),
        ("  reference: bare Qt rectangles + text + lines, same count", reference, ""),
        ("parameter edit -> updated cards (push, re-analysis, refresh)", edit, "edit"),
        ("parameter edit -> updated cards + full repaint", edit_paint, "edit"),
        ("drag step: mouse move -> MoveNodes pushed, items and edges moved", move, "frame"),
        ("drag frame: mouse move + full repaint of the view", frame, "frame"),
        (f"drag frame zoomed out to 25 % ({cards} cards, {edges} connections on screen)", frame_far, "frame"),
    ]
    print(
        f"viewport {width}x{height}, median of {args.repeats} repeats (edits: {args.repeats * 3}, drag: {args.repeats * 4})"
    )
    for label, value, target in rows:
        goal = (
            f"  (target < {TARGETS_MS[target]:.0f} ms: {'ok' if value < TARGETS_MS[target] else 'MISSED'})"
            if target
            else ""
        )
        print(f"  {label:<72} {value:8.1f} ms{goal}")
    print(f"  open / reference ratio: {open_top / reference:.1f}x")
    for view_, document_ in keep:  # type: ignore[misc]
        document_.undo_stack.clear()
        view_.deleteLater()
    document.undo_stack.clear()
    folder.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
