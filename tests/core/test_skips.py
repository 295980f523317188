"""Which edges are skip connections: the shorter branch into each merge, from where the branches fork."""

from __future__ import annotations

from resnet_studio.core.expansion import expand_all
from resnet_studio.core.graph import Graph
from resnet_studio.core.model import Edge
from resnet_studio.core.presets import preset
from resnet_studio.core.skips import bypass_edges, skip_edges


def test_skip_edges_are_the_shorter_branch_into_each_add() -> None:
    graph = expand_all(preset("resnet18"))
    skips = skip_edges(graph)
    assert Edge("stem.maxpool", "out", "layer1.0.add", "in2") in skips  # identity
    assert Edge("layer1.0.bn2", "out", "layer1.0.add", "in1") not in skips
    projection = {
        Edge("layer1.1.relu2", "out", "layer2.0.downsample.0", "x"),
        Edge("layer2.0.downsample.0", "out", "layer2.0.downsample.1", "x"),
        Edge("layer2.0.downsample.1", "out", "layer2.0.add", "in2"),
    }
    assert projection <= skips
    assert len([e for e in skips if e.dst.endswith(".add")]) == 8  # one per block


def test_a_symmetric_merge_has_no_skip() -> None:
    g = Graph()
    for node_id, block in (("input", "Input"), ("a", "ReLU"), ("b", "ReLU"), ("add", "Add")):
        g.add_node(g.make_node(block, name=node_id, node_id=node_id))
    for src, dst, port in (
        ("input", "a", "x"),
        ("input", "b", "x"),
        ("a", "add", "in1"),
        ("b", "add", "in2"),
    ):
        g.connect(Edge(src, "out", dst, port))
    assert bypass_edges(g, "add") == set()
    assert skip_edges(g) == set()


def test_a_merge_with_one_input_has_no_skip() -> None:
    g = Graph()
    for node_id, block in (("input", "Input"), ("add", "Add")):
        g.add_node(g.make_node(block, name=node_id, node_id=node_id))
    g.connect(Edge("input", "out", "add", "in1"))
    assert skip_edges(g) == set()


def test_skips_without_blocks_without_merges() -> None:
    assert skip_edges(preset("resnet18")) == set()  # the blocks draw their skips on their cards
