"""Loss landscapes computed side by side on a worker thread, their points streamed to the window."""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal, Slot

from ...results.landscape_request import LandscapeOutcome, LandscapeRequest, LandscapeUpdate
from ...results.run import RunError
from .thread import ENGINE_IMPORT, UPDATE_INTERVAL_S, CancellableWorker, unexpected


class LandscapeWorker(CancellableWorker):
    """The loss landscapes of two networks (or more) computed side by side, one core each, streaming their points
    coarse grid first; a cancel stops it between two batches of points, and the landscapes keep the points known."""

    updated = Signal(object)
    """A tuple of LandscapeUpdate: the points known since the last batch (at most ~20 batches a second)."""
    finished = Signal(object)
    """The LandscapeOutcome (always sent, also after a failure or a cancel)."""

    def __init__(self, request: LandscapeRequest) -> None:
        super().__init__()
        self.request = request
        self._points: queue.SimpleQueue[LandscapeUpdate] = queue.SimpleQueue()

    @Slot()
    def run(self) -> None:
        """Draw the batch, compute the landscapes on threads of their own, stream the points, send the outcome."""
        try:
            outcome = self._run()
        except BaseException as error:
            failed = RunError(
                "failed", f"the landscape stopped with an unexpected error: {unexpected(error)}"
            )
            outcome = LandscapeOutcome(self.request, error=failed)
        self._send_points()
        self.finished.emit(outcome)

    def _run(self) -> LandscapeOutcome:
        request = self.request
        with ENGINE_IMPORT:
            from concurrent.futures import ThreadPoolExecutor
            from concurrent.futures import TimeoutError as Waiting

            from ...engine.datasets import DatasetError
            from ...engine.errors import BuildError, InputError
            from ...engine.landscape import compute_landscape
            from ...engine.landscape.batch import batch_for
            from ...engine.threads import side_by_side

        seed, size = request.options.seed, request.batch_size
        batches: list[Any] = []
        described = f"a batch of {size} from shapes and textures (procedural)"
        for subject in request.subjects:
            try:
                try:
                    batch = batch_for(subject.network, size, seed, input_shape=request.input_shape)
                except InputError:  # not 3-channel images of a procedural size: seeded noise instead
                    batch = batch_for(subject.network, size, seed, "random", input_shape=request.input_shape)
                    described = f"a batch of {size} random images"
            except BuildError as error:
                message = f"{subject.label} cannot be built: {error}"
                return LandscapeOutcome(request, batch=described, error=RunError("build", message))
            except (DatasetError, InputError) as error:
                return LandscapeOutcome(request, error=RunError("input", f"{subject.label}: {error}"))
            batches.append(batch)
        if self._cancel.is_set():
            return LandscapeOutcome(request, batch=described, error=None)

        def job(k: int) -> Callable[[], Any]:
            subject = request.subjects[k]

            def compute() -> Any:
                return compute_landscape(
                    subject.network,
                    batches[k],
                    request.options,
                    weights=subject.weights,
                    device=request.device,
                    label=subject.label,
                    on_point=lambda point: self._points.put(LandscapeUpdate(k, point)),
                    cancel=self._cancel.is_set,
                    workers=1,
                    seed=seed,
                )

            return compute

        jobs = [job(k) for k in range(len(request.subjects))]
        with ThreadPoolExecutor(1, thread_name_prefix="landscape") as pool:
            future = pool.submit(side_by_side, jobs)
            while True:
                try:
                    landscapes = future.result(timeout=UPDATE_INTERVAL_S)
                    break
                except Waiting:
                    self._send_points()
        return LandscapeOutcome(request, tuple(landscapes), described)

    def _send_points(self) -> None:
        waiting: list[LandscapeUpdate] = []
        while True:
            try:
                waiting.append(self._points.get_nowait())
            except queue.Empty:
                break
        if waiting:
            self.updated.emit(tuple(waiting))
