"""Big networks stay linear whatever their order: counted in loop-search steps, not timed (bench/ times them)."""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from types import FrameType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import Edge, Graph, Node, analyze
from resnet_studio.core.layout import (
    CARD_HEIGHT,
    CARD_WIDTH,
    COLUMN_GAP,
    ROW_GAP,
    layered_layout,
    network_layout,
)
from resnet_studio.core.project import Project, from_bytes, to_json

N = 20_000


def chain_parts(n: int) -> tuple[list[Node], list[Edge]]:
    """Input -> n-2 ReLUs -> Output, upstream first."""
    scratch = Graph()
    nodes = [scratch.make_node("Input", node_id="n0", name="n0")]
    nodes += [scratch.make_node("ReLU", node_id=f"n{i}", name=f"n{i}") for i in range(1, n - 1)]
    nodes.append(scratch.make_node("Output", node_id=f"n{n - 1}", name=f"n{n - 1}"))
    edges = [Edge(f"n{i}", "out", f"n{i + 1}", "x") for i in range(n - 1)]
    return nodes, edges


def test_loading_a_reversed_chain_checks_loops_in_linear_work() -> None:
    nodes, edges = chain_parts(N)
    graph = Graph()
    graph.extend(nodes[::-1], edges[::-1])  # downstream first: the file lists every connection last to first
    text = to_json(Project(graph))
    assert text.index('"n1", "src_port"') > text.index('"n2", "src_port"')  # saved last to first as well
    loaded = from_bytes(text.encode()).graph
    assert loaded == graph
    assert loaded.loop_search_steps <= 2 * N


def test_connecting_a_chain_downstream_first_one_edge_at_a_time_is_linear() -> None:
    nodes, edges = chain_parts(N)
    graph = Graph()
    for node in reversed(nodes):
        graph.add_node(node)
    for edge in reversed(edges):  # each new edge joins a lone node to the chain built so far
        graph.connect(edge)
    assert graph.loop_search_steps <= 4 * N


def test_connecting_a_chain_in_random_order_is_n_log_n() -> None:
    nodes, edges = chain_parts(N)
    graph = Graph()
    for node in nodes:
        graph.add_node(node)
    shuffled = edges[:]
    random.Random(3).shuffle(shuffled)
    for edge in shuffled:  # each search ends when the shorter of the two joined pieces is explored
        graph.connect(edge)
    assert graph.loop_search_steps <= 4 * N * math.log2(N)


def test_a_loop_among_many_edges_is_refused_at_the_edge_that_closes_it() -> None:
    nodes, edges = chain_parts(2_000)
    graph = Graph()
    for node in nodes:
        graph.add_node(node)
    back = Edge("n1500", "out", "n10", "x")  # n10's input comes from downstream instead of from n9
    refused = graph.add_edges([*edges[:9], back, *edges[10:]])
    assert [(i, type(e).__name__) for i, e in refused] == [(1499, "CycleError")]
    assert "connecting n1499 to n1500 would make a loop" in str(refused[0][1])
    assert graph.edge_into("n1500", "x") is None and graph.edge_into("n10", "x") == back


def test_free_ids_and_names_are_reused_as_before() -> None:
    graph = Graph()
    first = [graph.add_node(graph.make_node("ReLU")) for _ in range(5)]
    assert [n.id for n in first] == [f"relu_{i}" for i in range(1, 6)]
    assert [n.name for n in first] == ["relu", "relu2", "relu3", "relu4", "relu5"]
    graph.remove_node("relu_2")
    graph.rename("relu_4", "other")
    again = graph.add_node(graph.make_node("ReLU"))
    assert (again.id, again.name) == ("relu_2", "relu2")
    assert graph.make_node("ReLU").name == "relu4"


def _reference_layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """The layout rule written the obvious (quadratic) way."""
    order = graph.topological_order()
    index = {n: i for i, n in enumerate(order)}
    layer: dict[str, int] = {}
    for n in order:
        layer[n] = max((layer[p] + 1 for p in graph.predecessors(n)), default=0)
    column: dict[str, int] = {}
    for depth in sorted(set(layer.values())):
        members = [n for n in order if layer[n] == depth]

        def bary(n: str) -> float:
            preds = graph.predecessors(n)
            return sum(column[p] for p in preds) / len(preds) if preds else 0.0

        members.sort(key=lambda n: (bary(n), index[n]))
        taken: set[int] = set()
        for n in members:
            slot = round(bary(n))
            while slot in taken:
                slot += 1
            taken.add(slot)
            column[n] = slot
    return {n: (column[n] * (CARD_WIDTH + COLUMN_GAP), layer[n] * (CARD_HEIGHT + ROW_GAP)) for n in order}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_layout_places_every_node_as_the_simple_rule_does(data: st.DataObject) -> None:
    graph = Graph()
    ids = [graph.add_node(graph.make_node("Input")).id]
    for _ in range(data.draw(st.integers(1, 25))):
        kind = data.draw(st.sampled_from(["ReLU", "Add", "Input"]))
        node = graph.add_node(graph.make_node(kind))
        for port in graph.input_ports(node.id):
            graph.connect(Edge(data.draw(st.sampled_from(ids)), "out", node.id, port))
        ids.append(node.id)
    assert layered_layout(graph) == _reference_layout(graph)


def test_layout_of_a_very_wide_layer_takes_each_column_once() -> None:
    graph = Graph()
    for _ in range(N):
        graph.add_node(graph.make_node("Input"))
    columns = sorted(x for x, _ in layered_layout(graph).values())
    assert columns == [i * (CARD_WIDTH + COLUMN_GAP) for i in range(N)]


def executed_lines(fn: Callable[[], object]) -> int:
    """Python lines executed by fn(), a measure of work that does not depend on the machine's speed."""
    count = 0

    def trace(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def test_building_saving_loading_and_laying_out_grow_linearly_whatever_the_order() -> None:
    """Work per node at 4,000 nodes over work per node at 1,000: about 1 if linear, 4 if quadratic."""

    def steps(n: int) -> dict[str, int]:
        nodes, edges = chain_parts(n)
        nodes, edges = nodes[::-1], edges[::-1]
        graph = Graph()
        work = {"build": executed_lines(lambda: graph.extend(nodes, edges))}
        text = ""

        def save() -> None:
            nonlocal text
            text = to_json(Project(graph))

        work["save"] = executed_lines(save)
        work["load"] = executed_lines(lambda: from_bytes(text.encode()))
        work["analyse"] = executed_lines(lambda: analyze(graph))
        work["layout"] = executed_lines(lambda: layered_layout(graph))
        work["auto layout"] = executed_lines(lambda: network_layout(graph))
        return work

    small, large = steps(1_000), steps(4_000)
    growth = {step: (large[step] / 4_000) / (small[step] / 1_000) for step in small}
    assert all(ratio < 1.5 for ratio in growth.values()), growth


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["resnet18", "resnet50", "resnet20", "resnext50_32x4d"]), st.booleans(), st.data())
def test_the_size_of_a_packing_is_measured_exactly_without_building_it(
    name: str, expanded: bool, data: st.DataObject
) -> None:
    from resnet_studio.core import preset
    from resnet_studio.core.expansion import expand_all
    from resnet_studio.core.layout import _pack, _segments, _size, _Sizes, _width
    from resnet_studio.core.stages import find_stages

    graph = expand_all(preset(name)) if expanded else preset(name)
    plan = find_stages(graph, None)
    segments = _segments(graph, plan)
    widths = {id(group): _width(group) for _, groups in segments for group in groups}
    sizes = _Sizes(segments, bool(plan.stages), widths)
    total = sum(len(group) for _, groups in segments for group in groups)
    for limit in data.draw(st.lists(st.integers(1, total), min_size=1, max_size=20)):
        assert sizes.of(limit) == _size(_pack(segments, limit, bool(plan.stages), widths))


def test_auto_layout_of_a_long_chain_wraps_into_columns_that_fill_a_slide() -> None:
    nodes, edges = chain_parts(N)
    graph = Graph()
    graph.extend(nodes, edges)
    layout = network_layout(graph)
    columns = {x for x, _ in layout.positions.values()}
    assert len(layout.positions) == N and 20 < len(columns) < 2_000
    assert 0.5 < (layout.width / layout.height) / (16 / 9) < 2.0
