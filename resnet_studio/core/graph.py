"""The editable network: nodes, typed ports and edges in plain dicts, announcing changes with signals."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from heapq import heapify, heappop, heappush
from typing import NamedTuple

from .catalogue import get_spec
from .errors import (
    CycleError,
    DuplicateNodeError,
    GraphError,
    InputCountError,
    NotConnectedError,
    ParameterError,
    PortOccupiedError,
    UnknownNodeError,
    UnknownPortError,
)
from .model import Edge, GraphSnapshot, Node, Position
from .params import Params, ParamValue
from .quoting import lone_surrogate, quote
from .signals import Signal


class Wiring(NamedTuple):
    """The graph's tables: the nodes by id, the edges into each node by input port, the edges out of each node."""

    nodes: Mapping[str, Node]
    into: Mapping[str, Mapping[str, Edge]]
    out_of: Mapping[str, Mapping[Edge, None]]


class Graph:
    """A network of blocks. Every mutation succeeds or raises a typed GraphError; nothing is silently ignored."""

    node_added = Signal(Node)
    node_removed = Signal(Node)
    node_changed = Signal(Node, Node)
    """(old, new): parameters, name or position changed."""
    edge_added = Signal(Edge)
    edge_removed = Signal(Edge)

    def __init__(self, snapshot: GraphSnapshot | None = None) -> None:
        self._nodes: dict[str, Node] = {}
        self._names: dict[str, str] = {}
        self._in: dict[str, dict[str, Edge]] = {}
        self._out: dict[str, dict[Edge, None]] = {}
        self._order: tuple[str, ...] | None = ()
        self._free_id: dict[str, int] = {}
        self._free_name: dict[str, int] = {}
        self.structure_version = 0
        """Grows with every added or removed node or edge (cheap change detection for caches)."""
        self.loop_search_steps = 0
        """Nodes visited by loop checks so far (tests and benchmarks read it to check the work stays linear)."""
        if snapshot is not None:
            self.extend(snapshot.nodes, snapshot.edges)

    # --- queries --------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return self._nodes == other._nodes and set(self.edges) == set(other.edges)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"<Graph {len(self._nodes)} nodes, {sum(len(e) for e in self._in.values())} edges>"

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Every node, in insertion order."""
        return tuple(self._nodes.values())

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every edge, grouped by destination node in insertion order."""
        return tuple(e for node_id in self._nodes for e in self._in[node_id].values())

    def node(self, node_id: str) -> Node:
        """The node with this id; raises UnknownNodeError."""
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node {quote(node_id)} in the network") from None

    def node_by_name(self, name: str) -> Node:
        """The node with this user-facing name; raises UnknownNodeError."""
        node_id = self._names.get(name)
        if node_id is None:
            raise UnknownNodeError(f"there is no node named {quote(name)} in the network")
        return self._nodes[node_id]

    def index_of(self, node_id: str) -> int:
        """The node's position in insertion order."""
        return list(self._nodes).index(node_id)

    def input_ports(self, node_id: str) -> tuple[str, ...]:
        """The input port names of a node."""
        node = self.node(node_id)
        return get_spec(node.type).input_ports(node.params)

    def output_ports(self, node_id: str) -> tuple[str, ...]:
        """The output port names of a node."""
        return get_spec(self.node(node_id).type).outputs

    def edge_into(self, node_id: str, port: str) -> Edge | None:
        """The edge feeding an input port, if any."""
        return self._in[node_id].get(port) if node_id in self._in else None

    def edges_into(self, node_id: str) -> tuple[Edge, ...]:
        """The edges feeding a node, in its port order."""
        self.node(node_id)
        incoming = self._in[node_id]
        return tuple(incoming[p] for p in self.input_ports(node_id) if p in incoming)

    def wiring(self) -> Wiring:
        """The graph's own tables, for loops over every node that cannot afford a method call per question.

        Read them, never change them: they are the graph's state, not copies."""
        return Wiring(self._nodes, self._in, self._out)

    def edges_from(self, node_id: str) -> tuple[Edge, ...]:
        """The edges leaving a node."""
        self.node(node_id)
        return tuple(self._out[node_id])

    def has_consumers(self, node_id: str) -> bool:
        """True when some edge leaves this node."""
        return bool(self._out.get(node_id))

    def edges_of(self, node_id: str) -> tuple[Edge, ...]:
        """Every edge touching a node."""
        return self.edges_into(node_id) + self.edges_from(node_id)

    def predecessors(self, node_id: str) -> tuple[str, ...]:
        """Ids of the nodes feeding this one, in port order (repeated if one feeds several ports)."""
        return tuple(e.src for e in self.edges_into(node_id))

    def successors(self, node_id: str) -> tuple[str, ...]:
        """Ids of the nodes this one feeds."""
        return tuple(dict.fromkeys(e.dst for e in self.edges_from(node_id)))

    def descendants(self, node_id: str) -> set[str]:
        """Every node downstream of this one."""
        self.node(node_id)
        found: set[str] = set()
        todo = [node_id]
        while todo:
            for edge in self._out[todo.pop()]:
                if edge.dst not in found:
                    found.add(edge.dst)
                    todo.append(edge.dst)
        return found

    def has_path(self, src: str, dst: str) -> bool:
        """True when data flows from src to dst."""
        self.node(src)
        self.node(dst)
        return self._reaches(src, dst)

    def _reaches(self, start: str, goal: str) -> bool:
        """Search from both ends at once, one node a side in turn, stopping when either side runs out.

        The work is at most twice the smaller of start's downstream and goal's upstream, so connecting a chain
        in any order (each new edge has one short side) costs a constant per edge instead of the chain's length.
        """
        if start == goal:
            return True
        ahead, behind = {start}, {goal}
        forward, backward = [start], [goal]
        while forward and backward:
            self.loop_search_steps += 2
            for edge in self._out[forward.pop()]:
                if edge.dst in behind:
                    return True
                if edge.dst not in ahead:
                    ahead.add(edge.dst)
                    forward.append(edge.dst)
            for edge in self._in[backward.pop()].values():
                if edge.src in ahead:
                    return True
                if edge.src not in behind:
                    behind.add(edge.src)
                    backward.append(edge.src)
        return False

    def topological_order(self) -> tuple[str, ...]:
        """Node ids so that every node comes after its inputs; ties keep insertion order (deterministic)."""
        if self._order is None:
            ids = list(self._nodes)
            index = {node_id: i for i, node_id in enumerate(ids)}
            waiting = {node_id: len(incoming) for node_id, incoming in self._in.items()}
            ready = [index[node_id] for node_id, count in waiting.items() if count == 0]
            heapify(ready)  # of insertion indices: the earliest ready node comes first
            order: list[str] = []
            while ready:
                node_id = ids[heappop(ready)]
                order.append(node_id)
                for edge in self._out[node_id]:
                    waiting[edge.dst] -= 1
                    if waiting[edge.dst] == 0:
                        heappush(ready, index[edge.dst])
            self._order = tuple(order)
        return self._order

    def snapshot(self) -> GraphSnapshot:
        """An immutable copy (for worker threads and files)."""
        return GraphSnapshot(self.nodes, self.edges)

    def copy(self) -> Graph:
        """An independent copy with no listeners."""
        return Graph(self.snapshot())

    def new_id(self, prefix: str) -> str:
        """A readable id that is not taken: 'conv_1', 'conv_2', ..."""
        prefix = prefix.lower()
        n = self._free_id.get(prefix, 1)
        while f"{prefix}_{n}" in self._nodes:
            n += 1
        self._free_id[prefix] = n
        return f"{prefix}_{n}"

    def unique_name(self, base: str, numbered: bool = False) -> str:
        """`base` if free, else base2, base3, ...; `numbered`: base1 if free, else base2, ..."""
        if base not in self._names and not numbered:
            return base
        n = self._free_name.get(base, 1 if numbered else 2)
        while f"{base}{n}" in self._names:
            n += 1
        self._free_name[base] = n
        return f"{base}{n}"

    def _freed(self, node_id: str | None, name: str | None) -> None:
        """An id or name became free again: the searches for a free one restart at it (no suffix is skipped)."""
        if node_id is not None:
            prefix, _, number = node_id.rpartition("_")
            if number.isdigit() and prefix in self._free_id:
                self._free_id[prefix] = min(self._free_id[prefix], int(number))
        if name is not None and self._free_name:
            digits = len(name) - len(name.rstrip("0123456789"))
            for cut in range(len(name) - digits, len(name)):
                base = name[:cut]
                if base in self._free_name:
                    self._free_name[base] = min(self._free_name[base], int(name[cut:]))

    def make_node(
        self,
        block_type: str,
        params: Mapping[str, object] | None = None,
        *,
        name: str | None = None,
        position: Position = (0.0, 0.0),
        node_id: str | None = None,
    ) -> Node:
        """A new node (not yet added) with validated parameters, a free id and a free name."""
        spec = get_spec(block_type)
        base = spec.node_name
        return Node(
            node_id or self.new_id(base),
            spec.type_name,
            name or self.unique_name(base, spec.numbered_names),
            spec.make_params(params),
            position,
        )

    # --- mutations ------------------------------------------------------------------------------------------

    def add_node(self, node: Node, index: int | None = None) -> Node:
        """Add a node (at `index` in insertion order, for undo); validates type, parameters, id and name."""
        spec = get_spec(node.type)
        if node.id in self._nodes:
            raise DuplicateNodeError(f"a node with id {quote(node.id)} already exists")
        _check_text("id", node.id)
        _check_name(node.name)
        if node.name in self._names:
            raise DuplicateNodeError(f"the name {quote(node.name)} is already used by another node")
        _check_position(node.name, node.position)
        full = _full_params(spec.type_name, node.params)
        if full is not node.params:  # equal ones too: the analysis memo finds the shared object fastest
            node = node.with_params(full)
        if index is None or index >= len(self._nodes):
            self._nodes[node.id] = node
        else:
            items = list(self._nodes.items())
            items.insert(max(index, 0), (node.id, node))
            self._nodes = dict(items)
        self._names[node.name] = node.id
        self._in[node.id] = {}
        self._out[node.id] = {}
        self._structure_changed()
        if self.node_added:  # emitting to no listener still costs microseconds
            self.node_added.emit(node)
        return node

    def remove_node(self, node_id: str) -> tuple[Edge, ...]:
        """Remove a node and every edge touching it; returns the removed edges."""
        node = self.node(node_id)
        removed = self.edges_of(node_id)
        for edge in removed:
            self.disconnect(edge)
        del self._nodes[node_id]
        del self._names[node.name]
        del self._in[node_id]
        del self._out[node_id]
        self._freed(node_id, node.name)
        self._structure_changed()
        if self.node_removed:  # emitting to no listener still costs microseconds
            self.node_removed.emit(node)
        return removed

    def check_connect(self, edge: Edge) -> None:
        """Raise the typed error that connecting `edge` would cause, or return if it is allowed."""
        self._check_ports(edge, self._in.get(edge.dst, {}))
        self._check_loop(edge)

    def _check_ports(self, edge: Edge, taken_ports: Mapping[str, Edge]) -> None:
        """Refuse unknown nodes and ports, and an input already taken in `taken_ports`."""
        src, dst = self.node(edge.src), self.node(edge.dst)
        if edge.src_port not in get_spec(src.type).outputs:
            outs = get_spec(src.type).outputs
            has = f"its output is {outs[0]!r}" if outs else "it has no output"
            raise UnknownPortError(f"{src.name} ({src.type}) has no output port {edge.src_port!r}; {has}")
        ports = get_spec(dst.type).input_ports(dst.params)
        if edge.dst_port not in ports:
            has = "its inputs are " + ", ".join(repr(p) for p in ports) if ports else "it takes no input"
            raise UnknownPortError(f"{dst.name} ({dst.type}) has no input port {edge.dst_port!r}; {has}")
        taken = taken_ports.get(edge.dst_port)
        if taken is not None:
            other = self._nodes[taken.src].name
            raise PortOccupiedError(
                f"input {edge.dst_port!r} of {dst.name} is already connected to {other}; disconnect it first"
            )

    def _check_loop(self, edge: Edge) -> None:
        if self._reaches(edge.dst, edge.src):
            src, dst = self._nodes[edge.src], self._nodes[edge.dst]
            raise CycleError(
                f"connecting {src.name} to {dst.name} would make a loop: {dst.name} already feeds {src.name}"
                if edge.src != edge.dst
                else f"{src.name} cannot feed itself"
            )

    def can_connect(self, edge: Edge) -> str | None:
        """None when `edge` may be added, else the reason it may not (for hover feedback)."""
        try:
            self.check_connect(edge)
        except (UnknownPortError, PortOccupiedError, CycleError, UnknownNodeError) as error:
            return str(error)
        return None

    def connect(self, edge: Edge) -> Edge:
        """Add an edge; raises UnknownNodeError, UnknownPortError, PortOccupiedError or CycleError."""
        self.check_connect(edge)
        self._add_edge(edge)
        return edge

    def add_edges(self, edges: Iterable[Edge]) -> list[tuple[int, GraphError]]:
        """Connect many edges in order, as many connect() calls would; returns each refused one's index and error.

        Time is linear in the size of the graph whatever the order of the edges: when the accepted edges cannot
        make a loop (one topological sort proves it), no edge needs a loop search of its own.
        """
        edges = list(edges)
        port_refusals = self._port_refusals_if_loop_free(edges) if len(edges) >= 64 else None
        if port_refusals is None:
            refused: list[tuple[int, GraphError]] = []
            for i, edge in enumerate(edges):
                try:
                    self.connect(edge)
                except GraphError as error:
                    refused.append((i, error))
            return refused
        for i, edge in enumerate(edges):
            if i not in port_refusals:
                self._add_edge(edge)
        return sorted(port_refusals.items(), key=lambda item: item[0])

    def _port_refusals_if_loop_free(self, edges: list[Edge]) -> dict[int, GraphError] | None:
        """The edges refused by the port checks (connecting in order), when the others make no loop; else None."""
        taken: dict[str, dict[str, Edge]] = {}
        refused: dict[int, GraphError] = {}
        extra: dict[str, list[str]] = {}
        needs = {node_id: len(incoming) for node_id, incoming in self._in.items()}
        for i, edge in enumerate(edges):
            ports = taken.get(edge.dst)
            if ports is None:
                ports = taken[edge.dst] = dict(self._in.get(edge.dst, {}))
            try:
                self._check_ports(edge, ports)
            except GraphError as error:
                refused[i] = error
                continue
            ports[edge.dst_port] = edge
            extra.setdefault(edge.src, []).append(edge.dst)
            needs[edge.dst] += 1
        ready = [node_id for node_id, count in needs.items() if count == 0]
        done = 0
        while ready:
            node_id = ready.pop()
            done += 1
            for dst in [e.dst for e in self._out[node_id]] + extra.get(node_id, []):
                needs[dst] -= 1
                if needs[dst] == 0:
                    ready.append(dst)
        self.loop_search_steps += len(needs)
        return refused if done == len(needs) else None

    def _add_edge(self, edge: Edge) -> None:
        incoming = self._in[edge.dst]
        incoming[edge.dst_port] = edge
        if len(incoming) > 1:
            # Keep the node's input order whatever the order of connecting (undo then restores files exactly).
            ports = self.input_ports(edge.dst)
            if list(incoming) != [p for p in ports if p in incoming]:
                self._in[edge.dst] = {p: incoming[p] for p in ports if p in incoming}
        self._out[edge.src][edge] = None
        self._structure_changed()
        if self.edge_added:  # emitting to no listener still costs microseconds
            self.edge_added.emit(edge)

    def disconnect(self, edge: Edge) -> None:
        """Remove an edge; raises NotConnectedError if it does not exist."""
        if edge.dst not in self._in or self._in[edge.dst].get(edge.dst_port) != edge:
            raise NotConnectedError(f"there is no connection {edge}")
        del self._in[edge.dst][edge.dst_port]
        del self._out[edge.src][edge]
        self._structure_changed()
        if self.edge_removed:  # emitting to no listener still costs microseconds
            self.edge_removed.emit(edge)

    def set_param(self, node_id: str, name: str, value: ParamValue) -> Node:
        """Change one parameter (validated against its declaration)."""
        node = self.node(node_id)
        spec = get_spec(node.type)
        checked = spec.param(name).validate(value)
        return self.set_params(node_id, node.params.replace(**{name: checked}))

    def set_params(self, node_id: str, params: Mapping[str, ParamValue]) -> Node:
        """Replace a node's parameters (each validated); refuses to drop input ports that are connected."""
        node = self.node(node_id)
        spec = get_spec(node.type)
        unknown = set(params) - {p.name for p in spec.params}
        if unknown:
            raise ParameterError(f"{spec.type_name} has no parameter {sorted(unknown)[0]!r}")
        full = spec.make_params(params)
        if spec.variadic_inputs is not None:
            ports = set(spec.input_ports(full))
            dropped = sorted(set(self._in[node_id]) - ports)
            if dropped:
                raise InputCountError(
                    f"{node.name} would lose input {dropped[0]!r}, which is connected; disconnect it first"
                )
        if full == node.params:
            return node
        new = node.with_params(full)
        self._nodes[node_id] = new
        self.node_changed.emit(node, new)
        return new

    def rename(self, node_id: str, name: str) -> Node:
        """Give a node another name (names are unique and non-empty)."""
        node = self.node(node_id)
        if name == node.name:
            return node
        _check_name(name)
        if name in self._names:
            raise DuplicateNodeError(f"the name {quote(name)} is already used by another node")
        new = node.renamed(name)
        del self._names[node.name]
        self._freed(None, node.name)
        self._names[name] = node_id
        self._nodes[node_id] = new
        self.node_changed.emit(node, new)
        return new

    def move(self, node_id: str, position: Position) -> Node:
        """Place a node elsewhere on the canvas."""
        node = self.node(node_id)
        if node.position == position:
            return node
        position = (float(position[0]), float(position[1]))
        _check_position(node.name, position)
        new = node.moved(position)
        self._nodes[node_id] = new
        self.node_changed.emit(node, new)
        return new

    def replace_node(self, node: Node) -> Node:
        """Swap in a changed copy of an existing node (same id), e.g. to restore it on undo."""
        old = self.node(node.id)
        if old.type != node.type:
            raise ParameterError(f"{old.name} is a {old.type}; its type cannot change to {node.type}")
        if node.name != old.name:
            self.rename(node.id, node.name)
        if node.params != old.params:
            self.set_params(node.id, node.params)
        if node.position != old.position:
            self.move(node.id, node.position)
        current = self._nodes[node.id]
        if current.expanded_from != node.expanded_from:
            self._nodes[node.id] = node
            self.node_changed.emit(current, node)
        return self._nodes[node.id]

    def clear(self) -> None:
        """Remove everything."""
        for node_id in list(self._nodes):
            self.remove_node(node_id)

    def extend(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        """Add many nodes, then many edges; raises the first refusal (the edges before it stay connected)."""
        for node in nodes:
            self.add_node(node)
        refused = self.add_edges(edges)
        if refused:
            raise refused[0][1]

    def _structure_changed(self) -> None:
        self._order = None
        self.structure_version += 1


_CHECKED: dict[tuple[str, Params], Params] = {}
_CHECKED_LIMIT = 4096


def _full_params(block_type: str, params: Mapping[str, ParamValue]) -> Params:
    """Every parameter of the block, validated: memoised, since a big network repeats a few parameter sets."""
    if not isinstance(params, Params):
        return get_spec(block_type).make_params(params)
    key = (block_type, params)
    full = _CHECKED.get(key)
    if full is None:
        full = get_spec(block_type).make_params(params)
        if len(_CHECKED) >= _CHECKED_LIMIT:
            _CHECKED.clear()
        _CHECKED[key] = full
    return full


def _check_text(what: str, text: str) -> None:
    surrogate = lone_surrogate(text)
    if surrogate is not None:
        raise ParameterError(
            f"the {what} {quote(text)} contains {surrogate}, half of a character pair (a lone surrogate); "
            "remove it"
        )


def _check_name(name: str) -> None:
    if not name.strip():
        raise DuplicateNodeError("a node needs a name")
    _check_text("name", name)


def _check_position(name: str, position: Position) -> None:
    if not (math.isfinite(position[0]) and math.isfinite(position[1])):
        raise ParameterError(
            f"{name} cannot be placed at ({position[0]}, {position[1]}): a position is two finite numbers"
        )
