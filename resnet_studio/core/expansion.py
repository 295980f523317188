"""Expanding composite blocks into the layers they are made of (the plan declared in the catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import analyze
from .catalogue import Step, get_spec
from .errors import GraphError
from .graph import Graph
from .layout import layered_layout, network_layout
from .model import Edge, Node
from .shapes import Shape, TensorInfo


@dataclass(frozen=True)
class Expansion:
    """The layers that replace one composite node: new nodes, their edges, where the input enters and where the
    output leaves."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    entry: tuple[tuple[str, str], ...]
    """(node id, input port) pairs that receive the block's input."""
    exit: str
    """Id of the node whose output is the block's output."""


def plan_for(node: Node, input_shape: Shape) -> tuple[Step, ...]:
    """The steps of a composite node with this input shape (empty for primitives)."""
    spec = get_spec(node.type)
    if spec.plan is None:
        return ()
    return spec.plan(node.params, (TensorInfo(input_shape),))


def child_name(graph: Graph, node: Node, local: str, taken: set[str]) -> str:
    """The name of an expanded layer: torchvision's ('layer1.0.conv1'; 'conv1' for the stem and head)."""
    spec = get_spec(node.type)
    candidates = [local, f"{node.name}.{local}"] if spec.flat_names else [f"{node.name}.{local}"]
    for name in candidates:
        if name not in taken and not _name_taken(graph, name, node):
            return name
    base = candidates[-1]
    n = 2
    while f"{base}_{n}" in taken or _name_taken(graph, f"{base}_{n}", node):
        n += 1
    return f"{base}_{n}"


def _name_taken(graph: Graph, name: str, replaced: Node) -> bool:
    try:
        return graph.node_by_name(name).id != replaced.id
    except GraphError:
        return False


def expand_node(graph: Graph, node_id: str, input_shape: Shape | None) -> Expansion:
    """The layers that make up a composite node, named and laid out where the node stands."""
    node = graph.node(node_id)
    spec = get_spec(node.type)
    if spec.plan is None:
        raise GraphError(f"{node.name} is a single {node.type} layer; there is nothing to expand")
    if input_shape is None:
        raise GraphError(
            f"{node.name} can be expanded once its input shape is known; connect its input first"
        )
    steps = plan_for(node, input_shape)
    taken: set[str] = set()
    ids: dict[str, str] = {}
    nodes: list[Node] = []
    for step in steps:
        name = child_name(graph, node, step.name, taken)
        taken.add(name)
        new_id = f"{node.id}.{step.name}"
        n = 2
        while new_id in graph or new_id in ids.values():
            new_id = f"{node.id}.{step.name}_{n}"
            n += 1
        ids[step.name] = new_id
        nodes.append(
            Node(new_id, step.type, name, get_spec(step.type).make_params(step.params), expanded_from=node)
        )
    edges: list[Edge] = []
    entry: list[tuple[str, str]] = []
    for step, child in zip(steps, nodes):
        ports = get_spec(step.type).input_ports(child.params)
        for port, source in zip(ports, step.inputs):
            if source == "":
                entry.append((child.id, port))
            else:
                edges.append(Edge(ids[source], "out", child.id, port))
    nodes = _place(nodes, edges, node)
    return Expansion(tuple(nodes), tuple(edges), tuple(entry), ids[steps[-1].name])


def _place(nodes: list[Node], edges: list[Edge], around: Node) -> list[Node]:
    scratch = Graph()
    scratch.extend(nodes, edges)
    positions = layered_layout(scratch, around.position)
    return [n.moved(positions[n.id]) for n in nodes]


def expand_all(graph: Graph, input_shape: tuple[int, int, int] | None = None) -> Graph:
    """A copy of the network with every composite block expanded down to primitive layers."""
    result = graph.copy()
    while True:
        analysis = analyze(result, input_shape)
        composites = [n for n in result.nodes if get_spec(n.type).is_composite]
        if not composites:
            break
        progressed = False
        for node in composites:
            shapes = analysis.nodes[node.id].input_shapes
            if not shapes or shapes[0] is None:
                continue  # unknown input: leave the block as it is
            replace_with_expansion(result, node.id, expand_node(result, node.id, shapes[0]))
            progressed = True
        if not progressed:
            break
    outputs = {node_id: r.output_shape for node_id, r in analyze(result, input_shape).nodes.items()}
    for node_id, position in network_layout(result, outputs).positions.items():
        result.move(node_id, position)
    return result


def replace_with_expansion(graph: Graph, node_id: str, expansion: Expansion) -> None:
    """Swap a node for its expansion directly (no undo; the editor uses the explode command instead)."""
    incoming = graph.edges_into(node_id)
    outgoing = graph.edges_from(node_id)
    graph.remove_node(node_id)
    graph.extend(expansion.nodes, expansion.edges)
    for edge in incoming:
        for child, port in expansion.entry:
            graph.connect(Edge(edge.src, edge.src_port, child, port))
    for edge in outgoing:
        graph.connect(Edge(expansion.exit, "out", edge.dst, edge.dst_port))
