"""The edits a user makes on the canvas, as core commands: each is one undoable step and refuses loudly."""

from __future__ import annotations

import pytest

from resnet_studio.core import edits
from resnet_studio.core.analysis import analyze, connection_problem
from resnet_studio.core.commands import AddNode, Connect, SetParam
from resnet_studio.core.errors import CycleError, GraphError, PortOccupiedError
from resnet_studio.core.graph import Graph
from resnet_studio.core.model import Edge


def chain(*blocks: str) -> Graph:
    """input -> blocks... (each named after its type in lower case, ids equal to names)."""
    graph = Graph()
    previous = graph.add_node(
        graph.make_node("Input", {"channels": 3, "height": 8, "width": 8}, name="input", node_id="input")
    )
    for block in blocks:
        name = block.lower()
        node = graph.add_node(graph.make_node(block, name=name, node_id=name))
        graph.connect(Edge(previous.id, "out", node.id, graph.input_ports(node.id)[0]))
        previous = node
    return graph


def residual(stride: int = 1) -> Graph:
    """input -> conv1 -> relu -> conv2 (stride) -> add(in1); relu -> add(in2)."""
    graph = chain("Conv2d", "ReLU")
    graph.add_node(
        graph.make_node("Conv2d", {"out_channels": 64, "stride": stride}, name="conv2", node_id="conv2")
    )
    graph.add_node(graph.make_node("Add", name="add", node_id="add"))
    graph.connect(Edge("relu", "out", "conv2", "x"))
    graph.connect(Edge("conv2", "out", "add", "in1"))
    graph.connect(Edge("relu", "out", "add", "in2"))
    return graph


def test_detach_joins_the_input_to_everything_the_node_fed_and_undoes() -> None:
    graph = chain("Conv2d", "ReLU", "Flatten")
    before = graph.snapshot()
    command = edits.detach(graph, "relu")
    assert command is not None and command.describe(graph) == "Detach relu"
    command.do(graph)
    assert set(graph.edges) == {Edge("input", "out", "conv2d", "x"), Edge("conv2d", "out", "flatten", "x")}
    command.undo(graph)
    assert graph.snapshot() == before


def test_detach_of_a_loose_node_is_nothing() -> None:
    graph = chain()
    graph.add_node(graph.make_node("ReLU", node_id="loose"))
    assert edits.detach(graph, "loose") is None


def test_add_connected_joins_the_new_block_to_the_dragged_end() -> None:
    graph = chain("Conv2d")
    command, node_id = edits.add_connected(graph, "ReLU", (0.0, 100.0), Edge("conv2d", "out", "", ""), True)
    command.do(graph)
    assert graph.edge_into(node_id, "x") == Edge("conv2d", "out", node_id, "x")
    command.undo(graph)
    assert node_id not in graph
    command, node_id = edits.add_connected(graph, "Conv2d", (0.0, -100.0), Edge("", "", "conv2d", "x"), False)
    with pytest.raises(PortOccupiedError):  # conv2d's input is taken: refused, nothing changed
        command.do(graph)
    assert node_id not in graph


def test_delete_takes_nodes_and_loose_connections_in_one_step() -> None:
    graph = chain("Conv2d", "ReLU", "Flatten")
    assert edits.delete(graph, []) is None
    single = edits.delete(graph, ["relu"])
    assert single is not None and single.describe(graph) == "Delete relu"
    command = edits.delete(
        graph, ["relu"], [Edge("input", "out", "conv2d", "x"), Edge("relu", "out", "flatten", "x")]
    )
    assert command is not None and command.describe(graph) == "Delete 2 items"
    before = graph.snapshot()
    command.do(graph)
    assert "relu" not in graph and not graph.edges
    command.undo(graph)
    assert graph.snapshot() == before


def test_relink_is_checked_before_anything_changes() -> None:
    graph = chain("Conv2d", "ReLU", "Flatten")
    command = edits.relink(graph, Edge("relu", "out", "flatten", "x"), Edge("conv2d", "out", "flatten", "x"))
    assert command.describe(graph) == "Reconnect to flatten"
    with pytest.raises(CycleError):
        edits.relink(graph, Edge("conv2d", "out", "relu", "x"), Edge("flatten", "out", "relu", "x"))


def test_a_broken_merge_does_not_blame_a_matching_new_input() -> None:
    graph = residual(stride=2)
    SetParam("add", "inputs", 3).do(graph)
    analysis = analyze(graph)
    assert connection_problem(graph, analysis, Edge("conv2", "out", "add", "in3")) is None  # fits input 1
    wrong = graph.make_node("Conv2d", {"out_channels": 7})
    AddNode(wrong).do(graph)
    Connect(Edge("input", "out", wrong.id, "x")).do(graph)
    reason = connection_problem(graph, analyze(graph), Edge(wrong.id, "out", "add", "in3")) or ""
    assert "needs inputs of one shape" in reason and "7x8x8" in reason


def test_add_after_goes_a_row_below_and_makes_room_for_itself_and_a_new_stages_label() -> None:
    from resnet_studio.core.layout import CARD_HEIGHT, ROW_GAP, STAGE_BAND
    from resnet_studio.core.presets import preset

    row = CARD_HEIGHT + ROW_GAP
    graph = preset("resnet18")
    before = {n.id: n.position for n in graph.nodes}
    x, y = graph.node("layer1.0").position
    command, new_id = edits.add_after(graph, "layer1.0", "Dropout")  # into layer1.0 -> layer1.1
    command.do(graph)
    assert graph.node(new_id).position == (x, y + row)
    assert {e.src for e in graph.edges_into(new_id)} == {"layer1.0"}
    assert {e.dst for e in graph.edges_from(new_id)} == {"layer1.1"}
    assert graph.node("layer1.1").position == (
        before["layer1.1"][0],
        before["layer1.1"][1] + row,
    )  # moved down
    assert graph.node("layer2.0").position == before["layer2.0"]  # another column: left alone
    command.undo(graph)
    assert {n.id: n.position for n in graph.nodes} == before

    # After the head, an Output joins its output beside the one it feeds; a new stage leaves room for its label.
    command, new_id = edits.add_after(graph, "head", "Output")
    command.do(graph)
    assert {e.dst for e in graph.edges_from("head")} == {"output", new_id}
    empty = Graph()
    stage = empty.add_node(empty.make_node("Stage"))
    command, new_id = edits.add_after(empty, stage.id, "Stage")
    command.do(empty)
    assert empty.node(new_id).name == "layer2"
    assert empty.node(new_id).position[1] == stage.position[1] + row + STAGE_BAND

    with pytest.raises(GraphError, match="no input"):
        edits.add_after(graph, "head", "Input")
