"""The curvature of a loss surface within its slice, as Li et al. (2018) map it: at each interior grid point the
2x2 Hessian of the loss over the two directions by central finite differences, its eigenvalues, and
|lambda_min / lambda_max| where lambda_min < 0."""

from __future__ import annotations

import numpy as np

from ...results.landscape import NonConvexity

_ROUNDING = 1e-6
"""Losses are computed in float32 (about 7 digits): a second difference below _ROUNDING times the size of the
losses around a point is rounding, not curvature, and counts as flat."""


def nonconvexity(loss: np.ndarray, spacing: float) -> NonConvexity:
    """The non-convexity map of a complete surface `loss[i, j]` sampled every `spacing` along both directions."""
    f = np.asarray(loss, dtype=np.float64)
    if f.ndim != 2 or min(f.shape) < 3:
        raise ValueError(f"the non-convexity map needs a surface of at least 3x3 points, not {f.shape}")
    h2 = spacing * spacing
    centre = f[1:-1, 1:-1]
    fxx = (f[2:, 1:-1] - 2 * centre + f[:-2, 1:-1]) / h2
    fyy = (f[1:-1, 2:] - 2 * centre + f[1:-1, :-2]) / h2
    fxy = (f[2:, 2:] - f[2:, :-2] - f[:-2, 2:] + f[:-2, :-2]) / (4 * h2)
    with np.errstate(invalid="ignore", over="ignore"):
        mean = (fxx + fyy) / 2
        radius = np.sqrt(((fxx - fyy) / 2) ** 2 + fxy**2)
        high, low = mean + radius, mean - radius
        finite = np.isfinite(high) & np.isfinite(low)
        noise = _ROUNDING * _local_size(f) / h2
        negative = finite & (low < -noise)
        ratio = np.where(negative, np.abs(low) / np.where(high == 0, np.nan, np.abs(high)), 0.0)
        ratio = np.where(negative & (high == 0), np.inf, ratio)
        ratio = np.where(finite, ratio, np.nan)
    points = int(finite.sum())
    bad = int(negative.sum())
    second = np.concatenate([np.abs(fxx[finite]) * h2, np.abs(fyy[finite]) * h2])
    return NonConvexity(
        ratio=ratio,
        min_eigenvalue=np.where(finite, low, np.nan),
        max_eigenvalue=np.where(finite, high, np.nan),
        fraction=bad / points if points else float("nan"),
        mean_ratio=float(np.mean(ratio[finite])) if points else float("nan"),
        points=points,
        roughness=float(np.mean(second)) if second.size else float("nan"),
    )


def _local_size(f: np.ndarray) -> np.ndarray:
    """The largest |loss| in each interior point's 3x3 neighbourhood."""
    size = np.abs(f)
    rows, cols = f.shape
    shifted = [size[1 + di : rows - 1 + di, 1 + dj : cols - 1 + dj] for di in (-1, 0, 1) for dj in (-1, 0, 1)]
    largest: np.ndarray = np.max(shifted, axis=0)
    return largest
