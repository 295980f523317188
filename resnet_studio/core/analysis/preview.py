"""Would a connection work? The reason a port glows or dims while the user drags a link."""

from __future__ import annotations

from ..catalogue import LayerProblem, evaluate, get_spec
from ..graph import Graph
from ..model import Edge
from ..shapes import TensorInfo
from .results import Analysis


def connection_problem(graph: Graph, analysis: Analysis, edge: Edge) -> str | None:
    """None when `edge` can be added and its shapes fit; else the reason (cycle, port taken, shape mismatch)."""
    reason = graph.can_connect(edge)
    if reason is not None:
        return reason
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
