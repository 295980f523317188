"""Weights that came with a network (an opened checkpoint or an imported module), held by node as numpy arrays.

Weights belong to nodes, not to names: a renamed block keeps its weights, an exploded block's layers take
theirs from the block they came from, and a layer whose shape changed (or a new one) starts from random
weights. The app keeps these with the document; every run merges them into the network it builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..core.analysis import Analysis
from ..core.catalogue import COUNTERS, LayerProblem, layer_tensors
from ..core.model import Node
from ..core.shapes import Shape, TensorInfo, format_shape

if TYPE_CHECKING:  # numpy stays off the app's start-up path: the arrays arrive with an opened file
    import numpy as np

NodeArrays = Mapping[str, "np.ndarray"]
"""One node's arrays by local key ('conv1.weight', 'downsample.1.running_var')."""


@dataclass(frozen=True)
class WeightStatus:
    """Which of a node's tensors come from the attached weights and which start random."""

    source: str
    loaded: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    """Local keys with no array of the right shape: randomly initialised."""
    changed: tuple[tuple[str, Shape, Shape], ...] = ()
    """(local key, shape here, shape in the source) for the new tensors whose shape changed."""

    @property
    def has_tensors(self) -> bool:
        """False for layers without weights (ReLU, pooling, Add)."""
        return bool(self.loaded or self.new)

    @property
    def state(self) -> str:
        """'loaded', 'new', 'partly loaded' or '' (no weights)."""
        if not self.has_tensors:
            return ""
        if not self.new:
            return "loaded"
        return "partly loaded" if self.loaded else "new"

    def describe(self) -> str:
        """One line for the inspector: 'loaded from resnet50.pth (5 tensors)'."""
        total = len(self.loaded) + len(self.new)
        if self.state == "loaded":
            return f"loaded from {self.source} ({total} tensor{'s' if total != 1 else ''})"
        if self.state == "new":
            return "new: randomly initialised" + self._why()
        if self.state == "partly loaded":
            return (
                f"{len(self.loaded)} of {total} tensors loaded from {self.source}; the rest new" + self._why()
            )
        return "no weights"

    def _why(self) -> str:
        if not self.changed:
            return f" ({self.source} has none for it)" if not self.loaded else ""
        key, here, there = self.changed[0]
        more = f", and {len(self.changed) - 1} more" if len(self.changed) > 1 else ""
        return f" ({key} is {format_shape(here) or 'a scalar'} here, {format_shape(there)} in {self.source}{more})"


@dataclass(frozen=True, eq=False)
class AttachedWeights:
    """Arrays by node id, then by local key; `source` names where they came from (a file name)."""

    source: str
    by_node: Mapping[str, NodeArrays] = field(default_factory=lambda: MappingProxyType({}))

    def arrays_for(self, node: Node) -> NodeArrays:
        """A node's arrays: its own, or, for a layer exploded from a block, its part of the block's."""
        own = self.by_node.get(node.id)
        if own is not None:
            return own
        parent = node.expanded_from
        while parent is not None:
            found = self.by_node.get(parent.id)
            if found is not None and node.id.startswith(parent.id + "."):
                prefix = node.id[len(parent.id) + 1 :] + "."
                return {k[len(prefix) :]: v for k, v in found.items() if k.startswith(prefix)}
            parent = parent.expanded_from
        return {}

    def status(self, node: Node, tensors: tuple[tuple[str, Shape], ...]) -> WeightStatus:
        """How a node whose state is `tensors` (local key, shape) is served by these weights."""
        arrays = self.arrays_for(node)
        loaded: list[str] = []
        new: list[str] = []
        changed: list[tuple[str, Shape, Shape]] = []
        for key, shape in tensors:
            if key.rsplit(".", 1)[-1] in COUNTERS:
                continue  # a batch counter is not a weight
            array = arrays.get(key)
            if array is not None and tuple(array.shape) == tuple(shape):
                loaded.append(key)
            else:
                new.append(key)
                if array is not None:
                    changed.append((key, tuple(shape), tuple(array.shape)))
        return WeightStatus(self.source, tuple(loaded), tuple(new), tuple(changed))

    def status_in(self, node: Node, analysis: Analysis) -> WeightStatus | None:
        """How a node of an analysed graph is served by these weights; None while its input shape is unknown."""
        result = analysis.nodes.get(node.id)
        if result is None or not result.input_shapes or any(s is None for s in result.input_shapes):
            return None
        inputs = tuple(TensorInfo(s) for s in result.input_shapes if s is not None)
        try:
            tensors = layer_tensors(node.type, node.params, inputs)
        except LayerProblem:
            return None
        return self.status(node, tensors)

    @property
    def tensor_count(self) -> int:
        """How many arrays there are in all."""
        return sum(len(arrays) for arrays in self.by_node.values())
