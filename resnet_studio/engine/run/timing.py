"""Per-node timing: CUDA events on a GPU (no stall between layers), perf_counter after a sync elsewhere."""

from __future__ import annotations

import threading
import time

import torch

from .devices import synchronize


class _EventPool:
    """Timing events kept between runs: creating and destroying two CUDA events per node costs host time that a
    launch-bound pass does not have. Events go back only after they were read, so a reused one is idle."""

    def __init__(self) -> None:
        self._free: dict[int, list[torch.cuda.Event]] = {}
        self._lock = threading.Lock()

    def take(self, device: torch.device, count: int) -> list[torch.cuda.Event]:
        """`count` timing events for this device."""
        with self._lock:
            free = self._free.setdefault(device.index or 0, [])
            taken = [free.pop() for _ in range(min(count, len(free)))]
        while len(taken) < count:
            taken.append(torch.cuda.Event(enable_timing=True))  # type: ignore[no-untyped-call]
        return taken

    def give_back(self, device: torch.device, events: list[torch.cuda.Event]) -> None:
        """Return events that have completed."""
        with self._lock:
            self._free.setdefault(device.index or 0, []).extend(events)


_POOL = _EventPool()


class NodeTimer:
    """Times each node of a run; call start() before a node and stop(slot) after it, times() at the end.

    `nodes`: how many nodes the run has (events for them are taken up front)."""

    def __init__(self, device: torch.device, nodes: int = 0) -> None:
        self.device = device
        self.cuda = device.type == "cuda"
        self._wait = device.type not in ("cpu", "cuda")
        """Wait for the device around each node (MPS); the CPU's work is done when the call returns."""
        self._spans: list[tuple[int, torch.cuda.Event, torch.cuda.Event]] = []
        self._times: dict[int, float] = {}
        self._begun = 0.0
        if self.cuda:
            # The stream looked up once: Event.record() would otherwise ask for the current stream every time.
            self._stream = torch.cuda.current_stream(device)
            self._events = _POOL.take(device, 2 * nodes)
            self._next = 0

    def start(self, *, idle: bool = False) -> None:
        """Mark the start of a node. `idle`: nothing was queued on the device since the previous node ended, so
        its end event marks this start too (one event per node instead of two; the host's few microseconds of
        bookkeeping between the nodes then count towards this one)."""
        if self.cuda:
            if idle and self._spans:
                self._begin = self._spans[-1][2]
                return
            event = self._event()
            event.record(self._stream)
            self._begin = event
        else:
            if self._wait:
                synchronize(self.device)
            self._begun = time.perf_counter()

    def stop(self, slot: int) -> None:
        """Mark the end of the node in `slot`."""
        if self.cuda:
            end = self._event()
            end.record(self._stream)
            self._spans.append((slot, self._begin, end))
        else:
            if self._wait:
                synchronize(self.device)
            self._times[slot] = (time.perf_counter() - self._begun) * 1000

    def times(self) -> dict[int, float]:
        """Milliseconds per node slot (waits for the GPU once)."""
        if self.cuda and self._spans:
            self._spans[-1][2].synchronize()
            for slot, begin, end in self._spans:
                self._times[slot] = float(begin.elapsed_time(end))
            self._spans.clear()
            _POOL.give_back(self.device, self._events)
            self._events, self._next = [], 0
        return dict(self._times)

    def _event(self) -> torch.cuda.Event:
        if self._next >= len(self._events):
            self._events.append(torch.cuda.Event(enable_timing=True))  # type: ignore[no-untyped-call]
        event = self._events[self._next]
        self._next += 1
        return event
