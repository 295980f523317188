"""The scene mirrors the document: items follow graph edits, undo/redo, the analysis and the selection."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter

from resnet_studio.core.commands import AddNode, Connect, MoveNodes, RemoveNode, Rename, SetParam
from resnet_studio.core.edits import apply_fix, explode
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.graph import Graph
from resnet_studio.core.model import Edge, Node
from resnet_studio.core.presets import preset
from resnet_studio.ui.canvas import CanvasScene
from resnet_studio.ui.canvas import scene as scene_module
from resnet_studio.ui.canvas.card import card_content
from resnet_studio.ui.canvas.style import CanvasStyle
from resnet_studio.ui.document import Document
from resnet_studio.ui.theme import dark_palette


def residual_graph(stride: int = 1) -> Graph:
    """input -> conv1 -> relu -> conv2 (stride) -> add(in1); relu -> add(in2) -> output."""
    g = Graph()
    for node_id, block, params in (
        ("input", "Input", {"channels": 3, "height": 32, "width": 32}),
        ("conv1", "Conv2d", {"out_channels": 16}),
        ("relu", "ReLU", {}),
        ("conv2", "Conv2d", {"out_channels": 16, "stride": stride}),
        ("add", "Add", {}),
        ("output", "Output", {}),
    ):
        g.add_node(g.make_node(block, params, name=node_id, node_id=node_id))
    for src, dst, port in (
        ("input", "conv1", "x"),
        ("conv1", "relu", "x"),
        ("relu", "conv2", "x"),
        ("conv2", "add", "in1"),
        ("relu", "add", "in2"),
        ("add", "output", "x"),
    ):
        g.connect(Edge(src, "out", dst, port))
    return g


MakeDocument = Callable[[Graph], Document]


@pytest.fixture
def document(make_document: MakeDocument) -> Document:
    """ResNet-18 in a document."""
    return make_document(preset("resnet18"))


def test_scene_mirrors_graph_edits_undo_and_redo(document: Document) -> None:
    scene = CanvasScene(document)
    graph = document.graph
    assert set(scene.nodes) == {n.id for n in graph.nodes}
    assert set(scene.edges) == set(graph.edges)

    node = graph.make_node("ReLU", position=(600.0, 40.0))
    document.push(AddNode(node))
    edge = Edge("layer1.0", "out", node.id, "x")
    document.push(Connect(edge))
    assert scene.nodes[node.id].pos() == QPointF(600.0, 40.0)
    assert edge in scene.edges
    document.undo_stack.undo()
    assert edge not in scene.edges
    document.undo_stack.undo()
    assert node.id not in scene.nodes
    document.undo_stack.redo()
    document.undo_stack.redo()
    assert node.id in scene.nodes and edge in scene.edges

    document.push(RemoveNode("layer2.0"))
    assert "layer2.0" not in scene.nodes
    assert not [e for e in scene.edges if "layer2.0" in (e.src, e.dst)]
    document.undo_stack.undo()
    assert "layer2.0" in scene.nodes
    assert set(scene.edges) == set(graph.edges)


def test_positions_come_from_the_model_and_edges_follow(document: Document) -> None:
    scene = CanvasScene(document)
    edge = Edge("stem", "out", "layer1.0", "x")
    before = scene.edges[edge].route.pointAtPercent(1.0)
    document.push(MoveNodes({"layer1.0": (400.0, 500.0)}))
    assert scene.nodes["layer1.0"].pos() == QPointF(400.0, 500.0)
    after = scene.edges[edge].route.pointAtPercent(1.0)
    assert after != before
    assert after.x() == pytest.approx(400.0 + 120.0)  # the input port sits in the middle of the top edge
    document.undo_stack.undo()
    assert scene.nodes["layer1.0"].pos() == QPointF(*document.graph.node("layer1.0").position)


def test_error_border_and_tooltip_appear_and_disappear(make_document: MakeDocument) -> None:
    document = make_document(residual_graph())
    scene = CanvasScene(document)
    add = scene.nodes["add"]
    assert add.content.severity is None
    document.push(SetParam("conv2", "stride", 2))
    assert add.content.severity == "error"
    assert "in2" in add.content.bad_ports
    assert "16x32x32" in add.toolTip() and "Fix:" in add.toolTip()
    assert "16x32x32" in add.content.problem  # written on the card too, so a picture shows it
    document.undo_stack.undo()
    assert add.content.severity is None and "Error" not in add.toolTip()

    document.push(SetParam("conv2", "stride", 2))
    (diagnostic,) = [d for d in document.analysis.diagnostics if d.is_error]
    document.push(apply_fix(document.graph, diagnostic))
    assert scene.nodes["add"].content.severity is None
    assert document.analysis.ok


def test_a_parameter_edit_refreshes_only_recomputed_cards(
    document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = CanvasScene(document)
    refreshed: list[str] = []
    original = scene._refresh_node
    monkeypatch.setattr(
        scene, "_refresh_node", lambda node_id: (refreshed.append(node_id), original(node_id))
    )
    document.push(SetParam("head", "num_classes", 10))
    assert set(refreshed) <= set(document.analysis.recomputed) | {"head"}
    assert "layer1.0" not in refreshed
    assert scene.nodes["head"].content.lines[0].endswith("10 classes")


def test_every_edit_builds_the_edited_card_once_from_the_new_analysis(
    document: Document, monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    scene = CanvasScene(document)
    built: list[tuple[str, tuple[str, ...]]] = []
    original = card_content

    def counting(node: Node, result: object, settings: object) -> object:
        content = original(node, result, settings)  # type: ignore[arg-type]
        built.append((node.id, content.lines))
        return content

    monkeypatch.setattr(scene_module, "card_content", counting)
    document.push(SetParam("layer2.0", "stride", 1))  # changes the analysis downstream
    assert [lines for node_id, lines in built if node_id == "layer2.0"] == [
        ("64 \u2192 128, projection", "64x56x56 \u2192 128x56x56")
    ]  # once, and already with the new shapes
    built.clear()
    document.push(Rename("layer2.0", "first"))  # leaves the analysis as it was
    assert [node_id for node_id, _ in built] == ["layer2.0"]
    built.clear()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert [node_id for node_id, _ in built].count("layer2.0") == 2  # one per undo step
    qtbot.wait(20)  # type: ignore[attr-defined]  # nothing left over for the next turn of the event loop
    assert [node_id for node_id, _ in built].count("layer2.0") == 2
    assert scene.nodes["layer2.0"].content.name == "layer2.0"


def test_a_change_outside_the_edits_still_reaches_its_card(document: Document, qtbot: object) -> None:
    scene = CanvasScene(document)
    document.graph.set_param("head", "num_classes", 10)  # no command, so no analysis follows
    qtbot.waitUntil(lambda: scene.nodes["head"].content.lines[0].endswith("10 classes"))  # type: ignore[attr-defined]


def test_skip_edges_are_drawn_as_skips_with_their_tags(make_document: MakeDocument) -> None:
    graph = expand_all(preset("resnet18"))
    scene = CanvasScene(make_document(graph))
    assert scene.edges[Edge("stem.maxpool", "out", "layer1.0.add", "in2")].skip
    assert not scene.edges[Edge("layer1.0.bn2", "out", "layer1.0.add", "in1")].skip
    assert scene.edges[Edge("layer1.1.relu2", "out", "layer2.0.downsample.0", "x")].tag == "1x1, s2"
    assert scene.edges[Edge("stem.maxpool", "out", "layer1.0.add", "in2")].tag == ""


def test_skip_colour_follows_rewiring(make_document: MakeDocument) -> None:
    document = make_document(residual_graph())
    scene = CanvasScene(document)
    skip = Edge("relu", "out", "add", "in2")
    assert scene.edges[skip].skip
    document.push(RemoveNode("conv2"))
    scene.flush()
    assert not scene.edges[skip].skip  # nothing left to bypass


def test_selection_is_shared_with_the_document_both_ways(document: Document) -> None:
    scene = CanvasScene(document)
    document.set_selection(["layer1.0", "head"])
    assert {i.node_id for i in scene.selectedItems()} == {"layer1.0", "head"}
    scene.nodes["layer1.0"].setSelected(False)
    assert document.selection == ("head",)
    scene.nodes["stem"].setSelected(True)
    assert set(document.selection) == {"head", "stem"}
    document.set_selection([])
    assert scene.selectedItems() == []


def test_expanded_view_lists_the_layers_without_editing(document: Document) -> None:
    scene = CanvasScene(document)
    before = document.graph.snapshot()
    scene.set_expanded("layer2.0", True)
    plan = scene.plans["layer2.0"]
    names = [row.name for row in plan.rows]
    assert names[:2] == ["conv1", "bn1"] and "downsample.0" in names and names[-1] == "relu2"
    assert {row.shape for row in plan.rows if row.name.startswith("downsample")} == {"128x28x28"}
    assert [row.name for row in plan.rows if row.on_skip] == ["downsample.0", "downsample.1"]
    assert document.graph.snapshot() == before and document.undo_stack.count() == 0
    document.push(MoveNodes({"layer2.0": (900.0, 0.0)}))
    assert plan.pos() == QPointF(900.0, 0.0)
    scene.set_expanded("layer2.0", False)
    assert "layer2.0" not in scene.plans and plan.scene() is None


def test_cards_say_what_the_block_is(document: Document) -> None:
    scene = CanvasScene(document)
    card = scene.nodes["layer2.0"].content
    assert card.name == "layer2.0" and card.type_name == "BasicBlock"
    assert card.lines == ("64 \u2192 128, stride 2, projection", "64x56x56 \u2192 128x28x28")
    assert card.badges == ("230 k params", "180 MMACs")  # three digits on the card; exact in the tooltip
    assert "230\u2009144" in scene.nodes["layer2.0"].toolTip()
    # Under a thousand MACs the count had no prefix and no space either: '640MACs' on a CIFAR head.
    document.push(SetParam("head", "num_classes", 1))
    assert scene.nodes["head"].content.badges == ("513 params", "512 MACs")
    assert card.skip is not None and (card.skip.kind, card.skip.on, card.skip.label) == (
        "projection",
        True,
        "1x1, s2",
    )
    assert scene.nodes["layer1.0"].content.skip.kind == "identity"  # type: ignore[union-attr]
    document.push(SetParam("layer1.0", "skip", False))
    assert scene.nodes["layer1.0"].content.skip.on is False  # type: ignore[union-attr]
    assert scene.nodes["stem"].content.skip is None


def test_theme_presentation_and_labels_repaint(document: Document) -> None:
    scene = CanvasScene(document)
    scene.set_expanded("layer1.0", True)
    document.set_selection(["layer2.0"])
    scene.set_style(CanvasStyle.from_palette(dark_palette(), presentation=True))
    scene.set_show_edge_labels(True)
    edge = scene.edges[Edge("stem", "out", "layer1.0", "x")]
    assert edge.label == "64x56x56 \u00b7 784.0 KiB"
    assert edge.toolTip() == "64x56x56, 784.0 KiB at batch 1 fp32"
    assert scene.canvas_style.dark and scene.nodes["stem"]._style.presentation
    image = QImage(400, 300, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    scene.render(painter)  # every item paints in the dark presentation style
    painter.end()
    assert not image.isNull()


def test_a_failing_paint_is_logged_not_fatal(
    document: Document, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from resnet_studio.ui.canvas.node_item import NodeItem

    scene = CanvasScene(document)

    def broken(self: NodeItem, painter: QPainter) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(NodeItem, "_paint_ports", broken)
    image = QImage(300, 300, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, 300, 300), QRectF(-20, -20, 300, 300))  # 100 %: ports are drawn
    painter.end()  # the painter is still in one piece
    assert any("NodeItem" in r.getMessage() for r in caplog.records)
    caplog.clear()


def routes(scene: CanvasScene) -> dict[Edge, tuple[int, tuple[float, float, float, float]]]:
    """Every connection's route, as its number of path elements and its bounds."""
    return {
        edge: (item.route.elementCount(), item.route.boundingRect().getRect())
        for edge, item in scene.edges.items()
    }


def test_after_exploding_a_block_every_connection_is_routed_as_a_fresh_canvas_routes_it(
    make_document: MakeDocument, qtbot: object
) -> None:
    document = make_document(preset("resnet50"))
    scene = CanvasScene(document)
    qtbot.wait(10)  # type: ignore[attr-defined]
    document.push(explode(document.graph, document.analysis, "layer2.0"))
    qtbot.wait(10)  # type: ignore[attr-defined]  # the edit is done: its moves came one card at a time
    fresh = CanvasScene(document)
    qtbot.wait(10)  # type: ignore[attr-defined]
    # Before the fix the connections into later columns (layer2.3 -> layer3.0, layer3.2 -> layer3.3, ...) were
    # left as straight diagonals, routed while the columns to the right were only partly moved.
    assert routes(scene) == routes(fresh)
    wrapped = scene.edges[next(e for e in document.graph.edges if e.dst == "layer3.3")]
    assert wrapped.route.elementCount() > 2
