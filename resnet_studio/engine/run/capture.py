"""Activation capture: statistics of a node's whole output, and a bounded copy of it, taken off the device.

Statistics cover every value of the whole batch and are computed on the device at the moment the node produced
its output (later in-place layers such as ReLU would overwrite a tensor held by reference). What is kept is a
copy of at most `max_samples` samples, `max_channels` channels and `max_size` x `max_size` positions (larger
maps are subsampled with a stride), so memory stays bounded however large the input. The histogram is
computed from the kept values when first asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch
from torch import Tensor


@dataclass(frozen=True)
class CaptureOptions:
    """How much of each captured output to keep."""

    max_samples: int = 1
    max_channels: int = 64
    max_size: int = 64
    """Feature maps larger than this (height or width) are subsampled with a stride."""
    max_features: int = 4096
    """Flat vectors (the head's scores) keep at most this many features per sample."""
    bins: int = 64
    """Histogram bins."""


@dataclass(frozen=True)
class ActivationStats:
    """Statistics of a node's whole output (every sample, channel and position). NaN/Inf are counted, and
    the other figures are over the finite values."""

    count: int
    mean: float
    std: float
    min: float
    max: float
    zero_fraction: float
    nan_count: int = 0
    inf_count: int = 0

    @property
    def finite(self) -> bool:
        """True when there is no NaN or Inf."""
        return self.nan_count == 0 and self.inf_count == 0


@dataclass(frozen=True)
class Histogram:
    """counts[i] values fell in [edges[i], edges[i + 1])."""

    counts: np.ndarray
    edges: np.ndarray


@dataclass(frozen=True, eq=False)
class Activation:
    """One node's captured output: full shape, statistics, and the kept values (float32, N x C x H x W or N x F)."""

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
    def histogram(self) -> Histogram:
        """Histogram of the kept values (the finite ones)."""
        data = self.values[np.isfinite(self.values)]
        if data.size == 0:
            return Histogram(np.zeros(self.bins, dtype=np.int64), np.linspace(0.0, 1.0, self.bins + 1))
        lo, hi = float(data.min()), float(data.max())
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        counts, edges = np.histogram(data, bins=self.bins, range=(lo, hi))
        return Histogram(counts.astype(np.int64), edges)


def capture(value: Tensor, options: CaptureOptions) -> Activation:
    """Statistics of `value` and a bounded float32 copy of it on the CPU."""
    v = value.detach()
    stats = statistics(v)
    kept, stride = _kept(v, options)
    values = kept.to("cpu", torch.float32, copy=True).numpy()
    return Activation(tuple(v.shape), stats, values, stride, options.bins)


def statistics(v: Tensor) -> ActivationStats:
    """Mean, deviation, range, fraction of zeros and NaN/Inf counts of a whole tensor, in one device sync."""
    n = v.numel()
    if n == 0:
        return ActivationStats(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    flat = _memory_order(v)
    accumulate = torch.float64 if v.dtype == torch.float64 else torch.float32
    if flat.dtype != accumulate:
        flat = flat.to(accumulate)  # 16-bit outputs: sums and squares in float32
    # Fast vectorised kernels only: min/max in one pass (NaN propagates, Inf shows), a sum, a dot product for the
    # squares, and zeros counted as sign(x) . sign(x) (boolean reductions are several times slower here).
    low, high = torch.aminmax(flat)
    signs = torch.sign(flat)
    parts = [flat.sum(), torch.dot(flat, flat), low, high, torch.dot(signs, signs)]
    total, square_sum, lo, hi, nonzero = torch.stack(parts).tolist()
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return _with_non_finite(flat, accumulate)
    mean = total / n
    variance = max(square_sum / n - mean * mean, 0.0)
    if variance < 1e-3 * mean * mean:  # nearly constant: E[x^2] - E[x]^2 loses the digits; recompute exactly
        variance = float(torch.var(flat.double(), correction=0))
    return ActivationStats(n, mean, math.sqrt(variance), lo, hi, (n - round(nonzero)) / n)


def _memory_order(v: Tensor) -> Tensor:
    """The values as a flat view in memory order (no copy for channels-last maps either)."""
    if v.dim() == 4 and not v.is_contiguous() and v.is_contiguous(memory_format=torch.channels_last):
        return v.permute(0, 2, 3, 1).reshape(-1)
    return v.reshape(-1)


def _with_non_finite(flat: Tensor, accumulate: torch.dtype) -> ActivationStats:
    nan_count = int(torch.isnan(flat).sum())
    inf_count = int(torch.isinf(flat).sum())
    finite = flat[torch.isfinite(flat)].to(accumulate)
    n = flat.numel()
    if finite.numel() == 0:
        return ActivationStats(n, math.nan, math.nan, math.nan, math.nan, 0.0, nan_count, inf_count)
    var, mean = torch.var_mean(finite, correction=0)
    zeros = float((finite == 0).sum())
    return ActivationStats(
        n,
        float(mean),
        float(var.sqrt()),
        float(finite.min()),
        float(finite.max()),
        zeros / n,
        nan_count,
        inf_count,
    )


def is_finite(value: Tensor) -> bool:
    """True when a tensor has no NaN or Inf: one fast pass, as a sum is NaN or Inf exactly then (an overflow of
    the float32 sum itself would need values near 1e38)."""
    if not value.is_floating_point() or value.numel() == 0:
        return True
    accumulate = torch.float64 if value.dtype == torch.float64 else torch.float32
    return math.isfinite(value.detach().sum(dtype=accumulate).item())


def _kept(v: Tensor, options: CaptureOptions) -> tuple[Tensor, int]:
    kept = v[: options.max_samples]
    if kept.dim() == 4:
        kept = kept[:, : options.max_channels]
        stride = max(1, math.ceil(max(kept.shape[2], kept.shape[3]) / options.max_size))
        if stride > 1:
            kept = kept[:, :, ::stride, ::stride]
        return kept, stride
    if kept.dim() == 2:
        return kept[:, : options.max_features], 1
    return kept.reshape(kept.shape[0], -1)[:, : options.max_features], 1
