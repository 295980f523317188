"""A worker object on a QThread of its own, and what every worker shares: how often it reports, and the lock
that imports the engine one thread at a time."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal

PROGRESS_INTERVAL_S = 0.03
"""At most ~30 progress reports a second reach the GUI thread (a 500-layer network would flood it)."""
STOP_POLL_S = 0.005
UPDATE_INTERVAL_S = 0.05
"""Training curves and landscape points reach the GUI thread in batches at most ~20 times a second."""

ENGINE_IMPORT = threading.Lock()
"""Held by a worker while it imports the engine: torch's first import, run by two threads at once (the device
probe and a checkpoint being opened, or a teaching job started early), can fail in both (its extension registers
its types twice). Once the engine is imported, taking the lock costs nothing."""


class PacedProgress:
    """A job's progress passed on at most every PROGRESS_INTERVAL_S, and always its end (called on the worker's
    thread)."""

    def __init__(self, report: Callable[[float, str], None]) -> None:
        self._report = report
        self._last = 0.0

    def __call__(self, fraction: float, node: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            self._report(fraction, node)


def unexpected(error: BaseException) -> str:
    """A worker's unexpected error, printed with its traceback (for a bug report) and said in one line
    ('KeyError: 'fc'') for the message the app shows: a bug must not take the app down."""
    traceback.print_exc(file=sys.stderr)
    return f"{type(error).__name__}: {error}"


class CancellableWorker(QObject):
    """A job on a worker thread that stops at its next boundary (a layer, a step, a batch of points) once asked."""

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next boundary (safe from any thread); what it did so far is kept."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._cancel.is_set()


class WorkerThread(QObject):
    """One worker object on its own QThread: start, ask to stop, wait; cleaned up when the work is done."""

    done = Signal()
    """The thread has finished (after the worker's own finished signal was delivered)."""

    def __init__(self, worker: QObject, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(f"{type(worker).__name__}Thread")
        worker.moveToThread(self.thread)
        run: Callable[[], None] = worker.run  # type: ignore[attr-defined]
        self.thread.started.connect(run)
        # Direct: quit() is thread-safe, and a queued call would wait for the GUI thread, which may be the
        # one waiting in stop().
        worker.finished.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)  # type: ignore[attr-defined]
        self.thread.finished.connect(self._finished)

    def start(self) -> None:
        """Start the work."""
        self.thread.start()

    def is_running(self) -> bool:
        """True until the thread has ended."""
        return self.thread.isRunning()

    def stop(self, timeout_ms: int | None = None) -> bool:
        """Cancel the work (if it can be cancelled) and wait for the thread; True when it has ended."""
        cancel = getattr(self.worker, "cancel", None)
        if callable(cancel):
            cancel()
        # QThread.wait() keeps the GIL, so the worker could never reach its next layer boundary: poll with
        # sleeps (which let the worker run) instead.
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while self.thread.isRunning():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(STOP_POLL_S)
        return bool(self.thread.wait(0) or self.thread.isFinished())

    def _finished(self) -> None:
        self.done.emit()
