"""The degradation race on a worker thread: training side by side, the data set's sample, saving trained weights."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ...core.model import GraphSnapshot
from ...results.datasets import DataChoice, DataFailure
from ...results.training import CurveUpdate, RaceRefusal, TrainedWeights, TrainingOptions
from .thread import ENGINE_IMPORT, UPDATE_INTERVAL_S, CancellableWorker, unexpected


class RaceWorker(CancellableWorker):
    """Trains two to four networks side by side (the degradation race), streaming their curves; a cancel stops it
    between two steps, and the result keeps the steps done."""

    updated = Signal(object)
    """A tuple of CurveUpdate: the new points since the last batch (at most ~20 batches a second)."""
    finished = Signal(object)
    """The RaceResult (also after a cancel), or a RaceRefusal when nothing could be trained."""

    def __init__(
        self, networks: Mapping[str, GraphSnapshot], data: DataChoice, options: TrainingOptions
    ) -> None:
        super().__init__()
        self.networks, self.data, self.options = dict(networks), data, options
        self._paused = threading.Event()

    def pause(self) -> None:
        """Wait after the current step until resume() (its time is left out of the wall clock)."""
        self._paused.set()

    def resume(self) -> None:
        """Go on after pause()."""
        self._paused.clear()

    @Slot()
    def run(self) -> None:
        """Load the data set, train, stream the curves, send the result."""
        result: object
        try:
            with ENGINE_IMPORT:
                from ...engine import training
                from ...engine.datasets import DatasetError

            try:
                data = _load_data(self.data)
                result = self._race(training, data)
            except DatasetError as error:
                result = RaceRefusal(str(error), "data")
            except training.TrainingError as error:
                result = RaceRefusal(str(error), error.problem, error.network)
        except BaseException as error:
            result = RaceRefusal(f"training stopped with an unexpected error: {unexpected(error)}", "failed")
        self.finished.emit(result)

    def _race(self, training: Any, data: Any) -> object:
        updates = training.iter_race(
            self.networks, data, self.options, cancel=self._cancel.is_set, pause=self._paused.is_set
        )
        waiting: list[CurveUpdate] = []
        last = time.monotonic()
        while True:
            try:
                update = next(updates)
            except StopIteration as done:
                if waiting:
                    self.updated.emit(tuple(waiting))
                return done.value
            waiting.append(update)
            now = time.monotonic()
            if update.status != "running" or now - last >= UPDATE_INTERVAL_S:
                self.updated.emit(tuple(waiting))
                waiting, last = [], now


class DataWorker(QObject):
    """Reads a data set (draws the procedural one, or loads a folder) and makes a sample grid of it."""

    finished = Signal(object)
    """A SampleGrid, or a DataFailure saying what is wrong with the folder."""

    def __init__(self, choice: DataChoice, rows: int = 3, cols: int = 10) -> None:
        super().__init__()
        self.choice, self.rows, self.cols = choice, rows, cols

    @Slot()
    def run(self) -> None:
        """Read the data and draw the sample."""
        result: object
        try:
            with ENGINE_IMPORT:
                from ...engine.datasets import DatasetError, sample_grid

            try:
                result = sample_grid(_load_data(self.choice), self.rows, self.cols)
            except (DatasetError, ValueError) as error:
                result = DataFailure(self.choice, str(error))
        except BaseException as error:
            result = DataFailure(self.choice, f"the data set could not be read: {unexpected(error)}")
        self.finished.emit(result)


class SaveWeightsWorker(QObject):
    """Writes trained weights as .safetensors or a PyTorch state dict (atomically: a failed save keeps the old
    file)."""

    finished = Signal(str, str)
    """(the path written, '') or ('', why it failed)."""

    def __init__(self, weights: TrainedWeights, path: str) -> None:
        super().__init__()
        self.weights, self.path = weights, path

    @Slot()
    def run(self) -> None:
        """Save and report."""
        try:
            with ENGINE_IMPORT:
                from ...engine.errors import WeightsError
                from ...engine.training import save_trained_weights

            try:
                written = save_trained_weights(self.weights, self.path)
                self.finished.emit(str(written), "")
            except (WeightsError, OSError) as error:
                self.finished.emit("", f"could not save {self.path}: {error}")
        except BaseException as error:
            self.finished.emit("", f"could not save {self.path}: {unexpected(error)}")


def _load_data(choice: DataChoice) -> Any:
    """The engine's data set for a choice (on the worker thread); DatasetError or ValueError when it cannot."""
    from ...engine.datasets import load_image_folder, procedural_dataset

    if choice.kind == "folder" and choice.path:
        return load_image_folder(choice.path, size=choice.size)
    return procedural_dataset(size=choice.size)
