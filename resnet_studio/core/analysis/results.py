"""Immutable analysis results: per-node shapes and costs, totals and diagnostics."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum

from ..catalogue import Fix
from ..quoting import quote
from ..shapes import DTYPE_BYTES, MAX_BATCH, MAX_INPUT_VALUES, Shape


class Severity(str, Enum):
    """How bad a diagnostic is: errors stop the network from running, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem pinned to a node (and port): what was expected, what was found, and a suggested fix."""

    severity: Severity
    node_id: str
    node_name: str
    message: str
    port: str | None = None
    expected: str | None = None
    actual: str | None = None
    fix: Fix | None = None

    @property
    def is_error(self) -> bool:
        """True for errors."""
        return self.severity is Severity.ERROR

    @property
    def short(self) -> str:
        """What fits on a card: the numbers that matter ('expected 128x28x28, found 64x56x56'), else the message."""
        if self.expected and self.actual:
            return f"expected {self.expected}, found {self.actual}"
        return self.message

    def __str__(self) -> str:
        where = f"{self.node_name}" + (f" (input {self.port})" if self.port and self.port != "x" else "")
        text = f"{self.severity.value}: {where}: {self.message}"
        if self.fix is not None:
            text += f" [fix: {self.fix.label}]"
        return text


@dataclass(frozen=True, slots=True)
class RunSettings:
    """What the analysis (and a run) assumes: input size, batch size, number format, and whether it trains."""

    input_shape: tuple[int, int, int] | None = None
    """Overrides every Input node's CxHxW when set."""
    batch_size: int = 1
    dtype: str = "float32"
    training: bool = False
    """A training pass: BatchNorm then normalises with the batch's statistics, which needs more than one value
    per channel."""

    def __post_init__(self) -> None:
        shape = self.input_shape
        if shape is not None and (
            not isinstance(shape, tuple)
            or len(shape) != 3
            or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in shape)
        ):
            raise ValueError(f"input shape must be three positive integers CxHxW, found {quote(shape)}")
        if not isinstance(self.batch_size, int) or isinstance(self.batch_size, bool) or self.batch_size < 1:
            raise ValueError(f"batch size must be a positive integer, found {quote(self.batch_size)}")
        if self.dtype not in DTYPE_BYTES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, found {quote(self.dtype)}")
        if shape is not None and shape[0] * shape[1] * shape[2] > MAX_INPUT_VALUES:
            sides = "x".join(str(d) if d <= MAX_INPUT_VALUES else f"({quote(d)})" for d in shape)
            raise ValueError(
                f"an input of {sides} is more than any device could hold: at most {MAX_INPUT_VALUES:,} values per "
                "sample (e.g. 3x26754x26754)"
            )
        if self.batch_size > MAX_BATCH:
            raise ValueError(
                f"batch size must be between 1 and {MAX_BATCH:,}, found {quote(self.batch_size)}"
            )

    @property
    def dtype_bytes(self) -> int:
        """Bytes per element."""
        return DTYPE_BYTES[self.dtype]


@dataclass(frozen=True, slots=True)
class NodeAnalysis:
    """Shapes and costs of one node. Unknown figures (upstream errors) leave output_shape None and costs 0."""

    node_id: str
    type: str
    input_shapes: tuple[Shape | None, ...]
    output_shape: Shape | None
    params: int = 0
    """Trainable parameters."""
    buffers: int = 0
    """Non-trainable state, such as BatchNorm's running statistics."""
    macs: int = 0
    """Multiply-accumulates of convolutions and linear layers (one MAC = one multiply and one add)."""
    output_bytes: int = 0
    """Memory of this node's forward output for the whole batch."""
    training_bytes: int = 0
    """Memory training keeps for backward: every layer output inside this node, for the whole batch."""
    receptive_field: int | None = None
    """Input pixels that one output element sees (along one axis)."""
    rf_stride: int | None = None
    """Input pixels between neighbouring output elements (the cumulative stride)."""
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def flops(self) -> int:
        """Floating-point operations, counted as 2 x MACs."""
        return 2 * self.macs

    @property
    def has_error(self) -> bool:
        """True when this node has an error."""
        return any(d.is_error for d in self.diagnostics)

    @property
    def known(self) -> bool:
        """True when the shapes and costs could be computed."""
        return self.output_shape is not None


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over the whole network."""

    params: int = 0
    buffers: int = 0
    macs: int = 0
    training_bytes: int = 0
    param_bytes: int = 0
    errors: int = 0
    warnings: int = 0
    unknown: int = 0
    """Nodes whose shapes and costs are unknown (a problem upstream): the sums leave them out."""
    nodes: int = 0

    @property
    def flops(self) -> int:
        """Floating-point operations, counted as 2 x MACs."""
        return 2 * self.macs

    @property
    def partial(self) -> bool:
        """True when some node's figures are unknown, so the sums count only the others."""
        return self.unknown > 0


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysis of a whole network under some run settings."""

    settings: RunSettings
    order: tuple[str, ...]
    """Node ids in topological order."""
    nodes: Mapping[str, NodeAnalysis]
    diagnostics: tuple[Diagnostic, ...]
    totals: Totals
    recomputed: frozenset[str] = field(default_factory=frozenset)
    """Nodes whose figures changed since the previous analysis (everything, the first time)."""

    def __getitem__(self, node_id: str) -> NodeAnalysis:
        return self.nodes[node_id]

    def __iter__(self) -> Iterator[NodeAnalysis]:
        return (self.nodes[node_id] for node_id in self.order)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Every error, in network order."""
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Every warning, in network order."""
        return tuple(d for d in self.diagnostics if not d.is_error)

    @property
    def ok(self) -> bool:
        """True when the network has no errors (it can run)."""
        return self.totals.errors == 0
