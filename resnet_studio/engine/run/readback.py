"""Reading results back from the device: numbers and bounded copies gathered while a pass runs, fetched with one wait.

On a GPU, every `.item()`, `.tolist()` or copy to the CPU makes the host wait until the device has caught up, and
the next layer cannot be queued in the meantime: a network that is limited by how fast layers are launched (small
batches) then runs at a fraction of its speed. So a pass queues its reductions and copies, notes them here, and
fetches them all at the end: the numbers in one concatenated transfer per dtype, the copies in one concatenated
transfer, both into pinned memory with non_blocking=True, and a single synchronisation. On the CPU the values are
already there and nothing is copied twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from .devices import synchronize

DIRECT_COPY_ELEMENTS = 2**22
"""Copies taken at once that are larger than this (16 MiB of float32) go straight to host memory, waiting for the
device (a copy that size takes longer than the wait), instead of waiting on the device for the batched transfer:
no big copy is held twice on the device, and none takes gigabytes of pinned memory."""


class Readback:
    """Numbers and float32 copies that one pass (or one node) reads back together."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.cpu = device.type == "cpu"
        self.cuda = device.type == "cuda"
        self._numbers: list[Tensor] = []
        self._count = 0
        self._one_each = True
        self._copies: list[Tensor] = []
        self._on_host: set[int] = set()
        """Copies already in host memory (float32): the others travel in fetch()'s batched transfer."""
        self.numbers: list[float] = []
        """After fetch(): the values of every added tensor, flattened, in the order they were added."""
        self.arrays: list[np.ndarray] = []
        """After fetch(): the copies as float32 numpy arrays, in the order they were added."""

    def add_numbers(self, tensors: Sequence[Tensor]) -> int:
        """Note tensors (0-d or not) to read; returns the index in `numbers` of the first one's first value."""
        at = self._count
        sizes = [t.numel() for t in tensors]
        self._numbers.extend(tensors)
        self._count += sum(sizes)
        self._one_each = self._one_each and all(size == 1 for size in sizes)
        return at

    def add_copy(self, tensor: Tensor, *, now: bool = True) -> int:
        """Note a float32 copy of `tensor` to read; returns its index in `arrays`.

        `now`: copy it at once, in queue order, because a later layer may change or free it; else it is read as
        it is at fetch() (it must stay as it is until then)."""
        if self.cpu:
            # A copy always: a view would keep the whole output's memory alive for as long as the result lives.
            tensor = tensor.to(torch.float32, memory_format=torch.contiguous_format, copy=True)
            self._on_host.add(len(self._copies))
        elif now and tensor.numel() > DIRECT_COPY_ELEMENTS:
            tensor = tensor.to("cpu", torch.float32)
            self._on_host.add(len(self._copies))
        elif now:
            tensor = tensor.to(torch.float32, memory_format=torch.contiguous_format, copy=True)
        self._copies.append(tensor)
        return len(self._copies) - 1

    def fetch(self) -> None:
        """Bring everything to the host, waiting for the device once."""
        if self.cpu:
            if self._one_each:  # the usual case: 0-d results
                self.numbers = [t.item() for t in self._numbers]
            else:
                self.numbers = [value for t in self._numbers for value in _values(t)]
            self.arrays = [copy.numpy() for copy in self._copies]
        else:
            numbers = self._stage_numbers()
            copies = self._stage_copies()
            synchronize(self.device)  # the one wait: every queued reduction, copy and timing event is done
            self.numbers = numbers()
            self.arrays = copies()
        self._numbers, self._count, self._one_each, self._copies, self._on_host = [], 0, True, [], set()

    def _stage_numbers(self) -> Callable[[], list[float]]:
        """Queue the transfer of the numbers: one concatenation and one copy per dtype (counts stay exact)."""
        groups: dict[torch.dtype, list[int]] = {}
        for i, t in enumerate(self._numbers):
            groups.setdefault(t.dtype, []).append(i)
        starts = []
        at = 0
        for t in self._numbers:
            starts.append(at)
            at += t.numel()
        staged = []
        for where in groups.values():
            flat = torch.cat([_flat(self._numbers[i]) for i in where])
            staged.append(([(starts[i], self._numbers[i].numel()) for i in where], self._to_host(flat)))
        total = at

        def numbers() -> list[float]:
            values: list[float] = [math.nan] * total
            for spans, host in staged:
                flat = host.tolist()
                taken = 0
                for start, size in spans:
                    values[start : start + size] = flat[taken : taken + size]
                    taken += size
            return values

        return numbers

    def _stage_copies(self) -> Callable[[], list[np.ndarray]]:
        """Queue the transfer of the copies still on the device: concatenated per dtype, converted to float32 on the
        device, in one copy each."""
        copies, on_host = self._copies, self._on_host
        groups: dict[torch.dtype, list[int]] = {}
        for i, c in enumerate(copies):
            if i not in on_host:
                groups.setdefault(c.dtype, []).append(i)
        staged = []
        for where in groups.values():
            flat = torch.cat([_flat(copies[i]) for i in where])
            staged.append(
                (where, _pinned_copy(flat, torch.float32) if self.cuda else flat.to("cpu", torch.float32))
            )
        shapes = [tuple(c.shape) for c in copies]

        def arrays() -> list[np.ndarray]:
            out = [c.numpy() if i in on_host else np.empty(0, np.float32) for i, c in enumerate(copies)]
            for where, host in staged:
                flat = host.numpy()
                at = 0
                for i in where:
                    size = math.prod(shapes[i])
                    out[i] = flat[at : at + size].reshape(shapes[i])
                    at += size
            return out

        return arrays

    def _to_host(self, tensor: Tensor) -> Tensor:
        """A host copy: queued into pinned memory on CUDA; other devices (MPS) copy at once."""
        return _pinned_copy(tensor, tensor.dtype) if self.cuda else tensor.to("cpu")


def host_copy(tensor: Tensor) -> np.ndarray:
    """A float32, C-ordered copy of a CPU tensor (or view) as a numpy array: numpy's copy where the values are
    float32 already (a plain memory copy, twice as fast as torch's for the kept views), torch's conversion else."""
    if tensor.dtype == torch.float32:
        return np.array(tensor.detach().numpy(), dtype=np.float32, order="C", copy=True)
    return tensor.to(torch.float32, memory_format=torch.contiguous_format, copy=True).numpy()


def _flat(t: Tensor) -> Tensor:
    return t if t.dim() == 1 else t.reshape(-1)


def _values(t: Tensor) -> list[float]:
    return [t.item()] if t.dim() == 0 else t.reshape(-1).tolist()


def _pinned_copy(tensor: Tensor, dtype: torch.dtype) -> Tensor:
    """A host copy in `dtype`, queued: into pinned memory a device-to-host copy runs without making the host wait
    (a conversion or the gathering of a strided view happens on the device first)."""
    host = torch.empty(tensor.shape, dtype=dtype, pin_memory=True)
    host.copy_(tensor, non_blocking=True)
    return host
