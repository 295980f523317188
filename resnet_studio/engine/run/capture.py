"""Activation capture: what is kept of a node's output (statistics of every value, a bounded copy), and eager helpers.

Statistics cover every value of the whole batch and are taken at the moment the node produced its output (later
in-place layers such as ReLU would overwrite a tensor held by reference); stats.py computes them and recorder.py
decides when they are read back. What is kept is a copy of at most `max_samples` samples, `max_channels` channels
and `max_size` x `max_size` positions (larger maps are subsampled with a stride), so memory stays bounded however
large the input. The histogram is computed from the kept values when first asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ...core.activation_stats import ActivationStats
from ...results.run import Activation
from .readback import Readback
from .stats import (
    Recipe,
    accumulation_dtype,
    exact_statistics,
    recipe_for,
    reduce,
    zero_counter_for,
)

__all__ = [
    "Activation",
    "ActivationStats",
    "CaptureOptions",
    "capture",
    "is_finite",
    "statistics",
]


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


def capture(value: Tensor, options: CaptureOptions) -> Activation:
    """Statistics of `value` and a bounded float32 copy of it on the CPU, read back at once."""
    v = value.detach()
    kept, stride = kept_view(v, options)
    values = kept.to("cpu", torch.float32, copy=True).numpy()
    return Activation(tuple(v.shape), statistics(v), values, stride, options.bins)


def statistics(v: Tensor, *, recipe: Recipe | None = None, chunk: int | None = None) -> ActivationStats:
    """Mean, deviation, range, fraction of zeros and NaN/Inf counts of a whole tensor, read back at once.

    `recipe`: the reductions to use (by default the fastest on the tensor's device); `chunk`: values reduced at
    once (CHUNK_ELEMENTS by default).
    """
    v = v.detach()
    pending, tensors = reduce(v, recipe or recipe_for(v.device), zero_counter_for(v.device), chunk)
    readback = Readback(v.device)
    readback.add_numbers(tensors)
    readback.fetch()
    return pending.resolve(readback.numbers) or exact_statistics(v, chunk)


def finite_flag(value: Tensor) -> Tensor | None:
    """A 0-d tensor that is finite exactly when `value` has no NaN or Inf (its sum: an overflow of the float32 sum
    itself would need values near 1e38), queued without waiting; None for tensors that cannot hold NaN.
    Call it without autograd (torch.no_grad()) or on a detached tensor."""
    if not value.is_floating_point() or value.numel() == 0:
        return None
    if value.dtype in _SUMS_IN_OWN_TYPE:  # asking for the type it already has costs torch a slower path
        return value.sum()
    return value.sum(dtype=accumulation_dtype(value.dtype))


_SUMS_IN_OWN_TYPE = (torch.float32, torch.float64)


def is_finite(value: Tensor) -> bool:
    """True when a tensor has no NaN or Inf: one fast pass (see finite_flag)."""
    flag = finite_flag(value.detach())
    return flag is None or math.isfinite(flag.item())


def kept_elements(shape: tuple[int, ...], options: CaptureOptions) -> int:
    """How many values kept_view keeps of an output of this shape (batch included)."""
    if not shape:
        return 1
    samples = min(shape[0], options.max_samples)
    if len(shape) == 4:
        height, width = shape[2], shape[3]
        stride = max(1, math.ceil(max(height, width) / options.max_size))
        return (
            samples
            * min(shape[1], options.max_channels)
            * math.ceil(height / stride)
            * math.ceil(width / stride)
        )
    return samples * min(math.prod(shape[1:]), options.max_features)


def kept_view(v: Tensor, options: CaptureOptions) -> tuple[Tensor, int]:
    """The part of an output to keep (a view: the first samples and channels, strided maps) and its stride."""
    if v.dim() == 4:
        n, c, height, width = v.shape
        stride = max(1, math.ceil(max(height, width) / options.max_size))
        if stride > 1:
            return v[: options.max_samples, : options.max_channels, ::stride, ::stride], stride
        # narrow() rather than indexing, and only where needed: on a GPU each call is host time in the pass.
        if n > options.max_samples:
            v = v.narrow(0, 0, options.max_samples)
        if c > options.max_channels:
            v = v.narrow(1, 0, options.max_channels)
        return v, 1
    kept = v[: options.max_samples]
    if kept.dim() == 2:
        return kept[:, : options.max_features], 1
    return kept.reshape(kept.shape[0], -1)[:, : options.max_features], 1
