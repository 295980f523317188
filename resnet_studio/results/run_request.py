"""What a forward pass runs: the frozen request (network, settings, device, input, weights) and the devices.

The app makes these before the window's first paint (the run bar's choices); what comes back is in run.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..core.analysis import RunSettings
from ..core.model import Edge, GraphSnapshot, Node
from ..core.units import bytes_text

if TYPE_CHECKING:
    from .training import TrainedNetwork  # annotations only: the app's start-up skips their import
    from .weights import AttachedWeights

InputKind = Literal["random", "sample", "image"]

DEFAULT_MAX_CHANNELS = 2048
"""Channels kept per node: every channel of every ResNet stage, so the grid can page through all of them."""
DEFAULT_MAX_SIZE = 64
"""Feature maps larger than this are subsampled with a stride (bounds the memory a run keeps)."""


# --- what to run ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputChoice:
    """Where the input batch comes from: seeded random normal, the shipped sample image, or an image file."""

    kind: InputKind = "random"
    path: str | None = None
    seed: int = 0

    def engine_value(self) -> str:
        """What the engine takes as `input`: 'random', 'sample' or the image path."""
        if self.kind == "image" and self.path:
            return self.path
        return "sample" if self.kind == "sample" else "random"

    def describe(self) -> str:
        """'random (seed 0)', 'sample image' or the image's file name."""
        if self.kind == "random":
            return f"random (seed {self.seed})"
        if self.kind == "sample":
            return "sample image"
        return Path(self.path).name if self.path else "image"


@dataclass(frozen=True)
class RunOptions:
    """The choices of a run that are not the document's settings: device, input and weights."""

    device: str = "cpu"
    input: InputChoice = field(default_factory=InputChoice)
    weights: str | None = None
    """A weights file (safetensors or a PyTorch state dict), or None for seeded random weights."""
    trained: TrainedNetwork | None = None
    """Weights kept from a race (used instead of `weights`): the app sets one or the other."""

    def describe_weights(self) -> str:
        """Where the weights come from, in words: 'random', a file name, or a trained network."""
        if self.trained is not None:
            return self.trained.describe()
        return Path(self.weights).name if self.weights else "random"


@dataclass(frozen=True)
class RunRequest:
    """Everything one forward pass needs, frozen, so it can travel to a worker thread."""

    snapshot: GraphSnapshot
    settings: RunSettings
    options: RunOptions = field(default_factory=RunOptions)
    max_channels: int = DEFAULT_MAX_CHANNELS
    max_size: int = DEFAULT_MAX_SIZE
    weights: AttachedWeights | None = None
    """The weights that came with the network (an opened checkpoint); a weights file in `options` wins."""

    @property
    def key(self) -> tuple[object, ...]:
        """What the results depend on (positions excluded): equal keys mean the results still hold."""
        return run_key(self.snapshot.nodes, self.snapshot.edges, self.settings, self.options)


def run_key(
    nodes: tuple[Node, ...] | list[Node],
    edges: tuple[Edge, ...] | list[Edge],
    settings: RunSettings,
    options: RunOptions,
) -> tuple[object, ...]:
    """A hashable fingerprint of a network and its run settings, ignoring where the cards sit."""
    structure = frozenset((n.id, n.type, n.name, n.params) for n in nodes)
    return (structure, frozenset(edges), settings, options)


@dataclass(frozen=True)
class DeviceInfo:
    """One device a run can use."""

    name: str
    """What to pass as `device`: 'cpu', 'cuda:0', 'mps'."""
    kind: str
    """'cpu', 'cuda' or 'mps'."""
    title: str
    """What to show: 'CPU (16 threads)', 'NVIDIA H100 80GB HBM3'."""
    total_memory: int | None = None
    """Bytes of device memory (None for the CPU and MPS, which share system memory)."""

    def label(self) -> str:
        """What a device list shows: 'cuda:0 · NVIDIA H100 80GB HBM3 · 79.1 GiB'."""
        if self.kind == "cpu":
            return self.title
        text = f"{self.name} · {self.title}"
        return text + (f" · {bytes_text(self.total_memory)}" if self.total_memory else "")


CPU = DeviceInfo("cpu", "cpu", "CPU")
"""The device every machine has (what a device list shows before the devices are known)."""
