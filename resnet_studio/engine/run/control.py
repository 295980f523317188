"""Run control: cancelling between layers, progress reports, and injected faults for tests and demos."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

ProgressCallback = Callable[[float, str], None]
"""progress(fraction done 0..1, name of the node just finished)."""


class CancelToken:
    """Set from any thread to stop a run at the next layer boundary."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the run to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()


Cancel = CancelToken | Callable[[], bool]
"""A token, or any callable that returns True when the run should stop."""


FaultKind = Literal["out_of_memory", "nan", "inf", "device_lost"]


@dataclass(frozen=True)
class Fault:
    """A failure to inject at a node (by name): out of memory or a lost device before it runs, NaN or Inf in its
    output. `capacity` pretends the device has this many bytes (for the out-of-memory advice)."""

    kind: FaultKind
    node: str
    capacity: int | None = None


class Faults:
    """The faults of one run, applied by the executor loop."""

    def __init__(self, faults: Sequence[Fault] = ()) -> None:
        self.faults = tuple(faults)

    def capacity(self) -> int | None:
        """The pretended device capacity, if a fault gives one."""
        return next((f.capacity for f in self.faults if f.capacity is not None), None)

    def before(self, node_name: str) -> None:
        """Raise what PyTorch would raise if the device ran out of memory or was lost at this node."""
        for fault in self.faults:
            if fault.node != node_name:
                continue
            if fault.kind == "out_of_memory":
                raise torch.OutOfMemoryError(
                    "CUDA out of memory. Tried to allocate 2.00 GiB (injected fault for testing)"
                )
            if fault.kind == "device_lost":
                raise RuntimeError("CUDA error: unspecified launch failure (injected fault for testing)")

    def after(self, node_name: str, value: Tensor) -> None:
        """Poison the output of this node with NaN or Inf, in place, so it flows downstream."""
        for fault in self.faults:
            if fault.node == node_name and fault.kind in ("nan", "inf") and value.is_floating_point():
                with torch.no_grad():
                    value[(0,) * value.dim()] = float("nan") if fault.kind == "nan" else float("inf")
