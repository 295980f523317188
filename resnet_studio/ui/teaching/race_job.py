"""One race at a time on a worker thread: start, pause, resume, cancel, and the curves as they come.

The curves are kept as the engine's own TrainingCurve values, grown by each batch of points; the panel redraws
from them at its own pace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

from PySide6.QtCore import QObject, Signal

from ...core.model import GraphSnapshot
from ...results.datasets import DataChoice
from ...results.training import CurveUpdate, RaceRefusal, RaceResult, TrainingCurve, TrainingOptions
from ..collector import collector
from ..workers.race import RaceWorker
from ..workers.thread import WorkerThread

RaceState = Literal["idle", "running", "paused", "cancelling"]


class RaceJob(QObject):
    """Runs races and keeps the curves of the current (or last) one."""

    state_changed = Signal(str)
    """'idle', 'running', 'paused' or 'cancelling'."""
    curves_changed = Signal()
    """New points (or a new status) for some network."""
    finished = Signal(object)
    """The RaceResult (finished or cancelled) or the RaceRefusal that ended the race."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state: RaceState = "idle"
        self.curves: list[TrainingCurve] = []
        """One curve per network, in race order, grown while the race runs."""
        self.options: TrainingOptions | None = None
        self.data: DataChoice | None = None
        self.networks: dict[str, GraphSnapshot] = {}
        self.result: RaceResult | None = None
        self._before: tuple[
            list[TrainingCurve],
            dict[str, GraphSnapshot],
            DataChoice | None,
            TrainingOptions | None,
            RaceResult | None,
        ] = ([], {}, None, None, None)
        self._job: WorkerThread | None = None
        self._closing = False

    @property
    def running(self) -> bool:
        """True from start() until the worker's thread has ended."""
        return self._job is not None

    def start(
        self, networks: Mapping[str, GraphSnapshot], data: DataChoice, options: TrainingOptions
    ) -> bool:
        """Train these networks (by label, in order); False when a race is already on its way."""
        if self._job is not None or self._closing:
            return False
        self._before = (self.curves, self.networks, self.data, self.options, self.result)
        self.networks, self.data, self.options = dict(networks), data, options
        self.curves = [TrainingCurve(label, "running") for label in networks]
        self.result = None
        worker = RaceWorker(networks, data, options)
        worker.updated.connect(self._updated)
        worker.finished.connect(self._finished)
        self._job = WorkerThread(worker, self)
        self._job.done.connect(self._job_done)
        self._job.start()
        self._set_state("running")
        self.curves_changed.emit()
        return True

    def pause(self) -> None:
        """Hold the race after the current step."""
        worker = self._worker()
        if worker is not None and self.state == "running":
            worker.pause()
            self._set_state("paused")

    def resume(self) -> None:
        """Go on after a pause."""
        worker = self._worker()
        if worker is not None and self.state == "paused":
            worker.resume()
            self._set_state("running")

    def cancel(self) -> None:
        """Stop between two steps; the curves so far and the weights reached stay."""
        worker = self._worker()
        if worker is not None and self.state in ("running", "paused"):
            worker.cancel()
            self._set_state("cancelling")

    def shutdown(self) -> None:
        """Cancel and wait for the thread (the window is closing)."""
        self._closing = True
        if self._job is not None:
            self._job.stop()

    def _worker(self) -> RaceWorker | None:
        worker = self._job.worker if self._job is not None else None
        return worker if isinstance(worker, RaceWorker) else None

    def _set_state(self, state: RaceState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _updated(self, updates: tuple[CurveUpdate, ...]) -> None:
        if self._closing:
            return
        for update in updates:
            if 0 <= update.network < len(self.curves):
                curve = self.curves[update.network]
                self.curves[update.network] = replace(
                    curve, points=curve.points + update.points, status=update.status, stop=update.stop
                )
        self.curves_changed.emit()

    def _finished(self, result: RaceResult | RaceRefusal) -> None:
        collector().settle("engine")
        if self._closing:
            return
        if isinstance(result, RaceResult):
            self.result = result
            self.curves = list(result.curves)
        else:  # nothing was trained: the race before stays on show
            self.curves, self.networks, self.data, self.options, self.result = self._before
        self.curves_changed.emit()
        self.finished.emit(result)

    def _job_done(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if not self._closing:
            self._set_state("idle")
