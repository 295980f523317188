"""Delete with reconnect: removing blocks from a chain closes the gap, in one step that undoes exactly."""

from __future__ import annotations

import itertools

import pytest

from resnet_studio.core import Analyzer, Edge, Graph, edits, preset
from resnet_studio.core.commands import Macro
from resnet_studio.core.errors import GraphError, UnknownNodeError
from resnet_studio.core.expansion import expand_all


def test_deleting_a_block_from_a_chain_joins_its_neighbours() -> None:
    graph = preset("resnet18")
    original = graph.copy()
    command = edits.delete_with_reconnect(graph, ["layer2.1"])
    assert isinstance(command, Macro) and command.describe(graph) == "Delete layer2.1 and reconnect"
    command.do(graph)
    assert "layer2.1" not in graph
    assert Edge("layer2.0", "out", "layer3.0", "x") in graph.edges
    assert Analyzer(graph, listen=False).analyze().ok  # the network still runs end to end
    command.undo(graph)
    assert graph == original


def test_plain_delete_leaves_the_gap_that_reconnect_closes() -> None:
    graph = preset("resnet18")
    edits.remove_nodes(graph, ["layer2.1"]).do(graph)
    assert not graph.edges_into("layer3.0")


def test_deleting_a_run_of_blocks_joins_what_came_before_to_what_came_after() -> None:
    graph = preset("resnet18")
    command = edits.delete_with_reconnect(graph, ["layer3.1", "layer2.1", "layer3.0"])  # any order
    command.do(graph)
    assert graph.edges_into("layer4.0") == (Edge("layer2.0", "out", "layer4.0", "x"),)
    assert command.describe(graph) == "Delete 3 nodes and reconnect"


def test_a_layer_feeding_a_merge_and_the_next_layer_reconnects_both() -> None:
    graph = expand_all(preset("resnet18"))
    by_name = {n.name: n.id for n in graph.nodes}
    relu, add = by_name["layer1.0.relu2"], by_name["layer1.0.add"]
    conv, merge = by_name["layer1.1.conv1"], by_name["layer1.1.add"]
    original = graph.copy()
    command = edits.delete_with_reconnect(graph, [relu])
    command.do(graph)
    assert graph.edge_into(conv, "x") == Edge(add, "out", conv, "x")
    assert graph.edge_into(merge, "in2") == Edge(add, "out", merge, "in2")  # the skip still starts there
    command.undo(graph)
    assert graph == original


def test_ends_of_the_network_are_deleted_without_anything_to_join() -> None:
    graph = preset("resnet18")
    edits.delete_with_reconnect(graph, ["input"]).do(graph)
    assert not graph.edges_into("stem")
    graph = preset("resnet18")
    edits.delete_with_reconnect(graph, ["output"]).do(graph)
    assert not graph.edges_from("head")


def test_nothing_or_an_unknown_node_is_refused_before_anything_changes() -> None:
    graph = preset("resnet18")
    with pytest.raises(GraphError, match="select the blocks"):
        edits.delete_with_reconnect(graph, [])
    with pytest.raises(UnknownNodeError):
        edits.delete_with_reconnect(graph, ["layer9.9"])
    assert graph == preset("resnet18")


def test_every_single_block_of_a_chain_can_go_with_the_chain_kept_whole() -> None:
    for name in ("layer1.0", "layer2.0", "layer4.1", "stem", "head"):
        graph = preset("resnet18")
        before = [n for n in graph.topological_order() if n != name]
        edits.delete_with_reconnect(graph, [name]).do(graph)
        assert [(e.src, e.dst) for e in sorted(graph.edges, key=lambda e: before.index(e.src))] == list(
            itertools.pairwise(before)
        )


def test_a_lone_node_is_simply_deleted() -> None:
    graph = Graph()
    node = graph.add_node(graph.make_node("ReLU"))
    edits.delete_with_reconnect(graph, [node.id]).do(graph)
    assert len(graph) == 0
