"""One gradient-flow comparison at a time on a worker thread, keeping the one shown and the one before it (drawn
dashed after a switch, for comparison)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ...results.gradients import GradientOutcome, GradientRequest
from ..collector import collector
from ..workers.gradients import GradientWorker
from ..workers.thread import WorkerThread


class GradientJob(QObject):
    """Starts, cancels and remembers gradient-flow comparisons."""

    running_changed = Signal(bool)
    progress = Signal(float, str)
    """(fraction done, the node just passed)."""
    finished = Signal(object)
    """Every GradientOutcome, whatever its status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current: GradientOutcome | None = None
        """The comparison shown."""
        self.previous: GradientOutcome | None = None
        """The one shown before it."""
        self._job: WorkerThread | None = None
        self._closing = False

    @property
    def running(self) -> bool:
        """True from start() until the worker's thread has ended."""
        return self._job is not None

    def start(self, request: GradientRequest) -> bool:
        """Compare in the background; False when a comparison is already on its way."""
        if self._job is not None or self._closing:
            return False
        worker = GradientWorker(request)
        worker.progressed.connect(self.progress)
        worker.finished.connect(self._finished)
        self._job = WorkerThread(worker, self)
        self._job.done.connect(self._job_done)
        self._job.start()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        """Stop at the next layer boundary (the outcome arrives with status 'cancelled')."""
        worker = self._job.worker if self._job is not None else None
        if isinstance(worker, GradientWorker):
            worker.cancel()

    def forget(self) -> None:
        """Drop the comparisons (another network was opened)."""
        self.current = self.previous = None

    def shutdown(self) -> None:
        """Cancel and wait for the thread (the window is closing)."""
        self._closing = True
        if self._job is not None:
            self._job.stop()

    def _finished(self, outcome: GradientOutcome) -> None:
        collector().settle("engine")
        if self._closing:
            return
        if outcome.status == "ok":
            if self.current is not None:
                self.previous = self.current
            self.current = outcome
        self.finished.emit(outcome)

    def _job_done(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if not self._closing:
            self.running_changed.emit(False)
