"""Memory: the analysis' estimate for a run, what the device has, a batch size that would fit, and peak use."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch

from ...core.analysis import Analysis
from ...core.shapes import DTYPE_BYTES
from ...core.units import bytes_text


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a run needs by the analysis: a fixed part (weights) plus a part per sample (activations)."""

    fixed: int
    per_sample: int
    batch_size: int

    @property
    def total(self) -> int:
        """Bytes at this batch size."""
        return self.fixed + self.per_sample * self.batch_size

    def describe(self) -> str:
        """'1.2 GiB (weights 97.5 MiB + 11.3 MiB per sample)'."""
        return f"{bytes_text(self.total)} (weights {bytes_text(self.fixed)} + {bytes_text(self.per_sample)} per sample)"

    def largest_batch(self, capacity: int) -> int:
        """The largest batch whose estimate fits in `capacity` bytes (0 when not even one sample fits)."""
        if self.per_sample <= 0:
            return self.batch_size
        return max(0, (capacity - self.fixed) // self.per_sample)


def estimate(analysis: Analysis, batch_size: int, dtype: str, *, training: bool = False) -> MemoryEstimate:
    """The analysis' memory estimate for a forward pass (every node's output held) or a training step (every
    layer output kept for backward, plus a gradient for every weight)."""
    element = DTYPE_BYTES[dtype]
    scale = analysis.settings.batch_size * analysis.settings.dtype_bytes
    weights = (analysis.totals.params + analysis.totals.buffers) * element
    if training:
        per_sample = analysis.totals.training_bytes // scale * element
        weights += analysis.totals.params * element
    else:
        per_sample = sum(n.output_bytes for n in analysis) // scale * element
        images = [n.output_shape for n in analysis if n.type == "Input" and n.output_shape is not None]
        per_sample += sum(math.prod(shape) for shape in images) * element
    return MemoryEstimate(weights, per_sample, batch_size)


def suggest_batch(estimate: MemoryEstimate, capacity: int | None) -> int | None:
    """A smaller batch that the estimate says fits in 90% of `capacity`, or None when even one sample does not.

    When the estimate says the current batch should fit (other programs hold the memory), half of it."""
    if estimate.batch_size <= 1:
        return None
    if capacity is None:
        return max(1, estimate.batch_size // 2)
    fits = estimate.largest_batch(int(capacity * 0.9))
    if fits < 1:
        return None
    if fits >= estimate.batch_size:
        return max(1, estimate.batch_size // 2)
    return fits


def device_capacity(device: torch.device) -> int | None:
    """Bytes of memory the device has: CUDA device memory, else the machine's physical memory."""
    if device.type == "cuda":
        return int(torch.cuda.get_device_properties(device).total_memory)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss() -> int | None:
    """This process's resident memory in bytes (Linux /proc, else psutil when installed), or None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil  # optional
    except ImportError:
        return None
    return int(psutil.Process().memory_info().rss)


class PeakMemory:
    """Peak memory of a run: torch.cuda.max_memory_allocated on CUDA, growth of resident memory elsewhere."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.cuda = device.type == "cuda"
        self._statm: int | None = None
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(device)
            self.start = torch.cuda.memory_allocated(device)
        else:
            try:  # kept open: reading it between layers is then a few microseconds
                self._statm = os.open("/proc/self/statm", os.O_RDONLY)
            except OSError:
                self._statm = None
            self.start = self._rss() or 0
        self.peak = self.start

    def _rss(self) -> int | None:
        if self._statm is None:
            return current_rss()
        return int(os.pread(self._statm, 128, 0).split()[1]) * _PAGE

    def close(self) -> None:
        """Release the open /proc file."""
        if self._statm is not None:
            os.close(self._statm)
            self._statm = None

    @property
    def measure(self) -> str:
        """What the figure means."""
        return "CUDA max_memory_allocated" if self.cuda else "growth of resident memory (RSS)"

    def sample(self) -> None:
        """Note the memory in use now (CPU: call between layers; CUDA keeps its own peak)."""
        if not self.cuda:
            rss = self._rss()
            if rss is not None and rss > self.peak:
                self.peak = rss

    def result(self) -> int:
        """Peak bytes: allocated on CUDA (weights included), RSS growth since the start elsewhere."""
        if self.cuda:
            return int(torch.cuda.max_memory_allocated(self.device))
        self.sample()
        self.close()
        return max(0, self.peak - self.start)
