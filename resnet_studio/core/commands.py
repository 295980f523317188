"""Reversible edits. Each command touches only the model; the UI wraps them in one QUndoCommand adapter."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from .graph import Graph
from .model import Edge, Node, Position
from .params import Params, ParamValue


class Command(ABC):
    """An edit that can be done and undone. Commands never trigger other commands."""

    merge_key: object = None
    """Consecutive commands with the same non-None key merge into one undo step (a whole drag)."""

    @abstractmethod
    def do(self, graph: Graph) -> None:
        """Apply the edit (also used for redo)."""

    @abstractmethod
    def undo(self, graph: Graph) -> None:
        """Reverse the edit exactly."""

    @abstractmethod
    def describe(self, graph: Graph) -> str:
        """A readable name for Edit > Undo, e.g. 'Set stride of layer2.0' (call before `do`)."""

    def merge(self, later: Command) -> bool:
        """Absorb a later command with the same merge key; False when it cannot."""
        return False


def _name(graph: Graph, node_id: str) -> str:
    return graph.node(node_id).name if node_id in graph else node_id


class AddNode(Command):
    """Add one node."""

    def __init__(self, node: Node, index: int | None = None) -> None:
        self.node, self.index = node, index

    def do(self, graph: Graph) -> None:
        self.node = graph.add_node(self.node, self.index)

    def undo(self, graph: Graph) -> None:
        graph.remove_node(self.node.id)

    def describe(self, graph: Graph) -> str:
        return f"Add {self.node.type} {self.node.name}"


class RemoveNode(Command):
    """Remove one node with the edges touching it."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self._node: Node | None = None
        self._index = 0
        self._edges: tuple[Edge, ...] = ()

    def do(self, graph: Graph) -> None:
        self._node = graph.node(self.node_id)
        self._index = graph.index_of(self.node_id)
        self._edges = graph.remove_node(self.node_id)

    def undo(self, graph: Graph) -> None:
        assert self._node is not None
        graph.add_node(self._node, self._index)
        for edge in self._edges:
            graph.connect(edge)

    def describe(self, graph: Graph) -> str:
        return f"Delete {_name(graph, self.node_id)}"


class Connect(Command):
    """Connect an output port to an input port."""

    def __init__(self, edge: Edge) -> None:
        self.edge = edge

    def do(self, graph: Graph) -> None:
        graph.connect(self.edge)

    def undo(self, graph: Graph) -> None:
        graph.disconnect(self.edge)

    def describe(self, graph: Graph) -> str:
        return f"Connect {_name(graph, self.edge.src)} to {_name(graph, self.edge.dst)}"


class Disconnect(Command):
    """Remove a connection."""

    def __init__(self, edge: Edge) -> None:
        self.edge = edge

    def do(self, graph: Graph) -> None:
        graph.disconnect(self.edge)

    def undo(self, graph: Graph) -> None:
        graph.connect(self.edge)

    def describe(self, graph: Graph) -> str:
        return f"Disconnect {_name(graph, self.edge.src)} from {_name(graph, self.edge.dst)}"


class SetParam(Command):
    """Change one parameter of one node."""

    def __init__(self, node_id: str, name: str, value: ParamValue) -> None:
        self.node_id, self.name, self.value = node_id, name, value
        self._old: Params | None = None

    def do(self, graph: Graph) -> None:
        old = graph.node(self.node_id).params
        graph.set_param(self.node_id, self.name, self.value)
        self._old = old

    def undo(self, graph: Graph) -> None:
        assert self._old is not None
        graph.set_params(self.node_id, self._old)

    def describe(self, graph: Graph) -> str:
        label = self.name.replace("_", " ")
        return f"Set {label} of {_name(graph, self.node_id)}"


class SetParams(Command):
    """Replace all parameters of one node at once."""

    def __init__(self, node_id: str, params: Mapping[str, ParamValue], text: str = "") -> None:
        self.node_id, self.params, self.text = node_id, Params(params), text
        self._old: Params | None = None

    def do(self, graph: Graph) -> None:
        old = graph.node(self.node_id).params
        graph.set_params(self.node_id, self.params)
        self._old = old

    def undo(self, graph: Graph) -> None:
        assert self._old is not None
        graph.set_params(self.node_id, self._old)

    def describe(self, graph: Graph) -> str:
        return self.text or f"Change {_name(graph, self.node_id)}"


class Rename(Command):
    """Give a node another name."""

    def __init__(self, node_id: str, name: str) -> None:
        self.node_id, self.name = node_id, name
        self._old = ""

    def do(self, graph: Graph) -> None:
        old = graph.node(self.node_id).name
        graph.rename(self.node_id, self.name)
        self._old = old

    def undo(self, graph: Graph) -> None:
        graph.rename(self.node_id, self._old)

    def describe(self, graph: Graph) -> str:
        return f"Rename {_name(graph, self.node_id)} to {self.name}"


class MoveNodes(Command):
    """Move nodes; consecutive moves of one drag (same `drag` key) merge into one undo step."""

    def __init__(self, positions: Mapping[str, Position], drag: object = None) -> None:
        self.positions = dict(positions)
        self._old: dict[str, Position] = {}
        self.merge_key = ("move", drag) if drag is not None else None

    def do(self, graph: Graph) -> None:
        old = {node_id: graph.node(node_id).position for node_id in self.positions}
        for node_id, position in self.positions.items():
            graph.move(node_id, position)
        for node_id, position in old.items():
            self._old.setdefault(node_id, position)

    def undo(self, graph: Graph) -> None:
        for node_id, position in self._old.items():
            graph.move(node_id, position)

    def describe(self, graph: Graph) -> str:
        if len(self.positions) == 1:
            return f"Move {_name(graph, next(iter(self.positions)))}"
        return f"Move {len(self.positions)} nodes"

    def merge(self, later: Command) -> bool:
        if not isinstance(later, MoveNodes) or later.merge_key != self.merge_key or self.merge_key is None:
            return False
        for node_id, position in later._old.items():
            self._old.setdefault(node_id, position)
        self.positions.update(later.positions)
        return True


class Macro(Command):
    """Several commands as one undo step; all or nothing (a failure undoes the part already done)."""

    def __init__(self, text: str, commands: Sequence[Command]) -> None:
        self.text, self.commands = text, list(commands)

    def do(self, graph: Graph) -> None:
        done: list[Command] = []
        try:
            for command in self.commands:
                command.do(graph)
                done.append(command)
        except Exception:
            for command in reversed(done):
                command.undo(graph)
            raise

    def undo(self, graph: Graph) -> None:
        for command in reversed(self.commands):
            command.undo(graph)

    def describe(self, graph: Graph) -> str:
        return self.text
