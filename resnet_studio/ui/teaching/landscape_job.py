"""One landscape computation at a time on a worker thread: the surfaces grow point by point as the grid refines,
and the ones shown before stay until the new ones have points of their own (a failure loses nothing)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...results.landscape import Landscape, NonConvexity
from ...results.landscape_request import LandscapeOutcome, LandscapeRequest, LandscapeUpdate
from ..collector import collector
from ..workers.landscape import LandscapeWorker
from ..workers.thread import WorkerThread


@dataclass
class Surface:
    """One network's landscape as far as it is known: NaN where no point is computed yet."""

    label: str
    weights_text: str
    coordinates: np.ndarray
    loss: np.ndarray
    computed: np.ndarray
    level: int = 0
    """The finest refinement level a point has come from."""
    landscape: Landscape | None = None
    """The engine's landscape, once it has finished (complete, cancelled or failed)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def done(self) -> int:
        """Points known."""
        return int(self.computed.sum())

    @property
    def total(self) -> int:
        """Points of the whole grid."""
        return int(self.computed.size)

    @property
    def complete(self) -> bool:
        """Every point is known."""
        return bool(self.computed.all())

    @property
    def nonconvexity(self) -> NonConvexity | None:
        """The map of where the surface is not convex within the slice (once the surface is complete)."""
        return self.landscape.nonconvexity if self.landscape is not None else None

    def finite_range(self) -> tuple[float, float] | None:
        """The smallest and largest finite loss known, or None."""
        values = self.loss[self.computed & np.isfinite(self.loss)]
        return (float(values.min()), float(values.max())) if values.size else None

    def centre_loss(self) -> float:
        """The loss at the weights themselves (NaN when the grid has no centre point or it is not known)."""
        if self.loss.shape[0] % 2 == 0:
            return math.nan
        middle = self.loss.shape[0] // 2
        return float(self.loss[(middle,) * self.loss.ndim])


class LandscapeJob(QObject):
    """Starts and cancels landscape computations and keeps the surfaces shown."""

    running_changed = Signal(bool)
    surfaces_changed = Signal()
    """New points for some surface (or new surfaces)."""
    finished = Signal(object)
    """Every LandscapeOutcome, whatever its status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.surfaces: list[Surface] = []
        """The surfaces shown: the running computation's once it has points, else the last ones."""
        self.request: LandscapeRequest | None = None
        """What the surfaces shown are of."""
        self.outcome: LandscapeOutcome | None = None
        """How the last computation ended."""
        self._pending: tuple[LandscapeRequest, list[Surface]] | None = None
        self._job: WorkerThread | None = None
        self._before: tuple[list[Surface], LandscapeRequest | None] = ([], None)
        """The surfaces shown before the computation on its way: shown again if it fails."""
        self._dropped: list[WorkerThread] = []
        """Computations cancelled by a newer one, until their threads have ended."""
        self._closing = False

    @property
    def running(self) -> bool:
        """True from start() until the worker's thread has ended."""
        return self._job is not None

    @property
    def done(self) -> int:
        """Points known of the computation running (or shown)."""
        surfaces = self._pending[1] if self._pending is not None else self.surfaces
        return sum(s.done for s in surfaces)

    @property
    def total(self) -> int:
        """Points of the computation running (or shown)."""
        surfaces = self._pending[1] if self._pending is not None else self.surfaces
        return sum(s.total for s in surfaces)

    def start(self, request: LandscapeRequest) -> bool:
        """Compute in the background; a computation on its way is cancelled and its points dropped (False only
        while the window closes)."""
        if self._closing:
            return False
        self._drop_running()
        coordinates = request.options.coordinates()
        shape = (request.options.grid,) * request.options.dimensions
        fresh = [
            Surface(s.label, s.weights_text, coordinates, np.full(shape, math.nan), np.zeros(shape, bool))
            for s in request.subjects
        ]
        self._pending = (request, fresh)
        self._before = (self.surfaces, self.request)
        worker = LandscapeWorker(request)
        worker.updated.connect(self._updated)
        worker.finished.connect(self._finished)
        self._job = WorkerThread(worker, self)
        self._job.done.connect(self._job_done)
        self._job.start()
        self.running_changed.emit(True)
        return True

    def _drop_running(self) -> None:
        """Cancel the computation on its way and forget it: what it still sends is not listened to."""
        job, self._job = self._job, None
        if job is None:
            return
        worker = job.worker
        if isinstance(worker, LandscapeWorker):
            worker.updated.disconnect(self._updated)
            worker.finished.disconnect(self._finished)
            worker.cancel()
        job.done.disconnect(self._job_done)
        job.done.connect(self._dropped_done)
        self._dropped.append(job)
        self._pending = None

    def _dropped_done(self) -> None:
        for job in [j for j in self._dropped if not j.is_running()]:
            self._dropped.remove(job)
            job.deleteLater()

    def cancel(self) -> None:
        """Stop between two batches of points (the outcome arrives with status 'cancelled')."""
        worker = self._job.worker if self._job is not None else None
        if isinstance(worker, LandscapeWorker):
            worker.cancel()

    def forget(self) -> None:
        """Cancel any computation and drop the surfaces shown (another network was opened)."""
        running = self._job is not None
        self._drop_running()
        self.surfaces, self.request, self.outcome = [], None, None
        self.surfaces_changed.emit()
        if running:
            self.running_changed.emit(False)

    def shutdown(self) -> None:
        """Cancel and wait for the threads (the window is closing)."""
        self._closing = True
        for job in [self._job, *self._dropped]:
            if job is not None:
                job.stop()

    def _updated(self, updates: tuple[LandscapeUpdate, ...]) -> None:
        if self._closing or self._pending is None:
            return
        request, fresh = self._pending
        for update in updates:
            if 0 <= update.subject < len(fresh):
                surface, point = fresh[update.subject], update.point
                surface.loss[point.index] = point.loss
                surface.computed[point.index] = True
                surface.level = max(surface.level, point.level)
        if self.surfaces is not fresh:  # the first points: the new surfaces take the place of the old ones
            self.surfaces, self.request = fresh, request
        self.surfaces_changed.emit()

    def _finished(self, outcome: LandscapeOutcome) -> None:
        collector().settle("engine")
        if self._closing:
            return
        request, fresh = self._pending if self._pending is not None else (outcome.request, [])
        self._pending = None
        self.outcome = outcome
        for surface, landscape in zip(fresh, outcome.landscapes):
            surface.landscape = landscape
            surface.loss, surface.computed = landscape.loss, landscape.computed
            surface.notes = landscape.notes
        if outcome.status == "error" and self._before[0]:
            self.surfaces, self.request = self._before  # a failure loses nothing that was shown
        elif any(s.done for s in fresh):
            self.surfaces, self.request = fresh, request
        self.surfaces_changed.emit()
        self.finished.emit(outcome)

    def _job_done(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if not self._closing:
            self.running_changed.emit(False)
