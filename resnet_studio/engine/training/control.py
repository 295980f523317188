"""Pausing a training run from another thread (cancelling uses the run's CancelToken or any callable)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..run.control import Cancel

Paused = Callable[[], bool]
"""A callable that returns True while the run should wait."""


class PauseToken:
    """pause() and resume() from any thread; a paused run waits between steps, using no CPU."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()

    def pause(self) -> None:
        """Ask the run to wait after its current step."""
        self._running.clear()

    def resume(self) -> None:
        """Let a paused run go on."""
        self._running.set()

    @property
    def paused(self) -> bool:
        """True between pause() and resume()."""
        return not self._running.is_set()

    def __call__(self) -> bool:
        return not self._running.is_set()

    def wait(self, timeout: float) -> None:
        """Return when resumed, or after `timeout` seconds."""
        self._running.wait(timeout)


def wait_while_paused(paused: Paused | None, cancel: Cancel | None, poll: float = 0.05) -> float:
    """Block while `paused()` is true and the run is not cancelled; returns the seconds spent waiting."""
    if paused is None or not paused():
        return 0.0
    start = time.perf_counter()
    while paused() and not (cancel is not None and cancel()):
        if isinstance(paused, PauseToken):
            paused.wait(poll)
        else:
            time.sleep(poll)
    return time.perf_counter() - start
