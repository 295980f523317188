"""Building a small residual network from an empty canvas with the mouse: palette drops, then port drags."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from resnet_studio.core.commands import SetParam
from resnet_studio.core.model import Edge
from resnet_studio.ui.main_window import MainWindow

from .conftest import Dialogs


def drop(window: MainWindow, mime: QMimeData, at: QPoint) -> None:
    """What a drag from the palette delivers to the canvas: enter, move, drop."""
    viewport = window.canvas.viewport()
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (
        QDragEnterEvent(at, actions, mime, buttons, keys),
        QDragMoveEvent(at, actions, mime, buttons, keys),
        QDropEvent(QPointF(at), actions, mime, buttons, keys),
    ):
        QApplication.sendEvent(viewport, event)


def drag_link(window: MainWindow, qtbot, src: str, dst: str, port: str = "x") -> None:
    """Press on an output port, move to an input port, release: one Connect command."""
    view = window.canvas
    nodes = view.canvas.nodes
    start = view.mapFromScene(nodes[src].port_scene_pos("out", True))
    end = view.mapFromScene(nodes[dst].port_scene_pos(port, False))
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    for point in (middle, end):
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def test_build_a_residual_network_from_an_empty_canvas(window: MainWindow, dialogs: Dialogs, qtbot) -> None:
    window.actions.new.trigger()
    document = window.document
    assert len(document.graph) == 0
    window.canvas.reset_zoom()
    palette = window.palette_panel
    plan = [
        "Input",
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "Conv2d",
        "BatchNorm2d",
        "Add",
        "GlobalAvgPool",
        "Flatten",
        "Linear",
        "Output",
    ]
    window.canvas.zoom_by(0.5)
    rect = window.canvas.viewport().rect()
    for i, block in enumerate(plan):
        at = QPoint(rect.left() + 90 + (i % 4) * 150, rect.top() + 50 + (i // 4) * 120)
        drop(window, palette.tree.mime_for(palette.entry(block)), at)
    assert [n.type for n in document.graph.nodes] == plan
    assert document.undo_stack.count() == len(plan)
    ids = [n.id for n in document.graph.nodes]
    assert len(document.analysis.diagnostics) > 0  # nothing is connected yet
    window.canvas.fit_all()
    chain = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (7, 8), (8, 9), (9, 10)]
    for a, b in chain:
        drag_link(window, qtbot, ids[a], ids[b])
    drag_link(window, qtbot, ids[5], ids[6], "in1")
    drag_link(window, qtbot, ids[3], ids[6], "in2")  # the skip connection around the two convolutions
    drag_link(window, qtbot, ids[6], ids[7])
    expected = {Edge(ids[a], "out", ids[b], "x") for a, b in chain}
    expected |= {
        Edge(ids[5], "out", ids[6], "in1"),
        Edge(ids[3], "out", ids[6], "in2"),
        Edge(ids[6], "out", ids[7], "x"),
    }
    assert set(document.graph.edges) == expected
    assert document.analysis.ok and not document.analysis.diagnostics, [
        str(d) for d in document.analysis.diagnostics
    ]
    assert window.problems.count == 0 and window.problems_dock.windowTitle() == "Problems (0)"
    assert document.analysis.nodes[ids[10]].known
    assert window.summary.model.rowCount() == len(plan)
    # break it: a stride on the second convolution no longer matches the skip, and the Add says so
    document.push(SetParam(ids[4], "stride", 2))
    assert window.problems.count == 1
    problem = window.problems.model.diagnostics[0]
    assert problem.node_id == ids[6] and "in2" in (problem.port or "")
    window.actions.undo.trigger()
    assert window.problems.count == 0
    window.actions.redo.trigger()
    assert window.problems.count == 1
