"""Per-node timing: CUDA events on a GPU (no stall between layers), perf_counter after a sync elsewhere."""

from __future__ import annotations

import time

import torch

from .devices import synchronize


class NodeTimer:
    """Times each node of a run; call start() before a node and stop(slot) after it, times() at the end."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.cuda = device.type == "cuda"
        self._events: list[tuple[int, torch.cuda.Event, torch.cuda.Event]] = []
        self._times: dict[int, float] = {}
        self._pending: torch.cuda.Event | float | None = None

    def start(self) -> None:
        """Mark the start of a node."""
        if self.cuda:
            event = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            event.record()
            self._pending = event
        else:
            synchronize(self.device)
            self._pending = time.perf_counter()

    def stop(self, slot: int) -> None:
        """Mark the end of the node in `slot`."""
        if self.cuda:
            end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            end.record()
            assert isinstance(self._pending, torch.cuda.Event)
            self._events.append((slot, self._pending, end))
        else:
            synchronize(self.device)
            assert isinstance(self._pending, float)
            self._times[slot] = (time.perf_counter() - self._pending) * 1000

    def times(self) -> dict[int, float]:
        """Milliseconds per node slot (waits for the GPU once)."""
        if self.cuda and self._events:
            self._events[-1][2].synchronize()
            for slot, begin, end in self._events:
                self._times[slot] = float(begin.elapsed_time(end))
            self._events.clear()
        return dict(self._times)
