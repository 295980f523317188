"""What differs between two runs, in a few words: 'skip off at layer2.0', 'batch 1 -> 8', 'sample image'.

The depth plot labels the previous run's dashed line with it, so a class sees what the comparison is about.
"""

from __future__ import annotations

from ...core.analysis import RunSettings
from ...core.graph import Graph
from ...core.model import Node
from ...results.run_request import RunOptions, RunRequest

MAX_ITEMS = 3
ARROW = "→"


def affected_nodes(
    before: RunRequest, graph: Graph, settings: RunSettings, options: RunOptions
) -> frozenset[str]:
    """The nodes whose results an edit since `before` can have changed: every node after a change of the run
    settings or options; otherwise each changed, added or rewired node and everything downstream of it (a renamed
    node alone, since its numbers stay), and the nodes that are gone."""
    old = {n.id: n for n in before.snapshot.nodes}
    if settings != before.settings or options != before.options:
        return frozenset(old) | frozenset(n.id for n in graph.nodes)
    current = {n.id: n for n in graph.nodes}
    changed = {
        i for i, n in current.items() if i not in old or (n.type, n.params) != (old[i].type, old[i].params)
    }
    renamed = {i for i, n in current.items() if i in old and n.name != old[i].name}
    edges_then, edges_now = set(before.snapshot.edges), set(graph.edges)
    changed |= {e.dst for e in edges_then ^ edges_now if e.dst in current}
    affected = set(changed) | renamed | (set(old) - set(current))
    for node_id in changed:
        affected |= graph.descendants(node_id)
    return frozenset(affected)


def describe_change(before: RunRequest, after: RunRequest) -> str:
    """The changes from `before` to `after`, most telling first; 'same network and settings' when none."""
    items = _network_changes(before, after) + _settings_changes(before, after)
    if not items:
        return "same network and settings"
    if len(items) > MAX_ITEMS:
        return ", ".join(items[:MAX_ITEMS]) + f" and {len(items) - MAX_ITEMS} more changes"
    return ", ".join(items)


def _network_changes(before: RunRequest, after: RunRequest) -> list[str]:
    old = {n.id: n for n in before.snapshot.nodes}
    new = {n.id: n for n in after.snapshot.nodes}
    items: list[str] = []
    for node_id, node in new.items():
        previous = old.get(node_id)
        if previous is not None and previous.params != node.params:
            items.extend(_param_changes(previous, node))
        elif previous is not None and previous.name != node.name:
            items.append(f"{previous.name} renamed {node.name}")
    added = [n.name for i, n in new.items() if i not in old]
    removed = [n.name for i, n in old.items() if i not in new]
    if added:
        items.append(_names("added", added))
    if removed:
        items.append(_names("removed", removed))
    if not items and set(before.snapshot.edges) != set(after.snapshot.edges):
        items.append("connections changed")
    return items


def _param_changes(old: Node, new: Node) -> list[str]:
    items = []
    for key in sorted(set(old.params) | set(new.params)):
        a, b = old.params.get(key), new.params.get(key)
        if a == b:
            continue
        if key == "skip" and isinstance(b, bool):
            items.append(f"skip {'on' if b else 'off'} at {new.name}")
        else:
            items.append(f"{new.name} {key} {_value(a)} {ARROW} {_value(b)}")
    return items


def _settings_changes(before: RunRequest, after: RunRequest) -> list[str]:
    a, b = before.settings, after.settings
    items = []
    if a.input_shape != b.input_shape:
        items.append(f"input {_shape(a.input_shape)} {ARROW} {_shape(b.input_shape)}")
    if a.batch_size != b.batch_size:
        items.append(f"batch {a.batch_size} {ARROW} {b.batch_size}")
    if a.dtype != b.dtype:
        items.append(f"{a.dtype} {ARROW} {b.dtype}")
    oa, ob = before.options, after.options
    if oa.input != ob.input:
        items.append(f"input {ob.input.describe()}")
    if ob.trained is not None and oa.trained is not ob.trained:
        items.append(f"weights of {ob.trained.describe()}")
    elif oa.weights != ob.weights or oa.trained is not ob.trained:
        items.append("weights " + (_file(ob.weights) if ob.weights else "removed"))
    if oa.device != ob.device:
        items.append(f"{oa.device} {ARROW} {ob.device}")
    return items


def _names(verb: str, names: list[str]) -> str:
    shown = ", ".join(names[:2])
    return f"{verb} {shown}" + (f" and {len(names) - 2} more" if len(names) > 2 else "")


def _value(value: object) -> str:
    return "-" if value is None else str(value)


def _shape(shape: tuple[int, int, int] | None) -> str:
    return "from Input" if shape is None else "x".join(str(d) for d in shape)


def _file(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
