"""Statistics of a whole tensor: a few reductions queued on its device, read back later, combined on the host.

Two recipes give the same figures with the fewest passes over the data where they run:

- "moments" (CUDA): aminmax, var_mean (Welford: exact for nearly constant outputs too) and the count of non-zeros
  (an L0 norm). Three kernels: on a GPU every launch costs host time, and a launch-bound network has none to spare.
  `reduce_rows` does the same for many equal-size outputs at once, as the rows of one tensor.
- "sums" (CPU and MPS): the minimum and maximum, a sum, a dot product for the squares, and zeros counted as
  sign(x) . sign(x) through one small reused buffer. These are the fastest CPU kernels (var_mean, count_nonzero and
  boolean sums are several times slower there); E[x^2] - E[x]^2 loses digits for nearly constant outputs, which
  then take the exact path. On the CPU all five run on one piece of ZERO_BUFFER_ELEMENTS values before the next,
  so each piece is read from the core's cache instead of memory (about a quarter less time than whole outputs).

Nothing here waits for the device: `reduce` queues the reductions and returns their layout (PendingStats) and
their 0-d results, which the caller reads back at once or together with every other node's at the end of a pass.
Values are reduced in chunks of at most CHUNK_ELEMENTS, so temporaries (a 16-bit chunk's float32 copy) stay
bounded whatever the output's size, and counts accumulated in float32 stay exact (every integer up to 2^24 is).
Outputs holding NaN or Inf take `exact_statistics`, which needs the tensor itself.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from ...core.activation_stats import ActivationStats

CHUNK_ELEMENTS = 2**24
"""Values reduced at once: bounds temporaries to 64 MiB (float32) and keeps float32 counts exact."""
ZERO_BUFFER_ELEMENTS = 2**17
"""Size of the CPU sign() buffer (512 KiB): pieces this size stay in a core's cache from the sign to the dot
product (about a quarter faster than whole outputs), and the few calls more cost far less."""
DEVICE_ZERO_BUFFER_ELEMENTS = 2**22
"""Largest sign() buffer on other devices than the CPU (16 MiB): bounded, it never doubles a huge output."""
NEARLY_CONSTANT = 1e-3
"""'sums' recomputes exactly when the variance is below this fraction of the squared mean (cancellation)."""

Recipe = Literal["moments", "sums"]


EMPTY = ActivationStats(0, math.nan, math.nan, math.nan, math.nan, math.nan)


def recipe_for(device: torch.device) -> Recipe:
    """The reductions that are fastest on this kind of device ('moments' on CUDA; other devices keep the
    kernels they have always run)."""
    return "moments" if device.type == "cuda" else "sums"


def accumulation_dtype(dtype: torch.dtype) -> torch.dtype:
    """Sums of 16-bit (and integer) values accumulate in float32; float64 stays float64."""
    return torch.float64 if dtype == torch.float64 else torch.float32


def memory_order(v: Tensor) -> Tensor:
    """The values as a flat view in memory order (no copy for channels-last maps either)."""
    if v.dim() == 4 and not v.is_contiguous() and v.is_contiguous(memory_format=torch.channels_last):
        return v.permute(0, 2, 3, 1).reshape(-1)
    return v.reshape(-1)


class ZeroCounter:
    """Counts non-zeros on the CPU as sign(x) . sign(x), through one small buffer reused for every tensor (a fresh
    sign() copy per tensor costs more than the arithmetic: its pages fault in each time). The buffer is a few
    hundred KiB, so each piece stays in the core's cache between the sign and the dot product."""

    def __init__(self, size: int | None = None) -> None:
        self._size = size
        self._buffer: Tensor | None = None

    @property
    def size(self) -> int:
        """Values signed at once."""
        return self._size or ZERO_BUFFER_ELEMENTS

    def count(self, values: Tensor) -> list[Tensor]:
        """0-d tensors that add up to the number of non-zero (or NaN) values in a flat tensor, each exact."""
        size = self.size
        buffer = self._buffer_for(values, size)
        n = values.numel()
        if n <= size:
            signs = torch.sign(values, out=buffer[:n])
            return [torch.dot(signs, signs)]
        counts = []
        for start in range(0, n, size):
            piece = values[start : start + size]
            signs = torch.sign(piece, out=buffer[: piece.numel()])
            counts.append(torch.dot(signs, signs))
        return counts

    def _buffer_for(self, values: Tensor, size: int) -> Tensor:
        need = min(values.numel(), size)
        buffer = self._buffer
        if (
            buffer is None
            or buffer.numel() < need
            or buffer.dtype != values.dtype
            or buffer.device != values.device
        ):
            buffer = torch.empty(need, dtype=values.dtype, device=values.device)
            self._buffer = buffer
        return buffer


_THREAD = threading.local()


def thread_zero_counter() -> ZeroCounter:
    """This thread's CPU ZeroCounter, kept between passes: a buffer allocated during every pass, among the layers'
    outputs, leaves the heap in pieces that the C library then returns to the system, and the next pass faults
    the pages in again (several milliseconds a pass on a ResNet-50)."""
    counter: ZeroCounter | None = getattr(_THREAD, "zeros", None)
    if counter is None:
        counter = _THREAD.zeros = ZeroCounter()
    return counter


def zero_counter_for(device: torch.device) -> ZeroCounter:
    """The ZeroCounter a pass on this device uses: the thread's on the CPU; elsewhere (MPS) a fresh one with
    pieces of DEVICE_ZERO_BUFFER_ELEMENTS, where every piece costs kernel launches and no cache is at stake."""
    return thread_zero_counter() if device.type == "cpu" else ZeroCounter(DEVICE_ZERO_BUFFER_ELEMENTS)


@dataclass(frozen=True)
class PendingStats:
    """How to turn a tensor's read-back reductions into statistics: which recipe, and how many values and
    reductions each chunk had ('moments' gives 5 per chunk: min, max, variance, mean, non-zeros; 'sums' gives
    4 + k: sum, sum of squares, min, max and k partial non-zero counts)."""

    count: int
    recipe: Recipe
    chunks: tuple[tuple[int, int], ...]
    """(values in the chunk, numbers it gave), in order."""

    @property
    def width(self) -> int:
        """How many numbers the reductions give."""
        return sum(width for _, width in self.chunks)

    def finite(self, numbers: Sequence[float]) -> bool:
        """True when the read-back numbers show no NaN or Inf (the minimum and maximum tell)."""
        lo_at, hi_at = (0, 1) if self.recipe == "moments" else (2, 3)
        return all(math.isfinite(p[lo_at]) and math.isfinite(p[hi_at]) for p in _split(numbers, self.chunks))

    def resolve(self, numbers: Sequence[float]) -> ActivationStats | None:
        """The statistics from the read-back numbers; None when they need `exact_statistics` (NaN or Inf
        present, or a nearly constant output under 'sums')."""
        n = self.count
        if n == 0:
            return EMPTY
        if self.recipe == "moments":
            if len(self.chunks) == 1:  # the usual case, kept cheap: it runs for every node of every pass
                lo, hi, variance, mean, nonzero = numbers
            else:
                parts = _split(numbers, self.chunks)
                if not all(math.isfinite(p[0]) and math.isfinite(p[1]) for p in parts):
                    return None  # Python's min/max skip NaN depending on order: look at every chunk
                lo, hi = min(p[0] for p in parts), max(p[1] for p in parts)
                mean, variance = _pooled([(size, p[3], p[2]) for (size, _), p in zip(self.chunks, parts)])
                nonzero = sum(p[4] for p in parts)
            if not (math.isfinite(lo) and math.isfinite(hi)):
                return None
        else:
            if len(self.chunks) == 1:
                total, squares, lo, hi = numbers[0], numbers[1], numbers[2], numbers[3]
                nonzero = sum(numbers[4:])
            elif all(width == SUMS for _, width in self.chunks):  # the CPU's pieces: one count each
                los, his = numbers[2::SUMS], numbers[3::SUMS]
                if not math.isfinite(sum(los) + sum(his)):
                    return None  # a NaN or Inf among them (min/max would skip a NaN depending on order)
                lo, hi = min(los), max(his)
                total, squares, nonzero = sum(numbers[0::SUMS]), sum(numbers[1::SUMS]), sum(numbers[4::SUMS])
            else:
                parts = _split(numbers, self.chunks)
                if not all(math.isfinite(p[2]) and math.isfinite(p[3]) for p in parts):
                    return None  # Python's min/max skip NaN depending on order: look at every chunk
                lo, hi = min(p[2] for p in parts), max(p[3] for p in parts)
                total, squares = sum(p[0] for p in parts), sum(p[1] for p in parts)
                nonzero = sum(sum(p[4:]) for p in parts)
            if not (math.isfinite(lo) and math.isfinite(hi)):
                return None
            mean = total / n
            variance = max(squares / n - mean * mean, 0.0)
            if variance < NEARLY_CONSTANT * mean * mean:
                return None
        return ActivationStats(n, mean, math.sqrt(max(variance, 0.0)), lo, hi, (n - round(nonzero)) / n)


SUMS = 5
"""Numbers per piece from the 'sums' recipe when the piece fits the sign buffer: sum, squares, min, max, non-zeros."""


def reduce(
    value: Tensor, recipe: Recipe, zeros: ZeroCounter | None = None, chunk: int | None = None
) -> tuple[PendingStats, list[Tensor]]:
    """Queue the reductions of `recipe` over every value of `value`, `chunk` values at a time (by default
    CHUNK_ELEMENTS, on the CPU the size of the sign buffer); returns the layout and the reductions' 0-d results to
    read back. Waits for nothing."""
    flat = memory_order(value)
    chunk = chunk or _chunk_for(flat, zeros)
    n = flat.numel()
    accumulate = accumulation_dtype(flat.dtype)
    if n <= chunk:  # the usual case, kept cheap: it runs for every captured node of every pass
        part = flat if flat.dtype == accumulate else flat.to(accumulate)
        got = _reductions(part, recipe, zeros)
        return PendingStats(n, recipe, ((n, len(got)),)), got
    chunks: list[tuple[int, int]] = []
    tensors: list[Tensor] = []
    for start in range(0, n, chunk):
        part = flat[start : start + chunk]
        if part.dtype != accumulate:
            part = part.to(accumulate)  # 16-bit: a float32 copy of one chunk at most
        got = _reductions(part, recipe, zeros)
        chunks.append((part.numel(), len(got)))
        tensors.extend(got)
    return PendingStats(n, recipe, tuple(chunks)), tensors


def _chunk_for(flat: Tensor, zeros: ZeroCounter | None) -> int:
    """Values reduced at once by default: on the CPU a piece the size of the sign buffer, which stays in the
    core's cache through its five reductions; elsewhere CHUNK_ELEMENTS (every piece is more kernel launches)."""
    if flat.device.type != "cpu":
        return CHUNK_ELEMENTS
    return min(CHUNK_ELEMENTS, zeros.size if zeros is not None else ZERO_BUFFER_ELEMENTS)


def _reductions(part: Tensor, recipe: Recipe, zeros: ZeroCounter | None) -> list[Tensor]:
    if recipe == "moments":
        return [*torch.aminmax(part), *torch.var_mean(part, correction=0), torch.linalg.vector_norm(part, 0)]
    if part.device.type == "cpu":  # two vectorised passes over cached values beat aminmax's one there
        lo, hi = part.amin(), part.amax()
    else:
        lo, hi = torch.aminmax(part)
    return [part.sum(), torch.dot(part, part), lo, hi, *(zeros or ZeroCounter()).count(part)]


MOMENTS = 5
"""Numbers per row from reduce_rows (the 'moments' recipe): min, max, variance, mean, non-zeros."""


def reduce_rows(rows: Tensor) -> list[Tensor]:
    """The 'moments' reductions of every row of a (k, n) tensor at once: five tensors of k values each (min, max,
    variance, mean, non-zeros). Three kernels for k outputs instead of three per output. Rows must stay within
    CHUNK_ELEMENTS values (float32 counts stay exact)."""
    if rows.dtype != accumulation_dtype(rows.dtype):
        rows = rows.to(accumulation_dtype(rows.dtype))
    return [
        *torch.aminmax(rows, dim=1),
        *torch.var_mean(rows, dim=1, correction=0),
        torch.linalg.vector_norm(rows, 0, dim=1),
    ]


def exact_statistics(value: Tensor, chunk: int | None = None) -> ActivationStats:
    """Every figure computed directly in float64, chunk by chunk: NaN and Inf counted, the rest over the finite
    values. Waits for the device once per chunk; for outputs with NaN/Inf and nearly constant ones."""
    chunk = chunk or CHUNK_ELEMENTS
    flat = memory_order(value.detach())
    n = flat.numel()
    if n == 0:
        return EMPTY
    nan_count = inf_count = zeros = 0
    lo, hi = math.inf, -math.inf
    groups: list[tuple[int, float, float]] = []
    for start in range(0, n, chunk):
        part = flat[start : start + chunk]
        finite = part[torch.isfinite(part)].double()
        nans = int(torch.isnan(part).sum())
        nan_count += nans
        inf_count += part.numel() - finite.numel() - nans
        if finite.numel() == 0:
            continue
        moments = torch.var_mean(finite, correction=0)
        figures = torch.stack([*moments, finite.min(), finite.max(), (finite == 0).sum().double()])
        part_variance, part_mean, part_lo, part_hi, part_zeros = figures.tolist()
        groups.append((finite.numel(), part_mean, part_variance))
        lo, hi, zeros = min(lo, part_lo), max(hi, part_hi), zeros + round(part_zeros)
    if not groups:
        return ActivationStats(n, math.nan, math.nan, math.nan, math.nan, 0.0, nan_count, inf_count)
    pooled_mean, pooled_variance = _pooled(groups)
    return ActivationStats(
        n, pooled_mean, math.sqrt(pooled_variance), lo, hi, zeros / n, nan_count, inf_count
    )


def _pooled(groups: Sequence[tuple[int, float, float]]) -> tuple[float, float]:
    """Mean and variance of the union of groups given as (size, mean, variance): Chan's parallel formula."""
    if len(groups) == 1:
        return groups[0][1], max(groups[0][2], 0.0)
    total = sum(size for size, _, _ in groups)
    mean = sum(size * m for size, m, _ in groups) / total
    spread = sum(size * (v + (m - mean) ** 2) for size, m, v in groups)
    return mean, max(spread / total, 0.0)


def _split(numbers: Sequence[float], chunks: Sequence[tuple[int, int]]) -> list[Sequence[float]]:
    parts = []
    at = 0
    for _, width in chunks:
        parts.append(numbers[at : at + width])
        at += width
    return parts
