"""The edit actions the main window calls: explode/collapse, clipboard, duplicate, delete, fixes, layout, zoom."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QMimeData, QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu

from resnet_studio.core.commands import SetParam
from resnet_studio.core.graph import Graph
from resnet_studio.core.model import Edge
from resnet_studio.core.presets import preset
from resnet_studio.ui.canvas import CanvasView
from resnet_studio.ui.canvas.menus import canvas_menu, edge_menu, node_menu
from resnet_studio.ui.document import Document
from resnet_studio.ui.mime import FRAGMENT_MIME

from .test_scene import residual_graph


@pytest.fixture
def make_view(qtbot: object, make_document: Callable[[Graph], Document]) -> Callable[[Graph], CanvasView]:
    """A shown canvas on a network."""

    def make(graph: Graph) -> CanvasView:
        view = CanvasView(make_document(graph))
        qtbot.addWidget(view)  # type: ignore[attr-defined]
        view.resize(1000, 760)
        view.show()
        return view

    return make


def messages(view: CanvasView) -> list[str]:
    """Collects the status messages of a view."""
    found: list[str] = []
    view.status_message.connect(found.append)
    return found


def action(menu: QMenu, text: str) -> object:
    """The menu entry whose text starts with `text`."""
    for entry in menu.actions():
        if entry.text().startswith(text):
            return entry
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def test_explode_is_one_step_and_undo_restores_the_block(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    document = view.document
    original = document.graph.snapshot()
    view.canvas.set_expanded("layer2.0", True)
    view.explode("layer2.0")
    assert "layer2.0" not in view.canvas.nodes and "layer2.0" not in view.canvas.plans
    layers = [n for n in document.graph.nodes if n.expanded_from is not None]
    assert {n.name for n in layers} >= {"layer2.0.conv1", "layer2.0.downsample.0", "layer2.0.add"}
    assert all(n.id in view.canvas.nodes for n in layers)
    assert document.undo_stack.count() == 1 and document.analysis.ok
    document.undo_stack.undo()
    assert document.graph.snapshot() == original
    assert set(view.canvas.nodes) == {n.id for n in document.graph.nodes}


def test_collapse_works_while_unchanged_and_is_refused_after_an_edit(
    make_view: Callable[[Graph], CanvasView],
) -> None:
    view = make_view(preset("resnet18"))
    document, said = view.document, messages(view)
    view.explode("layer1.0")
    view.collapse("layer1.0")
    assert "layer1.0" in view.canvas.nodes and document.undo_stack.undoText() == "Collapse layer1.0"
    view.explode("layer1.0")
    document.push(SetParam("layer1.0.conv1", "kernel_size", 5))
    edited = document.graph.snapshot()
    view.collapse("layer1.0")
    assert "edited" in said[-1]
    assert document.graph.snapshot() == edited
    menu = node_menu(view, "layer1.0.bn1")
    action(menu, "Collapse into layer1.0")  # offered, and refused with the reason when chosen


def test_copy_and_paste_through_the_clipboard(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    document = view.document
    document.set_selection(["layer1.0", "layer1.1"])
    view.copy_selection()
    data = QGuiApplication.clipboard().mimeData()
    assert data.hasFormat(FRAGMENT_MIME) and b"layer1.1" in bytes(data.data(FRAGMENT_MIME).data())
    view.paste()
    new = [n for n in document.graph.nodes if n.id not in preset("resnet18")]
    assert len(new) == 2 and set(document.selection) == {n.id for n in new}
    assert Edge(new[0].id, "out", new[1].id, "x") in document.graph.edges  # the link between them came along
    assert document.undo_stack.undoText() == "Paste 2 nodes"
    first = {n.position for n in new}
    view.paste()  # again: the second copy goes further down-right, not on top of the first
    newer = [n for n in document.graph.nodes if n.id not in preset("resnet18") and n not in new]
    assert len(newer) == 2 and not first & {n.position for n in newer}
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert len(document.graph) == 12


def test_cut_removes_and_paste_brings_back(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    document = view.document
    document.set_selection(["head"])
    view.cut_selection()
    assert "head" not in document.graph and document.undo_stack.undoText() == "Cut 1 node"
    view.paste()
    assert [n.type for n in document.graph.nodes].count("Head") == 1


def test_paste_without_nodes_on_the_clipboard_says_so(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(Graph())
    said = messages(view)
    text = QMimeData()
    text.setText("hello")
    QGuiApplication.clipboard().setMimeData(text)
    view.paste()
    assert "copy some first" in said[-1]
    broken = QMimeData()
    broken.setData(FRAGMENT_MIME, b"{not json")
    QGuiApplication.clipboard().setMimeData(broken)
    view.paste()
    assert "no usable nodes" in said[-1] and len(view.document.graph) == 0


def test_duplicate_and_delete(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    document = view.document
    document.set_selection(["layer2.0"])
    view.duplicate_selection()
    (copy,) = document.selection
    assert copy != "layer2.0" and document.graph.node(copy).type == "BasicBlock"
    x, y = document.graph.node("layer2.0").position
    assert document.graph.node(copy).position == (x + 40, y + 40)
    view.delete_selection()
    assert copy not in document.graph
    # an edge selected on its own is deleted too, in the same step as the nodes
    view.canvas.edges[Edge("layer3.0", "out", "layer3.1", "x")].setSelected(True)
    document.set_selection(["head"])
    view.canvas.edges[Edge("layer3.0", "out", "layer3.1", "x")].setSelected(True)
    view.delete_selection()
    assert (
        "head" not in document.graph and Edge("layer3.0", "out", "layer3.1", "x") not in document.graph.edges
    )
    document.undo_stack.undo()
    assert "head" in document.graph and Edge("layer3.0", "out", "layer3.1", "x") in document.graph.edges


def test_context_menu_fix_skip_and_layers(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(residual_graph(stride=2))
    document = view.document
    menu = node_menu(view, "add")
    fix = action(menu, "Fix: ")
    fix.trigger()  # type: ignore[attr-defined]
    assert document.analysis.ok and document.undo_stack.undoText().startswith("Fix add")
    blocks = make_view(preset("resnet18"))
    menu = node_menu(blocks, "layer1.0")
    skip = action(menu, "Skip connection")
    assert skip.isChecked()  # type: ignore[attr-defined]
    skip.trigger()  # type: ignore[attr-defined]
    assert blocks.document.graph.node("layer1.0").params.as_bool("skip") is False
    menu = node_menu(blocks, "layer1.0")
    action(menu, "Show layers").trigger()  # type: ignore[attr-defined]
    assert blocks.canvas.is_expanded("layer1.0")
    menu = node_menu(blocks, "layer1.0")
    action(menu, "Hide layers").trigger()  # type: ignore[attr-defined]
    assert not blocks.canvas.is_expanded("layer1.0")
    menu = edge_menu(blocks, Edge("stem", "out", "layer1.0", "x"))
    action(menu, "Disconnect").trigger()  # type: ignore[attr-defined]
    assert Edge("stem", "out", "layer1.0", "x") not in blocks.document.graph.edges
    menu = canvas_menu(blocks, blocks.mapToScene(QPoint(5, 5)))
    assert [a.text() for a in menu.actions()][-2:] == [
        "Auto layout",
        "Fit to view",
    ]


def test_layout_zoom_centre_and_add_at_centre(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    document = view.document
    document.push(SetParam("layer4.1", "skip", False))
    before = document.undo_stack.count()
    view.auto_layout()
    assert document.undo_stack.count() == before + 1 and document.undo_stack.undoText() == "Move 12 nodes"
    view.fit_all()
    rect = view.canvas.network_rect()
    assert view.visible_scene_rect().contains(rect.adjusted(10, 10, -10, -10))
    view.centre_on_node("layer3.1")
    assert view.zoom >= 0.55
    centre = view.mapToScene(view.viewport().rect().center())
    assert view.canvas.nodes["layer3.1"].sceneBoundingRect().contains(centre)
    zoom = view.zoom
    view.zoom_by(2.0)
    assert view.zoom == pytest.approx(2.0 * zoom)
    view.select_all()
    assert len(document.selection) == 12
    empty = make_view(Graph())
    empty.add_block_at_centre("ReLU")
    empty.add_block_at_centre("ReLU")
    first, second = empty.document.graph.nodes
    assert first.position != second.position
    assert (
        not empty.canvas.nodes[first.id]
        .sceneBoundingRect()
        .intersects(empty.canvas.nodes[second.id].sceneBoundingRect().adjusted(20, 20, -20, -20))
    )


def test_a_process_that_copied_nodes_exits_cleanly() -> None:
    """Qt deletes clipboard data at exit; the canvas empties the clipboard first, so the process does not crash."""
    script = (
        "from PySide6.QtWidgets import QApplication\n"
        "from resnet_studio.core.presets import preset\n"
        "from resnet_studio.ui.canvas import CanvasView\n"
        "from resnet_studio.ui.document import Document\n"
        "app = QApplication([])\n"
        "view = CanvasView(Document(preset('resnet18')))\n"
        "view.document.set_selection(['stem'])\n"
        "view.copy_selection()\n"
        "print('copied')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "copied" in done.stdout
