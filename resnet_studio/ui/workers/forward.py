"""Forward passes and the list of devices, on a worker thread."""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import QObject, Signal, Slot

from ...results.run import ForwardResult, RunError, Status
from ...results.run_request import CPU, RunRequest
from .thread import ENGINE_IMPORT, CancellableWorker, PacedProgress, unexpected


class ForwardWorker(CancellableWorker):
    """Runs one forward pass of a RunRequest; lives on a worker thread; a cancel stops it between layers."""

    progressed = Signal(float, str)
    """(fraction done 0..1, name of the node just finished)."""
    finished = Signal(object)
    """The ForwardResult (always sent, also after a failure or a cancel)."""

    def __init__(self, request: RunRequest) -> None:
        super().__init__()
        self.request = request
        self._progress = PacedProgress(self.progressed.emit)

    @Slot()
    def run(self) -> None:
        """Import the engine (first time only), run, convert, and send the result."""
        try:
            result = self._run()
        except BaseException as error:
            result = _failed(self.request, unexpected(error))
        self.finished.emit(result)

    def _run(self) -> ForwardResult:
        if self._cancel.is_set():
            return _cancelled(self.request)
        with ENGINE_IMPORT:
            from ...engine.run import run_request

        # The engine computes the result's histograms and previews here too, on this thread.
        return run_request(self.request, progress=self._progress, cancel=self._cancel.is_set)


class DeviceWorker(QObject):
    """Lists the devices this machine offers (imports torch, so it runs off the GUI thread)."""

    finished = Signal(object)
    """A tuple of DeviceInfo (the CPU at least)."""

    @Slot()
    def run(self) -> None:
        """Ask the engine for its devices."""
        try:
            with ENGINE_IMPORT:
                from ...engine.run import list_devices

            devices = list_devices()
        except BaseException:  # no torch or a broken driver: the CPU is still there
            traceback.print_exc(file=sys.stderr)
            devices = (CPU,)
        self.finished.emit(devices)


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
