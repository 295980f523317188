"""Values of the graph model: nodes and edges (frozen, so snapshots can be shared with worker threads)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .params import Params

Position = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Node:
    """A block placed in the network: a stable id, a block type, a user-facing name, parameters, a position."""

    id: str
    type: str
    name: str
    params: Params = field(default_factory=Params)
    position: Position = (0.0, 0.0)
    expanded_from: Node | None = None
    """The block this node was exploded from (so the editor can collapse it back)."""

    def with_params(self, params: Params) -> Node:
        """A copy with other parameters."""
        return replace(self, params=params)

    def moved(self, position: Position) -> Node:
        """A copy at another position."""
        return replace(self, position=position)

    def renamed(self, name: str) -> Node:
        """A copy with another name."""
        return replace(self, name=name)


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """A connection from an output port of one node to an input port of another."""

    src: str
    src_port: str
    dst: str
    dst_port: str

    def __str__(self) -> str:
        return f"{self.src}.{self.src_port} -> {self.dst}.{self.dst_port}"


@dataclass(frozen=True, slots=True)
class GraphSnapshot:
    """An immutable copy of a graph, safe to hand to another thread."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def structure(self) -> frozenset[object]:
        """What makes the network compute what it does (block types, names, parameters, connections by name),
        without ids or positions: equal for the same network built twice or laid out differently."""
        names = {n.id: n.name for n in self.nodes}
        blocks = frozenset((n.type, n.name, n.params) for n in self.nodes)
        links = frozenset((names[e.src], e.src_port, names[e.dst], e.dst_port) for e in self.edges)
        return frozenset((blocks, links))
