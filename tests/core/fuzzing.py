"""Seeded generators for the fuzz profile: malformed project files and random edit sequences.

Plain `random.Random(seed)` rather than hypothesis, so that tens of thousands of cases run quickly and any
failure is reproduced from its seed alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

from resnet_studio.core import Analyzer, Edge, Graph, edits, get_spec, preset
from resnet_studio.core.commands import Command, Disconnect, MoveNodes, Rename, SetParam
from resnet_studio.core.errors import GraphError
from resnet_studio.core.params import ParamSpec
from resnet_studio.core.project import Project, to_json

from .strategies import PRIMITIVES

BASES = ("resnet18", "resnet20", "empty")
_TEXTS: dict[str, str] = {}


def base_text(name: str) -> str:
    """The saved text of a preset (cached)."""
    if name not in _TEXTS:
        _TEXTS[name] = to_json(Project(Graph() if name == "empty" else preset(name)))
    return _TEXTS[name]


# --- malformed files ------------------------------------------------------------------------------------------


def hostile_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value of any kind, often one a project never holds."""
    kind = rng.randrange(16)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, -1, 1, 2, 3, 64, 2**31, -(2**63), 10**30, rng.randrange(-10, 10**6)])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e308, 1e-320, float("nan"), float("inf"), -float("inf")])
    if kind == 4:
        return "".join(rng.choice('ab \t\n"\\/{}[]:,.é中\u2028\U0001f600') for _ in range(rng.randrange(12)))
    if kind == 5:
        return rng.choice(["x" * rng.choice([201, 5000, 200_000]), "", " ", "\x00", "resnet-studio"])
    if kind == 6:
        return rng.choice(["Conv2d", "Add", "Input", "Output", "Stage", "conv", "out", "x", "in1", "in9"])
    if kind == 7 and depth < 4:
        return [hostile_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 8 and depth < 4:
        keys = ["id", "type", "name", "params", "position", "expanded_from", "src", "dst", "x", ""]
        return {rng.choice(keys): hostile_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    if kind == 9:
        deep = rng.choice([10, 300, 900, 3000])
        return (
            json.loads("[" * min(deep, 500) + "]" * min(deep, 500))
            if deep <= 500
            else _Raw("[" * deep + "]" * deep)
        )
    if kind == 10:
        return _Raw(
            rng.choice(["9" * rng.choice([31, 400, 5000]), "1e400", "-1e999", "NaN", "Infinity", "-0"])
        )
    if kind == 11:
        return _Raw('"' + rng.choice(["\\ud800", "\\udfff", "x\\udc00y", "\\u0000", "\\ud83d\\ude00"]) + '"')
    return rng.choice([1, "a", [], {}, 3.5])


class _Raw:
    """JSON text inserted as it is (what json.dumps cannot write: NaN, 5,000 digits, deep nesting, surrogates)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _dump(value: Any) -> str:
    """json.dumps that writes _Raw values verbatim."""
    raws: list[str] = []

    def default(obj: object) -> object:
        if isinstance(obj, _Raw):
            raws.append(obj.text)
            return f"\x01RAW{len(raws) - 1}\x01"
        raise TypeError(type(obj).__name__)

    text = json.dumps(value, default=default, ensure_ascii=False)
    for i, raw in enumerate(raws):
        text = text.replace(f'"\\u0001RAW{i}\\u0001"', raw)
    return text


def _mutate_document(rng: random.Random, doc: Any) -> None:
    """Change, delete or add one thing somewhere inside a parsed project."""
    if not isinstance(doc, dict):
        return
    target: Any = doc
    for _ in range(0 if rng.random() < 0.15 else rng.randrange(1, 6)):
        children = list(target.values()) if isinstance(target, dict) else list(target)
        containers = [c for c in children if isinstance(c, (dict, list)) and c]
        if not containers:
            break
        target = rng.choice(containers)
    action = rng.randrange(4)
    if isinstance(target, dict):
        keys = list(target) or ["x"]
        key = rng.choice([*keys, "extra", "nodes", "edges", "format", "format_version", "settings"])
        if action == 0 and key in target:
            del target[key]
        else:
            target[key] = hostile_value(rng)
    elif isinstance(target, list):
        if action == 0 and target:
            del target[rng.randrange(len(target))]
        elif action == 1 and target:
            target.append(rng.choice(target))  # a duplicate: same id, same edge, same port
        elif action == 2 and len(target) > 1:
            rng.shuffle(target)
        else:
            target.insert(rng.randrange(len(target) + 1), hostile_value(rng))


def malformed_file(rng: random.Random) -> bytes:
    """One file a user or a broken disk might hand over: mostly a damaged project, sometimes anything."""
    text = base_text(rng.choice(BASES))
    how = rng.randrange(10)
    if how <= 4:  # damage the document's structure or values
        doc = json.loads(text)
        for _ in range(rng.randrange(1, 4)):
            _mutate_document(rng, doc)
        return _dump(doc).encode("utf-8", "surrogatepass")
    raw = bytearray(text.encode())
    if how <= 7:  # damage the bytes
        for _ in range(rng.randrange(1, 6)):
            action = rng.randrange(4)
            i = rng.randrange(len(raw) + 1)
            if action == 0 and raw:
                raw[min(i, len(raw) - 1)] = rng.randrange(256)
            elif action == 1:
                raw = raw[:i]
            elif action == 2:
                raw[i:i] = rng.randbytes(rng.randrange(1, 9))
            else:
                raw[i:i] = rng.choice([b"{", b"[", b'"', b",", b"}", b"]", b"\\u", b"\xef\xbb\xbf", b"\x00"])
        return bytes(raw)
    if how == 8:  # something else entirely
        return _dump(hostile_value(rng)).encode("utf-8", "surrogatepass")
    return rng.choice([b"", b" \n", b"\xef\xbb\xbf{}", b"{}", b"[]", b"null", b'{"format": "resnet-studio"}'])


# --- edit sequences -------------------------------------------------------------------------------------------


def random_value(rng: random.Random, param: ParamSpec) -> object:
    """A valid value for a parameter (small numbers, to keep analysis cheap)."""
    if param.kind == "bool":
        return rng.random() < 0.5
    if param.kind == "choice":
        return rng.choice(param.choices)
    lo = int(param.minimum if param.minimum is not None else 0)
    hi = int(param.maximum if param.maximum is not None else lo + 8)
    if param.kind == "float":
        return rng.uniform(float(lo), min(float(hi), 0.9))
    return rng.randint(lo, min(hi, lo + 7))


def random_command(rng: random.Random, graph: Graph, analyzer: Analyzer) -> Command | None:
    """One edit a user could make now (it may still be refused with a GraphError)."""
    ids = [n.id for n in graph.nodes]
    kind = rng.choice(
        [
            "add",
            "remove",
            "remove",
            "connect",
            "disconnect",
            "param",
            "rename",
            "move",
            "explode",
            "collapse",
            "paste",
            "insert",
            "fix",
            "layout",
            "delete",
            "reconnect",
            "detach",
            "relink",
            "add connected",
        ]
    )
    if kind == "add" or not ids:
        return edits.add_node(graph, rng.choice(PRIMITIVES), (rng.uniform(-500, 500), rng.uniform(-500, 500)))
    node_id = rng.choice(ids)
    node = graph.node(node_id)
    spec = get_spec(node.type)
    if kind == "remove":
        return edits.remove_nodes(graph, rng.sample(ids, min(len(ids), rng.randint(1, 4))))
    if kind == "connect":
        dst = rng.choice(ids)
        ins, outs = graph.input_ports(dst), spec.outputs
        if not ins or not outs:
            return None
        return edits.connect(graph, Edge(node_id, outs[0], dst, rng.choice(ins)))
    if kind == "disconnect":
        edges = graph.edges
        return Disconnect(rng.choice(edges)) if edges else None
    if kind == "param":
        if not spec.params:
            return None
        param = rng.choice(spec.params)
        return SetParam(node_id, param.name, random_value(rng, param))  # type: ignore[arg-type]
    if kind == "rename":
        name = rng.choice(["training", "a.b", "0", "layer1", "x y", "ünï", node.name + "2", "stem"])
        return Rename(node_id, name)
    if kind == "move":
        return MoveNodes({node_id: (rng.uniform(-1e4, 1e4), rng.uniform(-1e4, 1e4))})
    if kind == "explode":
        return edits.explode(graph, analyzer.analyze(), node_id)
    if kind == "collapse":
        origins = sorted({n.expanded_from.id for n in graph.nodes if n.expanded_from is not None})
        return edits.collapse(graph, analyzer.analyze(), rng.choice(origins)) if origins else None
    if kind == "paste":
        fragment = edits.copy_fragment(graph, rng.sample(ids, min(len(ids), rng.randint(0, 4))))
        return edits.paste(graph, fragment)[0]
    if kind == "insert":
        edges = graph.edges
        return edits.insert_on_edge(graph, rng.choice(edges), "ReLU", (0.0, 0.0)) if edges else None
    if kind == "delete":
        edges = graph.edges
        loose = rng.sample(edges, min(len(edges), rng.randint(0, 2)))
        return edits.delete(graph, rng.sample(ids, min(len(ids), rng.randint(0, 3))), loose)
    if kind == "reconnect":
        return edits.delete_with_reconnect(graph, rng.sample(ids, min(len(ids), rng.randint(1, 3))))
    if kind == "detach":
        return edits.detach(graph, node_id)
    if kind == "relink":
        edges = graph.edges
        if not edges:
            return None
        old = rng.choice(edges)
        dst = rng.choice(ids)
        ports = graph.input_ports(dst)
        return (
            edits.relink(graph, old, Edge(old.src, old.src_port, dst, rng.choice(ports))) if ports else None
        )
    if kind == "add connected":
        edges = graph.edges
        if not edges:
            return None
        block = rng.choice(PRIMITIVES)
        return edits.add_connected(graph, block, (0.0, 0.0), rng.choice(edges), rng.random() < 0.5)[0]
    if kind == "fix":
        fixable = [d for d in analyzer.analyze().diagnostics if d.fix is not None]
        return edits.apply_fix(graph, rng.choice(fixable)) if fixable else None
    return edits.auto_layout(graph)


def random_edits(rng: random.Random, graph: Graph, analyzer: Analyzer, steps: int) -> Iterator[Command]:
    """Up to `steps` random edits, each done on the graph before it is yielded (refused ones change nothing and
    are skipped)."""
    for _ in range(steps):
        try:
            command = random_command(rng, graph, analyzer)
            if command is None:
                continue
            command.do(graph)
        except GraphError:
            continue
        yield command
