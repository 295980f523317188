"""Results of runs: plain data (numbers, strings, numpy arrays) that a UI can plot without touching torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ...core.analysis import Diagnostic
from ...core.shapes import Shape
from .capture import Activation

ErrorKind = Literal[
    "build", "device", "dtype", "input", "weights", "out_of_memory", "non_finite", "device_lost", "failed"
]
Status = Literal["ok", "error", "cancelled"]


@dataclass(frozen=True)
class RunError:
    """Why a run failed, in words a user can act on, and where."""

    kind: ErrorKind
    message: str
    node: str | None = None
    """Name of the node where it happened, when it is known."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """For 'build': the analysis errors that stop the network from being built."""
    estimated_bytes: int | None = None
    """For 'out_of_memory': the analysis' estimate for the run."""
    suggested_batch: int | None = None
    """For 'out_of_memory': a smaller batch that the estimate says fits."""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class NodeRecord:
    """One node of a forward pass: its output shape, time and (when captured) activation."""

    node_id: str
    name: str
    type: str
    shape: Shape
    """The real output shape, without the batch dimension."""
    expected_shape: Shape | None
    """The analysed output shape."""
    time_ms: float | None
    activation: Activation | None = None
    finite: bool = True
    """False when the output held NaN or Inf."""


@dataclass(frozen=True)
class ForwardResult:
    """A forward pass: per-node records in network order, the outputs, time and memory; or why it stopped."""

    status: Status
    device: str
    device_title: str
    dtype: str
    batch_size: int
    channels_last: bool
    input: str
    """Where the input came from, in words."""
    nodes: tuple[NodeRecord, ...] = ()
    outputs: tuple[np.ndarray, ...] = ()
    """The network's outputs (float32, at most 64 samples each)."""
    total_ms: float = 0.0
    peak_memory_bytes: int | None = None
    memory_measure: str = ""
    """What peak_memory_bytes means: 'CUDA max_memory_allocated' or 'growth of resident memory (RSS)'."""
    estimated_memory_bytes: int | None = None
    """The analysis' estimate for this run (weights and every node's output)."""
    error: RunError | None = None
    layers: dict[str, Activation] = field(default_factory=dict)
    """Captured outputs of layers inside blocks, by module path ('layer1.0.conv1'), when asked for."""

    @property
    def ok(self) -> bool:
        """True when the pass ran to the end without a problem."""
        return self.status == "ok"

    def node(self, name: str) -> NodeRecord:
        """The record of the node with this name (or id); KeyError naming the recorded nodes otherwise."""
        for record in self.nodes:
            if name in (record.name, record.node_id):
                return record
        raise KeyError(f"no node {name!r} in this run; it has {', '.join(r.name for r in self.nodes)}")

    @property
    def activations(self) -> dict[str, Activation]:
        """Captured activations by node name, in network order."""
        return {r.name: r.activation for r in self.nodes if r.activation is not None}
