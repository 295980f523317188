"""Memory: the analysis' estimate for a run, what the device has, a batch size that would fit, and peak use."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ...core.analysis import Analysis
from ...core.catalogue import Role, role_of
from ...core.shapes import DTYPE_BYTES, Shape
from ...core.units import bytes_text
from .capture import CaptureOptions, kept_elements
from .readback import DIRECT_COPY_ELEMENTS
from .recorder import MAX_OUTPUT_SAMPLES
from .stats import CHUNK_ELEMENTS, ZERO_BUFFER_ELEMENTS


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a run needs by the analysis: a fixed part (weights) plus a part per sample (activations), plus what
    capturing adds (copies of the kept values and outputs, the largest temporary of the statistics)."""

    fixed: int
    per_sample: int
    batch_size: int
    capture: int = 0
    """Bytes capture adds at this batch size (taken as fixed: at a smaller batch it is no larger)."""

    @property
    def total(self) -> int:
        """Bytes at this batch size."""
        return self.fixed + self.capture + self.per_sample * self.batch_size

    def describe(self) -> str:
        """'1.2 GiB (weights 97.5 MiB + 11.3 MiB per sample + capture 4.1 MiB)'."""
        text = f"{bytes_text(self.total)} (weights {bytes_text(self.fixed)} + {bytes_text(self.per_sample)} per sample"
        return text + (f" + capture {bytes_text(self.capture)})" if self.capture else ")")

    def largest_batch(self, capacity: int) -> int:
        """The largest batch whose estimate fits in `capacity` bytes (0 when not even one sample fits)."""
        if self.per_sample <= 0:
            return self.batch_size
        return max(0, (capacity - self.fixed - self.capture) // self.per_sample)


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
        images = [
            n.output_shape for n in analysis if role_of(n.type) is Role.INPUT and n.output_shape is not None
        ]
        per_sample += sum(math.prod(shape) for shape in images) * element
    return MemoryEstimate(weights, per_sample, batch_size)


def capture_bytes(
    captured: Sequence[Shape],
    outputs: Sequence[Shape],
    layers: int,
    options: CaptureOptions,
    batch_size: int,
    dtype: str,
    device_type: str,
) -> int:
    """Bytes that capture adds to a pass at this batch size: the float32 copies of what is kept of the captured
    outputs (shapes without the batch; `layers` inner layers, whose shapes are not analysed, at the options' bound)
    and of the network's outputs, and the largest temporary of the statistics (a chunk's float32 copy of 16-bit
    values, the CPU's sign buffer). On CUDA, copies up to DIRECT_COPY_ELEMENTS wait on the device for the batched
    transfer and are concatenated for it (so they count twice); larger ones go straight to host memory."""
    per_layer = max(options.max_channels * options.max_size**2, options.max_features)
    copies = [kept_elements((batch_size, *shape), options) for shape in captured]
    copies += [min(batch_size, options.max_samples) * per_layer] * layers
    copies += [min(batch_size, MAX_OUTPUT_SAMPLES) * math.prod(shape) for shape in outputs]
    if device_type == "cuda":
        on_device = 2 * sum(size for size in copies if size <= DIRECT_COPY_ELEMENTS)
    else:  # the copies live in the memory the pass runs in
        on_device = sum(copies)
    largest = max((batch_size * math.prod(shape) for shape in captured), default=0)
    temporary = min(largest, CHUNK_ELEMENTS) if DTYPE_BYTES[dtype] < 4 else 0
    if device_type == "cpu":
        temporary += min(largest, ZERO_BUFFER_ELEMENTS)
    return 4 * (on_device + temporary)


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


def available_memory(device: torch.device) -> int | None:
    """Bytes a run can still take: free CUDA memory, or the machine's available RAM (None when unknown)."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    if device.type != "cpu":
        return None
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
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
        self.start = 0
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(device)
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
            return cuda_peak_allocated(self.device)
        self.sample()
        self.close()
        return max(0, self.peak - self.start)


def cuda_peak_allocated(device: torch.device) -> int:
    """torch.cuda.max_memory_allocated without its cost: that flattens and sorts every allocator statistic (a
    tenth of a millisecond, a few percent of a small network's pass), where one nested entry is enough."""
    try:
        return int(torch.cuda.memory_stats_as_nested_dict(device)["allocated_bytes"]["all"]["peak"])
    except (AttributeError, KeyError, TypeError):  # another PyTorch: the slower way
        return int(torch.cuda.max_memory_allocated(device))
