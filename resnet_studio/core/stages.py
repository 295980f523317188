"""Stages of a network: runs of blocks at one resolution, found from torchvision's names or the downsampling points.

The layout draws one column per stage and the canvas writes a label above each ("layer2: 4 blocks, 128 ch,
28x28"). Names come first (torchvision's `layer2.1`, and `layer2.1.conv1` once exploded); a network without them
is split where its feature maps shrink, when the shapes are known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .catalogue import get_spec
from .graph import Graph
from .model import Node
from .shapes import Shape

_STAGE_NAME = re.compile(r"^(layer\d+)(?:\.(\d+))?(?:\.|$)")


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage: its name, its nodes in the order data flows, and how many blocks they make."""

    name: str
    node_ids: tuple[str, ...]
    blocks: int
    unit: str = "blocks"
    """What `blocks` counts: 'blocks' (residual blocks) or 'layers' (a stage of plain layers)."""

    @property
    def first(self) -> str:
        """The node the stage starts with (its label sits above it)."""
        return self.node_ids[0]

    @property
    def last(self) -> str:
        """The node whose output leaves the stage."""
        return self.node_ids[-1]

    def caption(self, output_shape: Shape | None) -> str:
        """What the stage holds and makes: '4 blocks, 128 ch, 28x28' ('?' for what is not known)."""
        unit = self.unit if self.blocks != 1 else self.unit.rstrip("s")
        parts = [f"{self.blocks} {unit}"]
        if output_shape is not None and len(output_shape) == 3:
            parts += [f"{output_shape[0]} ch", f"{output_shape[1]}x{output_shape[2]}"]
        elif output_shape is not None:
            parts.append("x".join(str(d) for d in output_shape))
        else:
            parts.append("? ch")
        return ", ".join(parts)

    def label(self, output_shape: Shape | None) -> str:
        """The one-line label: 'layer2: 4 blocks, 128 ch, 28x28'."""
        return f"{self.name}: {self.caption(output_shape)}"


@dataclass(frozen=True, slots=True)
class StagePlan:
    """A network cut into what comes before the stages (input, stem), the stages, and what follows (head)."""

    lead: tuple[str, ...]
    stages: tuple[Stage, ...]
    tail: tuple[str, ...]


def block_key(name: str) -> str:
    """The block a node belongs to: 'layer2.1' for 'layer2.1.conv1' and for 'layer2.1'; else the name's first part."""
    match = _STAGE_NAME.match(name)
    if match is None:
        return name.split(".")[0]
    return match.group(0).rstrip(".")


def starts_stage(name: str, before: str) -> bool:
    """True when a node of this name, after one named `before`, opens a stage of its own (its card gets a
    stage label): layer2 after layer1.1, but not layer2.1 after layer2.0."""
    match = _STAGE_NAME.match(name)
    if match is None:
        return False
    previous = _STAGE_NAME.match(before)
    return previous is None or previous.group(1) != match.group(1)


def find_stages(graph: Graph, shapes: Mapping[str, Shape | None] | None = None) -> StagePlan:
    """The stages of a network, by name or else by downsampling point; no stages when neither says anything."""
    order = graph.topological_order()
    plan = _by_name(graph, order)
    if plan is None and shapes is not None:
        plan = _by_resolution(graph, order, shapes)
    return plan if plan is not None else StagePlan(tuple(order), (), ())


def _by_name(graph: Graph, order: tuple[str, ...]) -> StagePlan | None:
    lead: list[str] = []
    runs: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    for node_id in order:
        match = _STAGE_NAME.match(graph.node(node_id).name)
        if match is None:
            (pending if runs else lead).append(node_id)
            continue
        key = match.group(1)
        if runs and runs[-1][0] == key:
            runs[-1][1].extend(pending)
        elif any(name == key for name, _ in runs):
            return None  # a stage that comes back later: the names do not describe the structure
        else:
            if runs:
                runs[-1][1].extend(pending)  # layers between two stages belong to the first of them
            runs.append((key, []))
        pending = []
        runs[-1][1].append(node_id)
    if not runs:
        return None
    stages = []
    for name, ids in runs:
        nodes = [graph.node(n) for n in ids]
        blocks = {block_key(node.name): _blocks_in(node) for node in nodes if _STAGE_NAME.match(node.name)}
        stages.append(Stage(name, tuple(ids), sum(blocks.values())))
    return StagePlan(tuple(lead), tuple(stages), tuple(pending))


def _blocks_in(node: Node) -> int:
    """How many residual blocks a node is: a stage node (a block with a count of blocks) is all of its blocks."""
    if any(p.name == "blocks" for p in get_spec(node.type).params):
        return node.params.as_int("blocks")
    return 1


def _spatial(shape: Shape | None) -> tuple[int, int] | None:
    return (shape[1], shape[2]) if shape is not None and len(shape) == 3 else None


def _by_resolution(
    graph: Graph, order: tuple[str, ...], shapes: Mapping[str, Shape | None]
) -> StagePlan | None:
    """Cut where the feature maps get smaller; a run of one node joins the next run (an input, a pooling), or the
    head when it is the last (a global pooling)."""
    runs: list[list[str]] = []
    tail: list[str] = []
    size: tuple[int, int] | None = None
    for node_id in order:
        here = _spatial(shapes.get(node_id))
        if shapes.get(node_id) is not None and here is None:
            tail.append(node_id)  # flattened: the head
            continue
        if tail:
            return None  # feature maps again after a flatten: not a chain of stages
        if here is not None and (size is None or here[0] < size[0] or here[1] < size[1]):
            runs.append([])
            size = here
        elif not runs:
            runs.append([])
        runs[-1].append(node_id)
    if runs and len(runs[-1]) == 1:
        tail = runs.pop() + tail  # a last lone shrink (a global pooling) belongs to the head
    merged: list[list[str]] = []
    carry: list[str] = []
    for run in runs:
        if len(run) == 1 and run is not runs[-1]:
            carry += run  # a lone node (the input, a pooling) opens the run after it
            continue
        merged.append(carry + run)
        carry = []
    if len(merged) < 2:
        return None
    stages = []
    for i, ids in enumerate(merged, start=1):
        composite = all(get_spec(graph.node(n).type).is_composite for n in ids)
        stages.append(Stage(f"stage {i}", tuple(ids), len(ids), "blocks" if composite else "layers"))
    return StagePlan((), tuple(stages), tuple(tail))


__all__ = ["Stage", "StagePlan", "block_key", "find_stages", "starts_stage"]
