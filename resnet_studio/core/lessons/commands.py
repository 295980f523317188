"""The edits a lesson step makes, as the core's own undoable commands (the app pushes them on its undo stack)."""

from __future__ import annotations

from ..analysis import Analysis
from ..catalogue import get_spec
from ..commands import Command, Macro, SetParam
from ..edits import apply_fix
from ..errors import GraphError
from ..graph import Graph
from ..model import Node
from .model import Action


class StepError(ValueError):
    """A step's action that cannot be done on the network as it is now (the user edited it, or it has errors)."""


def find_node(graph: Graph, name: str) -> Node:
    """The node a step names; raises StepError saying how to get the lesson's network back."""
    try:
        return graph.node_by_name(name)
    except GraphError:
        raise StepError(
            f"the network has no block named {name!r}; Reset step puts the lesson's network back"
        ) from None


def step_command(graph: Graph, analysis: Analysis, action: Action) -> Command | None:
    """The one undoable command an editing action makes (None when the network is already so); raises StepError
    when it cannot be made."""
    if action.name == "set_param":
        return _set_param(graph, action)
    if action.name == "apply_fix":
        node = find_node(graph, action.text("node"))
        found = [d for d in analysis.diagnostics if d.node_id == node.id and d.fix is not None]
        if not found:
            raise StepError(f"{node.name} has no problem to fix now")
        try:
            return apply_fix(graph, found[0])
        except GraphError as error:
            raise StepError(str(error)) from None
    raise StepError(f"{action.name} does not edit the network")


def _set_param(graph: Graph, action: Action) -> Command | None:
    param, value, target = action.text("param"), action.args["value"], action.text("node")
    if target == "*":
        nodes = [n for n in graph.nodes if any(p.name == param for p in get_spec(n.type).params)]
        if not nodes:
            raise StepError(f"no block of the network has a parameter {param!r}")
    else:
        nodes = [find_node(graph, target)]
    commands: list[Command] = []
    for node in nodes:
        try:
            checked = get_spec(node.type).param(param).validate(value)
        except GraphError as error:
            raise StepError(f"{node.name}: {error}") from None
        if node.params.get(param) != checked:
            commands.append(SetParam(node.id, param, checked))
    if not commands:
        return None
    if target != "*":
        return commands[0]
    return Macro(f"Set {param.replace('_', ' ')} of every block to {value}", commands)


__all__ = ["StepError", "find_node", "step_command"]
