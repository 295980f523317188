"""Long work off the GUI thread: forward passes, device detection and block code. The only ui module that reaches
the engine.

The engine (and with it torch) is imported inside the workers' run methods, on the worker thread, so the window
is on screen long before torch has loaded. Results come back through Qt signals as the plain data of
resnet_studio.results: numpy arrays and numbers, never a torch object.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core.model import GraphSnapshot
from ..results.run import CPU, ForwardResult, RunError, RunRequest, Status

PROGRESS_INTERVAL_S = 0.03
"""At most ~30 progress reports a second reach the GUI thread (a 500-layer network would flood it)."""
STOP_POLL_S = 0.005


class ForwardWorker(QObject):
    """Runs one forward pass of a RunRequest; lives on a worker thread."""

    progressed = Signal(float, str)
    """(fraction done 0..1, name of the node just finished)."""
    finished = Signal(object)
    """The ForwardResult (always sent, also after a failure or a cancel)."""

    def __init__(self, request: RunRequest) -> None:
        super().__init__()
        self.request = request
        self._cancel = threading.Event()
        self._last_report = 0.0

    def cancel(self) -> None:
        """Ask the run to stop at the next layer boundary (safe from any thread)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        """Import the engine (first time only), run, convert, and send the result."""
        try:
            result = self._run()
        except BaseException as error:  # a bug must not take the app down: report it as a failed run
            traceback.print_exc(file=sys.stderr)
            result = _failed(self.request, f"{type(error).__name__}: {error}")
        self.finished.emit(result)

    def _run(self) -> ForwardResult:
        if self._cancel.is_set():
            return _cancelled(self.request)
        from ..engine.run import run_request

        # The engine computes the result's histograms and previews here too, on this thread.
        return run_request(self.request, progress=self._progress, cancel=self._cancel.is_set)

    def _progress(self, fraction: float, node: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self.progressed.emit(fraction, node)


class DeviceWorker(QObject):
    """Lists the devices this machine offers (imports torch, so it runs off the GUI thread)."""

    finished = Signal(object)
    """A tuple of DeviceInfo (the CPU at least)."""

    @Slot()
    def run(self) -> None:
        """Ask the engine for its devices."""
        try:
            from ..engine.run import list_devices

            devices = list_devices()
        except BaseException:  # no torch or a broken driver: the CPU is still there
            traceback.print_exc(file=sys.stderr)
            devices = (CPU,)
        self.finished.emit(devices)


class CodeWorker(QObject):
    """Writes one block's code with the shapes it makes in its network (imports the engine: off the GUI thread)."""

    finished = Signal(object)
    """(node id, the code or '', why there is none or '')."""

    def __init__(
        self, network: GraphSnapshot, node_id: str, input_shape: tuple[int, int, int] | None, batch: int
    ) -> None:
        super().__init__()
        self.network, self.node_id, self.input_shape, self.batch = network, node_id, input_shape, batch

    @Slot()
    def run(self) -> None:
        """Ask the exporter for the block's code."""
        try:
            from ..engine.errors import EngineError
            from ..engine.export.block_code import block_code

            try:
                result = (
                    self.node_id,
                    block_code(self.network, self.node_id, self.input_shape, self.batch),
                    "",
                )
            except EngineError as error:
                result = (self.node_id, "", str(error))
        except BaseException as error:  # a bug must not take the app down: say so in the code view
            traceback.print_exc(file=sys.stderr)
            result = (self.node_id, "", f"the code could not be written ({type(error).__name__}: {error})")
        self.finished.emit(result)


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


def _stopped(request: RunRequest, status: Status, error: RunError | None = None) -> ForwardResult:
    settings, options = request.settings, request.options
    return ForwardResult(
        status,
        options.device,
        options.device,
        settings.dtype,
        settings.batch_size,
        False,
        options.input.describe(),
        error=error,
        request=request,
    )


def _cancelled(request: RunRequest) -> ForwardResult:
    return _stopped(request, "cancelled")


def _failed(request: RunRequest, message: str) -> ForwardResult:
    return _stopped(
        request, "error", RunError("failed", f"the run stopped with an unexpected error: {message}")
    )


__all__ = [
    "CodeWorker",
    "DeviceWorker",
    "ForwardWorker",
    "WorkerThread",
]
