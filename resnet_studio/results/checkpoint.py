"""A network read from a checkpoint file: its graph, the weights that came with it and what was recognised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.graph import Graph
from ..core.model import GraphSnapshot

if TYPE_CHECKING:
    from .weights import AttachedWeights  # an annotation only


@dataclass(frozen=True)
class OpenedCheckpoint:
    """What opening a checkpoint gives: the inferred network, its weights and a description of it."""

    snapshot: GraphSnapshot
    weights: AttachedWeights
    file_name: str
    architecture: str
    """What was recognised, in words: 'ResNet-50 (torchvision): ImageNet stem, 3-4-6-3 bottleneck blocks, ...'."""
    preset: str | None = None
    """The preset with the same structure ('resnet50'), if any."""

    def graph(self) -> Graph:
        """A new, editable graph of the network."""
        return Graph(self.snapshot)


@dataclass(frozen=True)
class OpenFailure:
    """Why a checkpoint could not be opened: the message names the first key that does not fit, if any."""

    path: str
    message: str
    key: str | None = None
