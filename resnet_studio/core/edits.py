"""Builders for the edits a user makes: each returns one Command (often a Macro) ready for the undo stack."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .analysis import Analysis, Diagnostic
from .catalogue import get_spec
from .commands import AddNode, Command, Connect, Disconnect, Macro, MoveNodes, RemoveNode, SetParams
from .errors import GraphError
from .expansion import expand_node, plan_for
from .graph import Graph
from .layout import CARD_HEIGHT, CARD_WIDTH, ROW_GAP, STAGE_BAND, network_layout
from .model import Edge, GraphSnapshot, Node, Position
from .params import Params
from .stages import starts_stage


def add_node(
    graph: Graph, block_type: str, position: Position, params: Mapping[str, object] | None = None
) -> AddNode:
    """Add a new block with default parameters at a position."""
    return AddNode(graph.make_node(block_type, params, position=position))


def remove_nodes(graph: Graph, node_ids: Iterable[str]) -> Command:
    """Delete nodes together with their connections."""
    ids = [n for n in dict.fromkeys(node_ids)]
    for node_id in ids:
        graph.node(node_id)
    if len(ids) == 1:
        return RemoveNode(ids[0])
    return Macro(f"Delete {len(ids)} nodes", [RemoveNode(n) for n in ids])


def add_connected(
    graph: Graph, block_type: str, position: Position, link: Edge, fixed_output: bool
) -> tuple[Macro, str]:
    """Add a block joined to the loose end of a link being dragged; returns the command and the new node's id.

    `fixed_output`: the link starts at an output (link.src, link.src_port), so the new block's first input takes
    it; otherwise the link ends at an input (link.dst, link.dst_port), fed by the new block's output."""
    node = graph.make_node(block_type, position=position)
    spec = get_spec(block_type)
    edge: Edge | None = None
    if fixed_output:
        ports = spec.input_ports(node.params)
        edge = Edge(link.src, link.src_port, node.id, ports[0]) if ports else None
    elif spec.outputs:
        edge = Edge(node.id, spec.outputs[0], link.dst, link.dst_port)
    commands: list[Command] = [AddNode(node)]
    if edge is not None:
        commands.append(Connect(edge))
    return Macro(f"Add {node.name}", commands), node.id


def add_after(graph: Graph, node_id: str, block_type: str) -> tuple[Macro, str]:
    """A new block fed by a block's output, one row below it (Tab on the canvas builds a chain so); returns the
    command and the new node's id.

    It goes into the block's one connection onwards, or onto its free output; a block with no output of its own
    (an Output) always joins the output, beside what it feeds. The cards below in the column move down a row when
    the new one needs their place. Raises GraphError when it cannot go there (the block feeds several, or one of
    the two has no port for it)."""
    source = graph.node(node_id)
    spec, source_spec = get_spec(block_type), get_spec(source.type)
    x, y = source.position
    row = CARD_HEIGHT + ROW_GAP
    name = graph.unique_name(spec.node_name, spec.numbered_names)
    if starts_stage(name, source.name):
        row += STAGE_BAND  # room for the new stage's label above it, as the layout leaves
    node = graph.make_node(block_type, name=name, position=(x, y + row))
    ports = spec.input_ports(node.params)
    if not source_spec.outputs or not ports:
        missing = (
            f"{source.name} has no output" if not source_spec.outputs else f"a {block_type} has no input"
        )
        raise GraphError(f"{missing}: it cannot go after {source.name}")
    onwards = graph.edges_from(node_id)
    commands: list[Command]
    if len(onwards) == 1 and spec.outputs:
        edge = onwards[0]
        commands = [
            Disconnect(edge),
            AddNode(node),
            Connect(Edge(node_id, edge.src_port, node.id, ports[0])),
            Connect(Edge(node.id, spec.outputs[0], edge.dst, edge.dst_port)),
        ]
        text = f"Insert {node.name}"
    elif not onwards or not spec.outputs:
        commands = [AddNode(node), Connect(Edge(node_id, source_spec.outputs[0], node.id, ports[0]))]
        text = f"Add {node.name}"
    else:
        raise GraphError(
            f"{source.name} feeds several blocks: drop the new one onto the connection it goes into"
        )
    below = [
        n
        for n in graph.nodes
        if n.id != node_id and abs(n.position[0] - x) < CARD_WIDTH and n.position[1] > y
    ]
    if any(n.position[1] < y + 2 * row for n in below):  # the new card's place, and a row's gap after it
        commands.append(MoveNodes({n.id: (n.position[0], n.position[1] + row) for n in below}))
    return Macro(text, commands), node.id


def delete(
    graph: Graph, node_ids: Iterable[str], edges: Iterable[Edge] = (), text: str = ""
) -> Command | None:
    """Delete nodes (with their connections) and loose connections as one step; None when there is nothing."""
    ids = [n for n in dict.fromkeys(node_ids) if n in graph]
    loose = [e for e in dict.fromkeys(edges) if e.src not in ids and e.dst not in ids]
    if not ids and not loose:
        return None
    commands: list[Command] = [Disconnect(e) for e in loose]
    commands += [RemoveNode(n) for n in ids]
    if len(commands) == 1 and not text:
        return commands[0]
    count = len(ids) + len(loose)
    things = "nodes" if not loose else "items"
    return Macro(text or f"Delete {count} {things}", commands)


def relink(graph: Graph, old: Edge, new: Edge) -> Macro:
    """Move the input end of a connection to another port (one step); checked before anything changes."""
    scratch = graph.copy()
    scratch.disconnect(old)
    scratch.check_connect(new)
    return Macro(f"Reconnect to {graph.node(new.dst).name}", [Disconnect(old), Connect(new)])


def detach(graph: Graph, node_id: str) -> Macro | None:
    """Lift a node out of its chain: disconnect it and join its (first) input to everything it fed."""
    inputs, outputs = graph.edges_into(node_id), graph.edges_from(node_id)
    if not inputs and not outputs:
        return None
    commands: list[Command] = [Disconnect(e) for e in (*inputs, *outputs)]
    if inputs:
        first = inputs[0]
        commands += [Connect(Edge(first.src, first.src_port, e.dst, e.dst_port)) for e in outputs]
    return Macro(f"Detach {graph.node(node_id).name}", commands)


def delete_with_reconnect(graph: Graph, node_ids: Iterable[str]) -> Macro:
    """Delete nodes and close the gap they leave: what fed them (their first input, on the main path) now feeds
    everything they fed. One step, undone exactly."""
    ids = list(dict.fromkeys(node_ids))
    if not ids:
        raise GraphError("select the blocks to delete first")
    for node_id in ids:
        graph.node(node_id)
    members = set(ids)
    order = [n for n in graph.topological_order() if n in members]
    incoming = [e for n in order for e in graph.edges_into(n) if e.src not in members]
    outgoing = [e for n in order for e in graph.edges_from(n) if e.dst not in members]
    commands: list[Command] = [RemoveNode(n) for n in order]
    if incoming:
        source = incoming[0]
        commands += [Connect(Edge(source.src, source.src_port, e.dst, e.dst_port)) for e in outgoing]
    what = graph.node(ids[0]).name if len(ids) == 1 else f"{len(ids)} nodes"
    return Macro(f"Delete {what} and reconnect", commands)


def connect(graph: Graph, edge: Edge) -> Connect:
    """Connect two ports; checks first so the caller gets the typed error before anything changes."""
    graph.check_connect(edge)
    return Connect(edge)


def insert_on_edge(
    graph: Graph, edge: Edge, block_type: str, position: Position, params: Mapping[str, object] | None = None
) -> Command:
    """Drop a block onto a connection: src -> new block -> dst."""
    node = graph.make_node(block_type, params, position=position)
    spec = get_spec(block_type)
    ports = spec.input_ports(node.params)
    if not ports or not spec.outputs:
        raise GraphError(
            f"a {block_type} cannot be inserted into a connection: it needs an input and an output"
        )
    return Macro(
        f"Insert {node.name}",
        [
            Disconnect(edge),
            AddNode(node),
            Connect(Edge(edge.src, edge.src_port, node.id, ports[0])),
            Connect(Edge(node.id, spec.outputs[0], edge.dst, edge.dst_port)),
        ],
    )


def copy_fragment(graph: Graph, node_ids: Iterable[str]) -> GraphSnapshot:
    """The selected nodes and the connections among them (what Copy puts on the clipboard)."""
    ids = set(node_ids)
    nodes = tuple(n for n in graph.nodes if n.id in ids)
    edges = tuple(e for e in graph.edges if e.src in ids and e.dst in ids)
    return GraphSnapshot(nodes, edges)


def paste(
    graph: Graph, fragment: GraphSnapshot, offset: Position = (40.0, 40.0)
) -> tuple[Command, list[str]]:
    """Add a copy of a fragment with fresh ids and names; returns the command and the new ids."""
    scratch_ids: set[str] = set()
    scratch_names: set[str] = set()
    mapping: dict[str, str] = {}
    commands: list[Command] = []
    for node in fragment.nodes:
        get_spec(node.type)
        new_id = _fresh(
            graph.new_id(node.id.rsplit("_", 1)[0].replace(".", "_")), scratch_ids, graph, by_name=False
        )
        name = _fresh(graph.unique_name(node.name), scratch_names, graph, by_name=True)
        scratch_ids.add(new_id)
        scratch_names.add(name)
        mapping[node.id] = new_id
        position = (node.position[0] + offset[0], node.position[1] + offset[1])
        commands.append(AddNode(Node(new_id, node.type, name, node.params, position)))
    for edge in fragment.edges:
        commands.append(Connect(Edge(mapping[edge.src], edge.src_port, mapping[edge.dst], edge.dst_port)))
    count = len(fragment.nodes)
    text = f"Paste {count} node{'s' if count != 1 else ''}"
    return Macro(text, commands), [mapping[n.id] for n in fragment.nodes]


def _fresh(candidate: str, taken: set[str], graph: Graph, *, by_name: bool) -> str:
    base, n = candidate, 2
    while (
        candidate in taken
        or (by_name and _has_name(graph, candidate))
        or (not by_name and candidate in graph)
    ):
        candidate = f"{base}_{n}"
        n += 1
    return candidate


def _has_name(graph: Graph, name: str) -> bool:
    try:
        graph.node_by_name(name)
    except GraphError:
        return False
    return True


def explode(graph: Graph, analysis: Analysis, node_id: str) -> Macro:
    """Replace a composite block by the layers it is made of, keeping its connections."""
    node = graph.node(node_id)
    shapes = analysis.nodes[node_id].input_shapes if node_id in analysis.nodes else ()
    expansion = expand_node(graph, node_id, shapes[0] if shapes else None)
    incoming = graph.edges_into(node_id)
    outgoing = graph.edges_from(node_id)
    commands: list[Command] = [RemoveNode(node_id)]
    commands += [AddNode(n) for n in expansion.nodes]
    commands += [Connect(e) for e in expansion.edges]
    for edge in incoming:
        commands += [Connect(Edge(edge.src, edge.src_port, child, port)) for child, port in expansion.entry]
    commands += [Connect(Edge(expansion.exit, "out", e.dst, e.dst_port)) for e in outgoing]
    commands += _room(graph, node.position, expansion.nodes, exclude={node_id})
    return Macro(f"Explode {node.name} into layers", commands)


def _room(
    graph: Graph, at: Position, added: Sequence[Node], exclude: set[str], *, give_back: bool = False
) -> list[Command]:
    """Room for a block's layers, the block at `at`: the cards below it in its column move down, and the columns
    to its right move right when a branch beside the main path (a projection shortcut) widens the column.
    `give_back` (collapsing the layers): they move back up and left by as much."""
    x0, y0 = at
    extra_y = max(n.position[1] for n in added) - y0
    extra_x = max(n.position[0] for n in added) - x0
    sign = -1 if give_back else 1
    right_of = x0 + CARD_WIDTH + (extra_x if give_back else 0.0)
    below = y0 + CARD_HEIGHT / 2 + (extra_y if give_back else 0.0)
    moves: dict[str, Position] = {}
    for other in graph.nodes:
        if other.id in exclude:
            continue
        x, y = other.position
        if extra_x > 0 and x >= right_of:
            x += sign * extra_x
        elif extra_y > 0 and y > below and abs(x - x0) < CARD_WIDTH:
            y += sign * extra_y
        if (x, y) != other.position:
            moves[other.id] = (x, y)
    return [MoveNodes(moves)] if moves else []


def group_members(graph: Graph, origin_id: str) -> list[Node]:
    """The nodes exploded from the block with this id (direct children only)."""
    return [n for n in graph.nodes if n.expanded_from is not None and n.expanded_from.id == origin_id]


def collapse(graph: Graph, analysis: Analysis, origin_id: str) -> Macro:
    """Put an exploded block back together; refused when its layers were edited since."""
    members = group_members(graph, origin_id)
    if not members:
        raise GraphError(f"there are no layers exploded from {origin_id!r} to collapse")
    origin = members[0].expanded_from
    assert origin is not None
    ids = {n.id for n in members}
    inside = [e for e in graph.edges if e.src in ids and e.dst in ids]
    incoming = [e for e in graph.edges if e.dst in ids and e.src not in ids]
    outgoing = [e for e in graph.edges if e.src in ids and e.dst not in ids]
    sources = {(e.src, e.src_port) for e in incoming}
    if len(sources) != 1 or len({e.src for e in outgoing}) > 1:
        raise GraphError(
            f"the layers of {origin.name} were rewired since they were exploded; collapse is not possible"
        )
    src_id = next(iter(sources))[0]
    in_shape = analysis.nodes[src_id].output_shape if src_id in analysis.nodes else None
    if in_shape is None or not _matches(graph, origin, members, inside, in_shape):
        raise GraphError(
            f"the layers of {origin.name} were edited since they were exploded; collapse is not possible"
        )
    top = min(members, key=lambda n: n.position[1])
    restored = Node(origin.id, origin.type, origin.name, origin.params, top.position, origin.expanded_from)
    if origin.id in graph:
        raise GraphError(f"a node with id {origin.id!r} exists again; collapse is not possible")
    commands: list[Command] = [RemoveNode(n.id) for n in members]
    commands.append(AddNode(restored))
    src, src_port = next(iter(sources))
    commands.append(Connect(Edge(src, src_port, restored.id, "x")))
    commands += [Connect(Edge(restored.id, "out", e.dst, e.dst_port)) for e in outgoing]
    commands += _room(graph, top.position, members, exclude=ids, give_back=True)
    return Macro(f"Collapse {origin.name}", commands)


def _matches(
    graph: Graph, origin: Node, members: list[Node], inside: list[Edge], in_shape: tuple[int, ...]
) -> bool:
    """True when the exploded layers are still exactly the block's plan (types, parameters and wiring)."""
    steps = plan_for(origin, in_shape)
    names = {s.name for s in steps}
    local: dict[str, str] = {}
    for member in members:
        suffix = member.id[len(origin.id) + 1 :]
        if suffix not in names:
            suffix = suffix.rsplit("_", 1)[0]
        local[member.id] = suffix
    if sorted(local.values()) != sorted(names):
        return False
    by_local = {local[m.id]: m for m in members}
    for step in steps:
        member = by_local[step.name]
        if member.type != step.type or member.params != get_spec(step.type).make_params(step.params):
            return False
    expected = set()
    for step in steps:
        ports = get_spec(step.type).input_ports(by_local[step.name].params)
        expected |= {(source, step.name, port) for port, source in zip(ports, step.inputs) if source}
    actual = {(local[e.src], local[e.dst], e.dst_port) for e in inside}
    return actual == expected


def apply_fix(graph: Graph, diagnostic: Diagnostic) -> Command:
    """The command that carries out a diagnostic's suggested fix."""
    fix = diagnostic.fix
    if fix is None:
        raise GraphError(f"there is no automatic fix for: {diagnostic.message}")
    node = graph.node(diagnostic.node_id)
    if fix.set_params:
        params = node.params.replace(**dict(fix.set_params))
        return SetParams(node.id, params, text=f"Fix {node.name}: {fix.label[0].lower()}{fix.label[1:]}")
    edge = graph.edge_into(node.id, fix.port)
    if edge is None or not fix.insert:
        raise GraphError(f"the fix for {node.name} needs a connection into {fix.port!r}")
    commands: list[Command] = [Disconnect(edge)]
    previous = (edge.src, edge.src_port)
    x, y = node.position
    scratch = graph.copy()
    for i, (block_type, params) in enumerate(fix.insert):
        new = scratch.make_node(
            block_type, dict(params), position=(x + 280.0, y - (len(fix.insert) - i) * 90.0)
        )
        scratch.add_node(new)
        commands.append(AddNode(new))
        commands.append(
            Connect(Edge(previous[0], previous[1], new.id, get_spec(block_type).input_ports(new.params)[0]))
        )
        previous = (new.id, "out")
    commands.append(Connect(Edge(previous[0], previous[1], edge.dst, edge.dst_port)))
    return Macro(f"Fix {node.name}: {fix.label[0].lower()}{fix.label[1:]}", commands)


def auto_layout(graph: Graph, analysis: Analysis | None = None) -> MoveNodes:
    """Lay the whole network out stage by stage (the analysis's shapes find the stages of unnamed networks)."""
    shapes = {n: r.output_shape for n, r in analysis.nodes.items()} if analysis is not None else None
    return MoveNodes(network_layout(graph, shapes).positions)


def set_params(graph: Graph, node_id: str, values: Mapping[str, object]) -> SetParams:
    """Change several parameters of one node in one step (validated now, before anything changes)."""
    node = graph.node(node_id)
    spec = get_spec(node.type)
    params: Params = node.params
    for name, value in values.items():
        params = params.replace(**{name: spec.param(name).validate(value)})
    return SetParams(node_id, params, text=f"Change {node.name}")


__all__ = [
    "ROW_GAP",
    "add_connected",
    "add_node",
    "apply_fix",
    "auto_layout",
    "collapse",
    "connect",
    "copy_fragment",
    "delete",
    "delete_with_reconnect",
    "detach",
    "explode",
    "group_members",
    "insert_on_edge",
    "paste",
    "relink",
    "remove_nodes",
    "set_params",
]
