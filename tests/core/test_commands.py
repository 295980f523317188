"""Every edit is a reversible command: undoing any sequence restores the graph exactly; files round-trip."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import Analyzer, Edge, Graph, edits, get_spec, preset
from resnet_studio.core.commands import (
    AddNode,
    Command,
    Connect,
    Disconnect,
    Macro,
    MoveNodes,
    RemoveNode,
    Rename,
    SetParam,
)
from resnet_studio.core.errors import GraphError
from resnet_studio.core.project import Project, from_bytes, to_json

from .strategies import PRIMITIVES, random_value


def test_each_command_type_undoes_and_redoes() -> None:
    graph = preset("resnet18")
    original = graph.copy()
    node = graph.make_node("ReLU", position=(10, 10))
    commands: list[Command] = [
        AddNode(node),
        Connect(Edge("layer1.0", "out", node.id, "x")),
        Disconnect(Edge("layer1.0", "out", node.id, "x")),
        SetParam("layer2.0", "stride", 1),
        Rename("layer2.0", "second stage"),
        MoveNodes({"layer2.0": (5.0, 6.0)}),
        RemoveNode("layer3.0"),
        Macro("two things", [SetParam("head", "num_classes", 10), Rename("head", "classifier")]),
    ]
    states = [graph.copy()]
    for command in commands:
        command.do(graph)
        states.append(graph.copy())
    for command, state in zip(reversed(commands), reversed(states[:-1])):
        command.undo(graph)
        assert graph == state
    assert graph == original
    for command, state in zip(commands, states[1:]):
        command.do(graph)
        assert graph == state


def test_macro_is_all_or_nothing() -> None:
    graph = preset("resnet18")
    original = graph.copy()
    bad = Macro("half", [SetParam("head", "num_classes", 10), Connect(Edge("output", "out", "input", "x"))])
    with contextlib.suppress(GraphError):
        bad.do(graph)
    assert graph == original


def test_drag_moves_merge_into_one_step() -> None:
    graph = preset("resnet18")
    start = graph.node("layer1.0").position
    first = MoveNodes({"layer1.0": (1.0, 1.0)}, drag="drag-1")
    first.do(graph)
    for x in range(2, 30):
        later = MoveNodes({"layer1.0": (float(x), 1.0)}, drag="drag-1")
        later.do(graph)
        assert first.merge(later)
    assert not first.merge(MoveNodes({"layer1.0": (0.0, 0.0)}, drag="drag-2"))
    first.undo(graph)
    assert graph.node("layer1.0").position == start


def test_undo_text_names_the_node() -> None:
    graph = preset("resnet18")
    assert SetParam("layer2.0", "stride", 1).describe(graph) == "Set stride of layer2.0"
    assert RemoveNode("layer3.0").describe(graph) == "Delete layer3.0"


def _random_command(data: st.DataObject, graph: Graph, analyzer: Analyzer) -> Command | None:
    ids = [n.id for n in graph.nodes]
    kind = data.draw(
        st.sampled_from(
            [
                "add",
                "remove",
                "remove_reconnect",
                "connect",
                "disconnect",
                "param",
                "rename",
                "move",
                "explode",
                "paste",
                "insert",
                "fix",
                "layout",
            ]
        )
    )
    if kind == "add" or not ids:
        block = data.draw(st.sampled_from(PRIMITIVES))
        return edits.add_node(
            graph, block, (data.draw(st.floats(-500, 500)), data.draw(st.floats(-500, 500)))
        )
    node_id = data.draw(st.sampled_from(ids))
    node = graph.node(node_id)
    spec = get_spec(node.type)
    if kind == "remove":
        return edits.remove_nodes(graph, data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3)))
    if kind == "remove_reconnect":
        chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))
        return edits.delete_with_reconnect(graph, chosen)
    if kind == "connect":
        dst = data.draw(st.sampled_from(ids))
        ins, outs = graph.input_ports(dst), spec.outputs
        if not ins or not outs:
            return None
        return edits.connect(graph, Edge(node_id, outs[0], dst, data.draw(st.sampled_from(ins))))
    if kind == "disconnect":
        edges = graph.edges
        return Disconnect(data.draw(st.sampled_from(edges))) if edges else None
    if kind == "param":
        if not spec.params:
            return None
        param = data.draw(st.sampled_from(spec.params))
        return SetParam(node_id, param.name, random_value(data, param))
    if kind == "rename":
        return Rename(node_id, data.draw(st.text(min_size=1, max_size=12)))
    if kind == "move":
        return MoveNodes({node_id: (data.draw(st.floats(-1e4, 1e4)), data.draw(st.floats(-1e4, 1e4)))})
    if kind == "explode":
        return edits.explode(graph, analyzer.analyze(), node_id)
    if kind == "paste":
        fragment = edits.copy_fragment(graph, data.draw(st.lists(st.sampled_from(ids), max_size=4)))
        return edits.paste(graph, fragment)[0]
    if kind == "insert":
        edges = graph.edges
        if not edges:
            return None
        return edits.insert_on_edge(graph, data.draw(st.sampled_from(edges)), "ReLU", (0.0, 0.0))
    if kind == "fix":
        fixable = [d for d in analyzer.analyze().diagnostics if d.fix is not None]
        return edits.apply_fix(graph, data.draw(st.sampled_from(fixable))) if fixable else None
    return edits.auto_layout(graph, analyzer.analyze() if data.draw(st.booleans()) else None)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.data(), st.sampled_from(["resnet18", "resnet20", "empty"]))
def test_undoing_any_edit_sequence_restores_the_graph_and_files_round_trip(
    data: st.DataObject, start: str
) -> None:
    graph = Graph() if start == "empty" else preset(start)
    analyzer = Analyzer(graph)
    original = graph.copy()
    original_text = to_json(Project(graph))
    done: list[tuple[Command, Graph]] = []
    for _ in range(data.draw(st.integers(1, 12))):
        try:
            command = _random_command(data, graph, analyzer)
            if command is None:
                continue
            before = graph.copy()
            command.do(graph)
        except GraphError:
            continue  # refused edits change nothing (checked below via the undo chain)
        done.append((command, before))
        analysis = analyzer.analyze()  # the incremental analysis stays equal to a full one
        assert analysis.totals == Analyzer(graph.copy(), listen=False).analyze().totals
    final = graph.copy()
    text = to_json(Project(graph))
    assert from_bytes(text.encode()).graph == final
    json.loads(text)
    for command, before in reversed(done):
        command.undo(graph)
        assert graph == before
    assert graph == original
    assert to_json(Project(graph)) == original_text  # undo restores the file byte for byte
    for command, _ in done:
        command.do(graph)
    assert graph == final
    assert to_json(Project(graph)) == text


def test_undoing_the_removal_of_several_nodes_restores_the_file_byte_for_byte() -> None:
    graph = preset("resnet18")
    for node_id in ("layer1.0", "layer2.0"):  # feed Adds so that inputs of other nodes go and come back
        graph.set_param(node_id, "skip", False)
    add = graph.make_node("Add", {"inputs": 3})
    graph.add_node(add)
    for port, source in (("in1", "layer1.1"), ("in2", "layer2.1"), ("in3", "stem")):
        graph.connect(Edge(source, "out", add.id, port))
    before = to_json(Project(graph))
    command = edits.remove_nodes(graph, ["layer1.1", "stem", "layer2.1", "input"])
    command.do(graph)
    command.undo(graph)
    assert to_json(Project(graph)) == before


def test_connecting_in_any_order_saves_the_same_file() -> None:
    graphs = []
    for order in (("in1", "in2", "in3"), ("in3", "in1", "in2")):
        graph = Graph()
        sources = [graph.add_node(graph.make_node("Input", name=f"x{i}")) for i in range(3)]
        add = graph.add_node(graph.make_node("Add", {"inputs": 3}, name="sum"))
        for port in order:
            graph.connect(Edge(sources[int(port[2]) - 1].id, "out", add.id, port))
        graphs.append(to_json(Project(graph)))
    assert graphs[0] == graphs[1]
