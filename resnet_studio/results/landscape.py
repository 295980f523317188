"""Loss landscapes: the loss along one or two random directions around a network's weights (Li et al. 2018),
streamed point by point while the grid refines, with the surface's curvature within the slice.

Plain data (numbers, strings, numpy arrays) that the engine fills and the app and the command line read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .run import RunError, Status

if TYPE_CHECKING:
    import numpy as np  # imported where it is used: the app's first paint must not wait for numpy

MIN_GRID = 3
MAX_GRID = 501
MAX_RANGE = 100.0

Statistics = Literal["recompute", "keep"]
Precision = Literal["float32", "bfloat16"]


class LandscapeOptionsError(ValueError):
    """A landscape option out of range: says which option, what it must be and what was given."""


@dataclass(frozen=True)
class LandscapeOptions:
    """Which slice to compute and how: checked when made, so a bad value never reaches the engine."""

    grid: int = 21
    """Points along each direction (the grid's corners are at -range and +range)."""
    range: float = 1.0
    """How far along each (filter-normalised) direction the slice reaches, in both signs."""
    dimensions: int = 2
    """1: a curve along one direction; 2: a surface over two."""
    seed: int = 0
    """Seeds the random directions."""
    include_norm: bool = False
    """Also move BatchNorm weights and biases (and layer biases); by default, as Li et al., they stay put."""
    coarse: int = 5
    """Points along each direction of the first, coarse grid, refined from there to `grid`."""
    statistics: Statistics = "recompute"
    """BatchNorm runs in eval mode with running statistics 'recompute'd from the centre weights on the batch,
    or those the weights came with ('keep')."""
    curvature: bool = False
    """Also estimate the principal curvatures of the full Hessian at the centre (slower)."""
    points_per_batch: int | None = None
    """Grid points evaluated at once (None: one at a time on the CPU, several on a GPU)."""
    precision: Precision = "float32"
    """'bfloat16' is used only where the centre and the coarse corners stay within 1% of float32."""
    timeout_s: float = 600.0
    """How long a process of a distributed run waits for the others before it gives up."""

    def __post_init__(self) -> None:
        _whole(self.grid, "grid", MIN_GRID, MAX_GRID)
        if self.dimensions not in (1, 2):
            raise LandscapeOptionsError(f"dimensions must be 1 or 2, not {self.dimensions!r}")
        if not isinstance(self.range, (int, float)) or not 0 < self.range <= MAX_RANGE:
            raise LandscapeOptionsError(
                f"range must be a positive number up to {MAX_RANGE:g} (the slice spans -range..range), "
                f"not {self.range!r}"
            )
        _whole(self.seed, "seed", 0, 2**63 - 1)
        _whole(self.coarse, "coarse", 2, MAX_GRID)
        if self.statistics not in ("recompute", "keep"):
            raise LandscapeOptionsError(f"statistics must be 'recompute' or 'keep', not {self.statistics!r}")
        if self.points_per_batch is not None:
            _whole(self.points_per_batch, "points per batch", 1, 1024)
        if self.precision not in ("float32", "bfloat16"):
            raise LandscapeOptionsError(f"precision must be 'float32' or 'bfloat16', not {self.precision!r}")
        if not self.timeout_s > 0:
            raise LandscapeOptionsError(
                f"timeout must be a positive number of seconds, not {self.timeout_s!r}"
            )

    @property
    def points(self) -> int:
        """How many points the grid has."""
        return int(self.grid**self.dimensions)

    def coordinates(self) -> np.ndarray:
        """The positions along each direction: `grid` evenly spaced values from -range to range."""
        import numpy as np

        return np.linspace(-self.range, self.range, self.grid)


def _whole(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LandscapeOptionsError(f"{name} must be a whole number from {low} to {high:,}, not {value!r}")


@dataclass(frozen=True)
class LandscapePoint:
    """One point of the grid, as soon as it is known."""

    index: tuple[int, ...]
    """(i,) on a curve; (i, j) on a surface: i along the first direction, j along the second."""
    coordinates: tuple[float, ...]
    loss: float
    accuracy: float
    """Fraction of the batch classified right at this point."""
    level: int
    """0 for the coarse grid, then 1, 2, ... as it refines."""
    done: int
    """Points known so far, this one included."""
    total: int


@dataclass(frozen=True)
class NonConvexity:
    """The surface's curvature within the slice (not the full Hessian's): at each interior point the eigenvalues
    of the 2x2 finite-difference Hessian over the two directions, and |lambda_min / lambda_max| where
    lambda_min < 0 (0 where the surface curves upward in every direction of the slice)."""

    ratio: np.ndarray
    """(grid-2) x (grid-2), indexed like the loss without its border; NaN where the loss is not finite."""
    min_eigenvalue: np.ndarray
    max_eigenvalue: np.ndarray
    fraction: float
    """Fraction of the interior points (with finite loss) where lambda_min < 0."""
    mean_ratio: float
    """Mean of the map over the interior points with a finite loss around them (convex points count 0), as the
    map is drawn; a few strongly concave points (lambda_max <= 0 too, ratio above 1) can weigh much in it."""
    points: int
    """Interior points with a finite loss around them."""
    roughness: float
    """Mean absolute second difference of the loss along the two directions (0 for a plane)."""


@dataclass(frozen=True)
class Curvature:
    """Principal curvatures of the full Hessian of the loss at the centre, from Hessian-vector products."""

    max_eigenvalue: float
    min_eigenvalue: float
    iterations: int
    """Hessian-vector products used for each of the two eigenvalues."""

    @property
    def ratio(self) -> float:
        """|lambda_min / lambda_max|: near 0 where the loss is locally convex."""
        return abs(self.min_eigenvalue / self.max_eigenvalue) if self.max_eigenvalue else math.inf


@dataclass(frozen=True)
class Landscape:
    """A loss curve or surface around a network's weights, complete or as far as it got; or why it stopped."""

    status: Status
    label: str
    """What was computed, in words: 'resnet56', 'plain twin'."""
    options: LandscapeOptions
    coordinates: np.ndarray
    """Positions along each direction (`options.coordinates()`)."""
    loss: np.ndarray
    """(grid,) or (grid, grid): loss[i, j] at (coordinates[i], coordinates[j]); NaN where not computed."""
    accuracy: np.ndarray
    computed: np.ndarray
    """Booleans, True where the point was computed (a loss may be infinite or NaN in its own right)."""
    batch_size: int = 0
    device: str = "cpu"
    precision: str = "float32"
    """What the points were computed in; 'bfloat16' only after it matched float32 within 1%."""
    processes: int = 1
    """Processes that shared the grid (torch.distributed ranks)."""
    seconds: float = 0.0
    nonconvexity: NonConvexity | None = None
    """For a complete surface."""
    curvature: Curvature | None = None
    notes: tuple[str, ...] = field(default=())
    """What a reader should know: how BatchNorm ran, which precision and why."""
    error: RunError | None = None

    @property
    def ok(self) -> bool:
        """True when every point was computed."""
        return self.status == "ok"

    @property
    def centre_loss(self) -> float:
        """The loss at the weights themselves: the middle point of an odd grid (NaN for an even grid, which has no
        point at the centre, or while the point is not computed)."""
        if self.options.grid % 2 == 0:
            return math.nan
        middle = self.options.grid // 2
        return float(self.loss[(middle,) * self.loss.ndim])

    @property
    def done(self) -> int:
        """How many points are computed."""
        return int(self.computed.sum())
