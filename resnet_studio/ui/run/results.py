"""Runs as plain data: what to run (a frozen request) and what came back (numpy arrays and numbers only).

The worker turns the engine's result into these values, so the panels never see a torch object and the
request can be compared with the document to tell when results went stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from ...core.activation_stats import ActivationStats
from ...core.analysis import RunSettings
from ...core.model import Edge, GraphSnapshot, Node
from ...core.units import bytes_text

InputKind = Literal["random", "sample", "image"]
FaultKind = Literal["out_of_memory", "nan", "inf", "device_lost"]
Status = Literal["ok", "error", "cancelled"]

DEFAULT_MAX_CHANNELS = 2048
"""Channels kept per node: every channel of every ResNet stage, so the grid can page through all of them."""
DEFAULT_MAX_SIZE = 64
"""Feature maps larger than this are subsampled with a stride (bounds the memory a run keeps)."""


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
class InjectedFault:
    """A failure to inject at a node (tests and demonstrations): out of memory, NaN, Inf or a lost device."""

    kind: FaultKind
    node: str
    capacity: int | None = None
    """Pretend the device has this many bytes (for the out-of-memory advice)."""


@dataclass(frozen=True)
class RunOptions:
    """The choices on the run toolbar that are not document settings."""

    device: str = "cpu"
    input: InputChoice = field(default_factory=InputChoice)
    weights: str | None = None
    """A weights file (safetensors or a PyTorch state dict), or None for seeded random weights."""


@dataclass(frozen=True)
class RunRequest:
    """Everything one forward pass needs, frozen, so it can travel to the worker thread."""

    snapshot: GraphSnapshot
    settings: RunSettings
    options: RunOptions
    faults: tuple[InjectedFault, ...] = ()
    max_channels: int = DEFAULT_MAX_CHANNELS
    max_size: int = DEFAULT_MAX_SIZE

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


Stats = ActivationStats
"""A node's output statistics, as the engine measured them (plain numbers from the core)."""


@dataclass(frozen=True, eq=False)
class ValueHistogram:
    """How the kept values of the first sample spread: the non-zero finite ones in bins, the zeros apart
    (after a ReLU they are often a third or more of all values and would flatten every other bar)."""

    counts: np.ndarray
    edges: np.ndarray
    zeros: int
    total: int
    """Values counted (zeros included, NaN and Inf excluded)."""

    @staticmethod
    def of(values: np.ndarray, bins: int = 64) -> ValueHistogram:
        """The histogram of an array (any shape)."""
        flat = values[np.isfinite(values)].ravel()
        nonzero = flat[flat != 0]
        zeros = int(flat.size - nonzero.size)
        if nonzero.size == 0:
            return ValueHistogram(
                np.zeros(bins, dtype=np.int64), np.linspace(0.0, 1.0, bins + 1), zeros, zeros
            )
        lo, hi = float(nonzero.min()), float(nonzero.max())
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        counts, edges = np.histogram(nonzero, bins=bins, range=(lo, hi))
        return ValueHistogram(counts.astype(np.int64), edges, zeros, int(flat.size))


@dataclass(frozen=True, eq=False)
class NodeRun:
    """One node of a run: shape, time, statistics and the kept values of the first sample."""

    node_id: str
    name: str
    type: str
    shape: tuple[int, ...]
    """Output shape without the batch dimension."""
    time_ms: float | None
    finite: bool = True
    stats: Stats | None = None
    values: np.ndarray | None = None
    """First sample, float32: (C, H, W) for feature maps, (F,) for vectors; None when not captured."""
    stride: int = 1
    """Spatial subsampling of `values` (1 = every position)."""
    histogram: ValueHistogram | None = None
    preview: np.ndarray | None = None
    """A small picture for the canvas: (H, W) mean over channels, or (H, W, 3) uint8 for a 3-channel map."""

    @property
    def is_map(self) -> bool:
        """True for a stack of 2-D feature maps."""
        return self.values is not None and self.values.ndim == 3

    @property
    def channels(self) -> int:
        """Channels (or features) in the whole output."""
        return self.shape[0] if self.shape else 0

    @property
    def kept_channels(self) -> int:
        """Channels kept in `values`."""
        return 0 if self.values is None else int(self.values.shape[0])


@dataclass(frozen=True)
class RunProblem:
    """Why a run failed, in words a user can act on."""

    kind: str
    """'out_of_memory', 'non_finite', 'device', 'dtype', 'input', 'weights', 'build', 'device_lost', 'failed'."""
    message: str
    node: str | None = None
    suggested_batch: int | None = None

    @property
    def title(self) -> str:
        """A short heading for the message."""
        return PROBLEM_TITLES.get(self.kind, "The run failed")


PROBLEM_TITLES = {
    "out_of_memory": "Out of memory",
    "non_finite": "NaN or Inf in the activations",
    "device": "Device not available",
    "dtype": "Number format not supported",
    "input": "Input cannot be used",
    "weights": "Weights cannot be loaded",
    "build": "The network cannot be built",
    "device_lost": "The device stopped working",
    "failed": "The run failed",
}


@dataclass(frozen=True, eq=False)
class RunResult:
    """A finished (or failed, or cancelled) forward pass, as plain data for the panels."""

    request: RunRequest
    status: Status
    device: str
    device_title: str
    input_text: str
    nodes: tuple[NodeRun, ...] = ()
    outputs: tuple[np.ndarray, ...] = ()
    """The network's outputs, float32 (N, classes) for a classifier."""
    total_ms: float = 0.0
    peak_memory_bytes: int | None = None
    memory_measure: str = ""
    estimated_memory_bytes: int | None = None
    problem: RunProblem | None = None

    @property
    def ok(self) -> bool:
        """True when the pass ran to the end without a problem."""
        return self.status == "ok"

    @property
    def has_nodes(self) -> bool:
        """True when there is something to plot (also after a NaN, or up to an out-of-memory)."""
        return any(n.stats is not None for n in self.nodes)

    def node(self, node_id: str) -> NodeRun | None:
        """The record of a node (by id, or by name), or None."""
        for record in self.nodes:
            if node_id in (record.node_id, record.name):
                return record
        return None

    @property
    def captured(self) -> tuple[NodeRun, ...]:
        """Nodes with statistics, in network order."""
        return tuple(n for n in self.nodes if n.stats is not None)


@dataclass(frozen=True)
class DeviceChoice:
    """One device a run can use, as the toolbar lists it."""

    name: str
    """What the engine takes: 'cpu', 'cuda:0', 'mps'."""
    kind: str
    title: str
    """'CPU (16 threads)', 'NVIDIA H100 80GB HBM3'."""
    total_memory: int | None = None

    def label(self) -> str:
        """What the device list shows: 'cuda:0 · NVIDIA H100 80GB HBM3 · 79.1 GiB'."""
        if self.kind == "cpu":
            return self.title
        text = f"{self.name} · {self.title}"
        return text + (f" · {bytes_text(self.total_memory)}" if self.total_memory else "")


CPU = DeviceChoice("cpu", "cpu", "CPU")
"""What the device list shows before the devices are known (the CPU is always there)."""
