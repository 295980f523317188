"""Layers that together are exactly a flat-named composite's plan (torchvision's stem: conv1, bn1, relu,
maxpool; its head: avgpool, flatten, fc) become that one block, found from the declarations alone."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ...core.analysis import analyze
from ...core.catalogue import BlockSpec, Role, all_specs, get_spec, role_of
from ...core.graph import Graph
from ...core.model import Edge, Node
from ...core.params import Params, ParamValue
from ...core.shapes import TensorInfo

MAX_CANDIDATES = 512
"""Parameter combinations tried per composite and position (the values come from the layers themselves)."""


def collapse_flat_blocks(graph: Graph) -> None:
    """Replace every run of layers that is exactly a flat-named composite block by that block."""
    for spec in all_specs():
        if not (spec.flat_names and spec.plan is not None):
            continue
        changed = True
        while changed:
            changed = _collapse_one(graph, spec)


def _collapse_one(graph: Graph, spec: BlockSpec) -> bool:
    analysis = analyze(graph)
    order = graph.topological_order()
    for start, node_id in enumerate(order):
        shapes = analysis.nodes[node_id].input_shapes
        if len(shapes) != 1 or shapes[0] is None or role_of(graph.node(node_id).type) is Role.INPUT:
            continue
        for params in _candidates(spec, [graph.node(n) for n in order[start : start + 8]]):
            steps = spec.plan(params, (TensorInfo(shapes[0]),)) if spec.plan else ()
            window = [graph.node(n) for n in order[start : start + len(steps)]]
            if (
                len(window) == len(steps)
                and _is_chain(graph, window)
                and all(
                    node.name == step.name
                    and node.type == step.type
                    and node.params == get_spec(step.type).make_params(step.params)
                    for node, step in zip(window, steps)
                )
            ):
                _replace(graph, window, spec, params)
                return True
    return False


def _candidates(spec: BlockSpec, nearby: list[Node]) -> Iterator[Params]:
    """Parameter values to try: every choice, and the numbers the nearby layers use."""
    numbers = [v for node in nearby for v in node.params.values() if not isinstance(v, (bool, str))]
    options: list[list[ParamValue]] = []
    for p in spec.params:
        if p.kind == "choice":
            options.append(list(p.choices))
        elif p.kind == "bool":
            options.append([False, True])
        elif p.kind == "int":
            options.append(list(dict.fromkeys([p.default, *(v for v in numbers if isinstance(v, int))])))
        else:
            options.append(list(dict.fromkeys([p.default, *(float(v) for v in numbers)])))
    for values in itertools.islice(itertools.product(*options), MAX_CANDIDATES):
        try:
            yield spec.make_params(dict(zip((p.name for p in spec.params), values)))
        except Exception:  # a value out of the parameter's range
            continue


def _is_chain(graph: Graph, window: list[Node]) -> bool:
    """Each layer feeds only the next one (the last may feed anything)."""
    for a, b in itertools.pairwise(window):
        if graph.successors(a.id) != (b.id,) or graph.predecessors(b.id) != (a.id,):
            return False
    return len(graph.predecessors(window[0].id)) == 1


def _replace(graph: Graph, window: list[Node], spec: BlockSpec, params: Params) -> None:
    incoming = graph.edges_into(window[0].id)[0]
    outgoing = graph.edges_from(window[-1].id)
    index = graph.index_of(window[0].id)
    for node in window:
        graph.remove_node(node.id)
    block = graph.make_node(spec.type_name, params)
    block = graph.add_node(Node(block.name, block.type, block.name, block.params), index)
    graph.connect(Edge(incoming.src, incoming.src_port, block.id, "x"))
    for edge in outgoing:
        graph.connect(Edge(block.id, "out", edge.dst, edge.dst_port))
