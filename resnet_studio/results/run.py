"""Forward passes: what came back (numbers, strings and numpy arrays); what to run is in run_request.py.

The engine fills these; the app plots them and the command line prints them. The request travels with its result,
so the app can tell when a result no longer matches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from ..core.activation_stats import ActivationStats
from ..core.analysis import Diagnostic

if TYPE_CHECKING:
    import numpy as np  # imported where used: the app shows its window before numpy loads

    from .run_request import RunRequest

ErrorKind = Literal[
    "build", "device", "dtype", "input", "weights", "out_of_memory", "non_finite", "device_lost", "failed"
]
Status = Literal["ok", "error", "cancelled"]

ERROR_TITLES: dict[str, str] = {
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


# --- what came back ---------------------------------------------------------------------------------------------


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

    @property
    def title(self) -> str:
        """A short heading for the message."""
        return ERROR_TITLES.get(self.kind, "The run failed")

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, eq=False)
class ValueHistogram:
    """How kept values spread: the non-zero finite ones in bins, the zeros apart (after a ReLU they are often a
    third or more of all values and would flatten every other bar)."""

    counts: np.ndarray
    edges: np.ndarray
    zeros: int
    total: int
    """Values counted (zeros included, NaN and Inf excluded)."""

    @staticmethod
    def of(values: np.ndarray, bins: int = 64) -> ValueHistogram:
        """The histogram of an array (any shape)."""
        import numpy as np

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


def preview_map(values: np.ndarray) -> np.ndarray | None:
    """What a thumbnail shows of a (C, H, W) output: the picture itself (H, W, 3 uint8) for a 3-channel map such
    as the input, otherwise the mean over channels (H, W float32); None for vectors."""
    if values.ndim != 3 or values.size == 0:
        return None
    import numpy as np

    finite = np.where(np.isfinite(values), values, 0.0)
    if values.shape[0] == 3:
        low, high = float(finite.min()), float(finite.max())
        span = high - low or 1.0
        rgb = ((finite - low) / span * 255.0).clip(0, 255).astype(np.uint8)
        return np.ascontiguousarray(rgb.transpose(1, 2, 0))
    return np.ascontiguousarray(finite.mean(axis=0), dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Activation:
    """One node's captured output: full shape, statistics of every value, and a bounded copy (float32,
    N x C x H x W or N x F)."""

    shape: tuple[int, ...]
    """The whole output's shape, batch included."""
    stats: ActivationStats
    values: np.ndarray
    stride: int = 1
    """Spatial subsampling of `values` (1 = every position)."""
    bins: int = field(default=64, repr=False)

    @property
    def truncated(self) -> bool:
        """True when `values` holds less than the whole output."""
        return tuple(self.values.shape) != tuple(self.shape)

    @cached_property
    def first(self) -> np.ndarray:
        """The kept values of the first sample, float32: (C, H, W) for feature maps, (F,) for vectors."""
        import numpy as np

        values = np.ascontiguousarray(self.values[0], dtype=np.float32)
        return values if values.ndim in (1, 3) else values.reshape(-1)

    @cached_property
    def histogram(self) -> ValueHistogram:
        """How the first sample's kept values spread (what the feature maps show)."""
        return ValueHistogram.of(self.first, self.bins)

    @cached_property
    def preview(self) -> np.ndarray | None:
        """A small picture of the first sample (see preview_map)."""
        return preview_map(self.first)

    def settle(self) -> None:
        """Compute the derived views now (call it on a worker thread, so the window never waits for them)."""
        _ = self.first, self.histogram, self.preview


@dataclass(frozen=True)
class NodeRecord:
    """One node of a forward pass: its output shape, time and (when captured) activation."""

    node_id: str
    name: str
    type: str
    shape: tuple[int, ...]
    """The real output shape, without the batch dimension."""
    expected_shape: tuple[int, ...] | None
    """The analysed output shape."""
    time_ms: float | None
    activation: Activation | None = None
    finite: bool = True
    """False when the output held NaN or Inf."""

    @property
    def stats(self) -> ActivationStats | None:
        """Statistics of the whole output, when captured."""
        return self.activation.stats if self.activation is not None else None

    @property
    def values(self) -> np.ndarray | None:
        """The first sample's kept values ((C, H, W) or (F,)), when captured."""
        return self.activation.first if self.activation is not None else None

    @property
    def stride(self) -> int:
        """Spatial subsampling of `values` (1 = every position)."""
        return self.activation.stride if self.activation is not None else 1

    @property
    def histogram(self) -> ValueHistogram | None:
        """How the kept values spread, when captured."""
        return self.activation.histogram if self.activation is not None else None

    @property
    def preview(self) -> np.ndarray | None:
        """A small picture for the canvas, when captured and a feature map."""
        return self.activation.preview if self.activation is not None else None

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
        values = self.values
        return 0 if values is None else int(values.shape[0])


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
    request: RunRequest | None = None
    """The request this pass answered, when it was run from one."""

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

    def find(self, name: str) -> NodeRecord | None:
        """The record of the node with this name (or id), or None."""
        for record in self.nodes:
            if name in (record.name, record.node_id):
                return record
        return None

    @property
    def activations(self) -> dict[str, Activation]:
        """Captured activations by node name, in network order."""
        return {r.name: r.activation for r in self.nodes if r.activation is not None}

    @property
    def captured(self) -> tuple[NodeRecord, ...]:
        """Nodes with statistics, in network order."""
        return tuple(n for n in self.nodes if n.activation is not None)

    @property
    def has_nodes(self) -> bool:
        """True when there is something to plot (also after a NaN, or up to an out-of-memory)."""
        return any(n.activation is not None for n in self.nodes)

    def settle(self) -> None:
        """Compute every derived view (first samples, histograms, previews) now, off the GUI thread."""
        for record in self.nodes:
            if record.activation is not None:
                record.activation.settle()
