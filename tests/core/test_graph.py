"""Graph mutations succeed or raise a typed error; changes are announced with signals."""

from __future__ import annotations

import pytest

from resnet_studio.core import (
    CycleError,
    DuplicateNodeError,
    Edge,
    Graph,
    InputCountError,
    NotConnectedError,
    ParameterError,
    PortOccupiedError,
    UnknownBlockError,
    UnknownNodeError,
    UnknownPortError,
)


@pytest.fixture
def chain() -> Graph:
    graph = Graph()
    for block, name in (("Input", "input"), ("Conv2d", "conv"), ("ReLU", "relu"), ("Add", "add")):
        graph.add_node(graph.make_node(block, name=name, node_id=name))
    graph.connect(Edge("input", "out", "conv", "x"))
    graph.connect(Edge("conv", "out", "relu", "x"))
    return graph


def test_cycle_is_refused(chain: Graph) -> None:
    chain.disconnect(Edge("input", "out", "conv", "x"))
    chain.connect(Edge("relu", "out", "add", "in1"))
    with pytest.raises(CycleError, match="would make a loop: conv already feeds add"):
        chain.connect(Edge("add", "out", "conv", "x"))
    assert chain.edge_into("conv", "x") is None


def test_self_loop_is_refused(chain: Graph) -> None:
    chain.disconnect(Edge("conv", "out", "relu", "x"))
    with pytest.raises(CycleError, match="cannot feed itself"):
        chain.connect(Edge("relu", "out", "relu", "x"))


def test_occupied_port_is_refused(chain: Graph) -> None:
    with pytest.raises(PortOccupiedError, match="already connected to input"):
        chain.connect(Edge("relu", "out", "conv", "x"))


def test_unknown_node_and_port(chain: Graph) -> None:
    with pytest.raises(UnknownNodeError, match="no node 'nope'"):
        chain.connect(Edge("nope", "out", "conv", "x"))
    with pytest.raises(UnknownPortError, match="no input port 'in3'"):
        chain.connect(Edge("relu", "out", "add", "in3"))
    with pytest.raises(UnknownPortError, match="no output port"):
        chain.connect(Edge("relu", "x", "add", "in1"))
    with pytest.raises(UnknownPortError, match="takes no input"):
        chain.connect(Edge("relu", "out", "input", "x"))


def test_add_inputs_cannot_drop_a_connected_port(chain: Graph) -> None:
    chain.set_param("add", "inputs", 3)
    chain.connect(Edge("relu", "out", "add", "in3"))
    with pytest.raises(InputCountError, match="in3"):
        chain.set_param("add", "inputs", 2)
    with pytest.raises(ParameterError, match="from 2 to 8"):
        chain.set_param("add", "inputs", 1)


def test_parameters_are_validated(chain: Graph) -> None:
    with pytest.raises(ParameterError, match="Stride: expected an integer from 1 to 16, found 0"):
        chain.set_param("conv", "stride", 0)
    with pytest.raises(ParameterError, match="found True"):
        chain.set_param("conv", "stride", True)
    with pytest.raises(ParameterError, match="no parameter 'speed'"):
        chain.set_param("conv", "speed", 1)
    assert chain.node("conv").params["stride"] == 1


def test_names_and_ids_are_unique(chain: Graph) -> None:
    with pytest.raises(DuplicateNodeError):
        chain.rename("relu", "conv")
    with pytest.raises(DuplicateNodeError):
        chain.add_node(chain.make_node("ReLU", name="fresh", node_id="relu"))
    with pytest.raises(UnknownBlockError, match="Conv3d"):
        chain.make_node("Conv3d")


def test_disconnecting_a_missing_edge_raises(chain: Graph) -> None:
    with pytest.raises(NotConnectedError):
        chain.disconnect(Edge("input", "out", "relu", "x"))


def test_signals_announce_every_change(chain: Graph) -> None:
    seen: list[str] = []
    chain.node_added.connect(lambda n: seen.append(f"+{n.id}"))
    chain.node_removed.connect(lambda n: seen.append(f"-{n.id}"))
    chain.edge_added.connect(lambda e: seen.append(f"+{e}"))
    chain.edge_removed.connect(lambda e: seen.append(f"-{e}"))
    chain.node_changed.connect(lambda old, new: seen.append(f"~{new.id}"))
    chain.set_param("conv", "stride", 2)
    chain.remove_node("conv")
    assert seen == ["~conv", "-input.out -> conv.x", "-conv.out -> relu.x", "-conv"]


def test_topological_order_is_deterministic(chain: Graph) -> None:
    assert chain.topological_order() == ("input", "conv", "relu", "add")
    assert chain.copy().topological_order() == chain.topological_order()


def test_make_node_picks_free_readable_ids_and_names(chain: Graph) -> None:
    node = chain.make_node("Conv2d")
    assert node.id == "conv_1" and node.name == "conv2"


def test_new_stages_are_numbered_from_one_as_torchvision_names_them() -> None:
    graph = Graph()
    first = graph.add_node(graph.make_node("Stage"))
    second = graph.add_node(graph.make_node("Stage"))
    assert (first.name, second.name) == ("layer1", "layer2")  # was layer, layer2
    graph.remove_node(first.id)
    assert graph.make_node("Stage").name == "layer1"  # a freed number is used again
    assert graph.make_node("Conv2d").name == "conv"  # other blocks: the bare name first, as before


def test_topological_order_and_descendants_match_networkx_on_random_networks() -> None:
    import random

    import networkx as nx

    rng = random.Random(7)
    for _ in range(30):
        graph = Graph()
        graph.add_node(graph.make_node("Input", node_id="n0"))
        reference = nx.MultiDiGraph()
        reference.add_node("n0")
        for i in range(1, 25):
            node_id = f"n{i}"
            add = i > 2 and rng.random() < 0.3
            graph.add_node(graph.make_node("Add" if add else "ReLU", node_id=node_id))
            reference.add_node(node_id)
            sources = rng.sample(range(i), 2) if add else [rng.randrange(i)]
            for port, src in zip(("in1", "in2") if add else ("x",), sources, strict=True):
                graph.connect(Edge(f"n{src}", "out", node_id, port))
                reference.add_edge(f"n{src}", node_id)
        # As text the ids sort otherwise (n10 before n2): ties must follow insertion order.
        index = {node_id: k for k, node_id in enumerate(n.id for n in graph)}
        expected = tuple(nx.lexicographical_topological_sort(reference, key=index.__getitem__))
        assert graph.topological_order() == expected
        for node in graph:
            assert graph.descendants(node.id) == nx.descendants(reference, node.id)
