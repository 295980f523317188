"""Would a connection work? The reason a port glows or dims while the user drags a link."""

from __future__ import annotations

from ..catalogue import LayerProblem, evaluate, get_spec
from ..graph import Graph
from ..model import Edge
from ..shapes import Shape, TensorInfo, format_shape
from .results import Analysis


def connection_problem(graph: Graph, analysis: Analysis, edge: Edge) -> str | None:
    """None when `edge` can be added and its shapes fit; else the reason (cycle, port taken, shape mismatch).

    A merge (Add) that its other inputs already break does not blame a new input that matches one of them: the
    reason then names the shapes it is given."""
    reason = graph.can_connect(edge)
    if reason is not None:
        return reason
    reason = _shape_problem(graph, analysis, edge)
    if reason is None:
        return None
    dst = graph.node(edge.dst)
    spec = get_spec(dst.type)
    source = analysis.nodes.get(edge.src)
    if spec.variadic_inputs is None or source is None or source.output_shape is None:
        return reason
    others = [
        analysis.nodes[e.src].output_shape
        for e in graph.edges_into(dst.id)
        if e.dst_port != edge.dst_port and e.src in analysis.nodes
    ]
    known: list[Shape] = [s for s in others if s is not None]
    pair = dst.params.replace(**{spec.variadic_inputs: 2})
    for shape in known:
        try:
            evaluate(dst.type, pair, (TensorInfo(source.output_shape), TensorInfo(shape)))
        except LayerProblem:
            continue
        return None  # fits an input already there: the others are what is wrong
    if not known:
        return reason
    given = ", ".join(sorted({format_shape(s) for s in known}))
    return (
        f"{dst.name} needs inputs of one shape: {graph.node(edge.src).name} gives "
        f"{format_shape(source.output_shape)}, its other inputs give {given}"
    )


def _shape_problem(graph: Graph, analysis: Analysis, edge: Edge) -> str | None:
    """Why the destination could not run on the source's shape and its other inputs, if it could not."""
    src = analysis.nodes.get(edge.src)
    if src is None or src.output_shape is None:
        return None  # nothing known upstream yet: allow the connection
    dst = graph.node(edge.dst)
    spec = get_spec(dst.type)
    inputs: list[TensorInfo] = []
    for port in spec.input_ports(dst.params):
        if port == edge.dst_port:
            inputs.append(TensorInfo(src.output_shape))
            continue
        other = graph.edge_into(dst.id, port)
        shape = (
            analysis.nodes[other.src].output_shape
            if other is not None and other.src in analysis.nodes
            else None
        )
        if shape is None:
            if spec.variadic_inputs is None:
                return None
            continue  # Add: compare with the inputs that are known
        inputs.append(TensorInfo(shape))
    try:
        evaluate(dst.type, dst.params, tuple(inputs))
    except LayerProblem as failure:
        return failure.problem.message
    return None
