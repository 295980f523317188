"""Switches for the whole network: one parameter set in every block that declares it, as one undoable step
(every skip connection off, BatchNorm out of every block)."""

from __future__ import annotations

from .catalogue import get_spec
from .commands import Command, Macro, SetParams
from .errors import ParameterError
from .graph import Graph
from .model import Node
from .params import ParamValue


def declares(node: Node, name: str) -> bool:
    """True when the node's block type has a parameter of this name."""
    return any(p.name == name for p in get_spec(node.type).params)


def switch_values(graph: Graph, name: str) -> frozenset[ParamValue]:
    """The values the parameter has across the blocks that declare it (empty when none does; two or more when
    the blocks disagree)."""
    return frozenset(n.params[name] for n in graph.nodes if declares(n, name) and name in n.params)


def set_everywhere(graph: Graph, name: str, value: object) -> Command | None:
    """Set `name` to `value` in every block that declares it, as one step; None when every block already has
    it. Raises ParameterError when no block has such a parameter or the value is not one it takes."""
    holders = [n for n in graph.nodes if declares(n, name)]
    if not holders:
        raise ParameterError(f"no block of this network has a {name!r} parameter")
    spec = get_spec(holders[0].type).param(name)
    checked = spec.validate(value)
    changing = [n for n in holders if n.params.get(name) != checked]
    if not changing:
        return None
    commands: list[Command] = []
    for node in changing:
        params = dict(node.params)
        params[name] = get_spec(node.type).param(name).validate(value)
        commands.append(SetParams(node.id, params))
    count = len(changing)
    shown = ("on" if checked else "off") if isinstance(checked, bool) else str(checked)
    return Macro(f"Set {spec.label.lower()} to {shown} in {count} block{'s' if count != 1 else ''}", commands)
