"""Long work off the GUI thread: forward passes, device detection, opening checkpoints, block code, and the
teaching jobs (the race, data set samples, saving trained weights, gradient flow). The only ui module that
reaches the engine.

The engine (and with it torch) is imported inside the workers' run methods, on the worker thread, so the window
is on screen long before torch has loaded. Results come back through Qt signals as the plain data of
resnet_studio.results: numpy arrays and numbers, never a torch object.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core.model import GraphSnapshot
from ..results.datasets import DataChoice, DataFailure
from ..results.gradients import GradientFlow, GradientFlowComparison, GradientOutcome, GradientRequest
from ..results.run import CPU, ForwardResult, RunError, RunRequest, Status
from ..results.training import CurveUpdate, RaceRefusal, TrainedWeights, TrainingOptions

PROGRESS_INTERVAL_S = 0.03
"""At most ~30 progress reports a second reach the GUI thread (a 500-layer network would flood it)."""
STOP_POLL_S = 0.005
UPDATE_INTERVAL_S = 0.05
"""Training curves reach the GUI thread in batches at most ~20 times a second."""

ENGINE_IMPORT = threading.Lock()
"""Held by a worker while it imports the engine: torch's first import, run by two threads at once (the device
probe and a checkpoint being opened, or a teaching job started early), can fail in both (its extension registers
its types twice). Once the engine is imported, taking the lock costs nothing."""


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
        with ENGINE_IMPORT:
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
            with ENGINE_IMPORT:
                from ..engine.run import list_devices

            devices = list_devices()
        except BaseException:  # no torch or a broken driver: the CPU is still there
            traceback.print_exc(file=sys.stderr)
            devices = (CPU,)
        self.finished.emit(devices)


class RaceWorker(QObject):
    """Trains two to four networks side by side (the degradation race), streaming their curves."""

    updated = Signal(object)
    """A tuple of CurveUpdate: the new points since the last batch (at most ~20 batches a second)."""
    finished = Signal(object)
    """The RaceResult (also after a cancel), or a RaceRefusal when nothing could be trained."""

    def __init__(
        self, networks: Mapping[str, GraphSnapshot], data: DataChoice, options: TrainingOptions
    ) -> None:
        super().__init__()
        self.networks, self.data, self.options = dict(networks), data, options
        self._cancel = threading.Event()
        self._paused = threading.Event()

    def cancel(self) -> None:
        """Stop between two steps (safe from any thread); the result keeps the steps done."""
        self._cancel.set()

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
                from ..engine import training
                from ..engine.datasets import DatasetError

            try:
                data = _load_data(self.data)
                result = self._race(training, data)
            except DatasetError as error:
                result = RaceRefusal(str(error), "data")
            except training.TrainingError as error:
                result = RaceRefusal(str(error), error.problem, error.network)
        except BaseException as error:  # a bug must not take the app down: report it as a refusal
            traceback.print_exc(file=sys.stderr)
            result = RaceRefusal(
                f"training stopped with an unexpected error: {type(error).__name__}: {error}", "failed"
            )
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
                from ..engine.datasets import DatasetError, sample_grid

            try:
                result = sample_grid(_load_data(self.choice), self.rows, self.cols)
            except (DatasetError, ValueError) as error:
                result = DataFailure(self.choice, str(error))
        except BaseException as error:
            traceback.print_exc(file=sys.stderr)
            result = DataFailure(
                self.choice, f"the data set could not be read: {type(error).__name__}: {error}"
            )
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
                from ..engine.errors import WeightsError
                from ..engine.training import save_trained_weights

            try:
                written = save_trained_weights(self.weights, self.path)
                self.finished.emit(str(written), "")
            except (WeightsError, OSError) as error:
                self.finished.emit("", f"could not save {self.path}: {error}")
        except BaseException as error:
            traceback.print_exc(file=sys.stderr)
            self.finished.emit("", f"could not save {self.path}: {type(error).__name__}: {error}")


class GradientWorker(QObject):
    """One backward pass through each of two networks on the same batch of the data set (gradient flow)."""

    progressed = Signal(float, str)
    """(fraction done 0..1, the node just passed)."""
    finished = Signal(object)
    """The GradientOutcome (always sent, also after a failure or a cancel)."""

    def __init__(self, request: GradientRequest) -> None:
        super().__init__()
        self.request = request
        self._cancel = threading.Event()
        self._last_report = 0.0

    def cancel(self) -> None:
        """Stop at the next layer boundary (safe from any thread)."""
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        """Draw the batch, build the networks (with race weights where asked), compare, send the outcome."""
        request = self.request
        try:
            outcome = self._run()
        except BaseException as error:  # a bug must not take the app down: report it as a failed comparison
            traceback.print_exc(file=sys.stderr)
            failed = RunError(
                "failed", f"gradient flow stopped with an unexpected error: {type(error).__name__}: {error}"
            )
            outcome = _gradient_outcome(request, "nothing", failed)
        self.finished.emit(outcome)

    def _run(self) -> GradientOutcome:
        request = self.request
        with ENGINE_IMPORT:
            from ..engine.assembly import build
            from ..engine.assembly.init import initialise_as_pytorch
            from ..engine.datasets import DatasetError
            from ..engine.errors import BuildError, InputError, WeightsError
            from ..engine.gradflow import compare_gradient_flow
            from ..engine.landscape.batch import batch_for
            from ..engine.training import load_trained_weights

        source = request.data.path if request.data.kind == "folder" and request.data.path else "procedural"
        images: Any = "random"
        labels: list[int] | None = None
        try:
            batch = batch_for(
                request.network, request.batch_size, request.seed, source, input_shape=request.input_shape
            )
            images, labels = batch[0], [int(c) % request.classes for c in batch[1].tolist()]
            described = f"a batch of {request.batch_size} from {request.data.describe()}"
        except InputError as error:
            described = f"a batch of {request.batch_size} random images ({error})"
        except BuildError:
            described = "nothing"  # the comparison itself says why the network cannot be built
        except DatasetError as error:
            return _gradient_outcome(request, "nothing", RunError("input", str(error)))
        networks: list[Any] = [request.network, request.other]
        for i, weights in enumerate(request.weights):
            if weights is None and request.initialisation == "he":
                continue  # the comparison builds it, and says why when it cannot
            try:
                net = build(networks[i], request.input_shape, seed=request.seed, inplace=False)
                if request.initialisation == "pytorch":
                    initialise_as_pytorch(net, request.seed)
                if weights is not None:
                    load_trained_weights(net, weights)
            except BuildError as error:
                return _gradient_outcome(request, described, RunError("build", str(error)))
            except WeightsError as error:
                return _gradient_outcome(request, described, RunError("weights", str(error)))
            networks[i] = net
        if self._cancel.is_set():
            return _gradient_outcome(request, described, None, "cancelled")
        comparison = compare_gradient_flow(
            networks[0],
            networks[1],
            names=request.names,
            device=request.device,
            batch_size=request.batch_size,
            input=images,
            labels=labels,
            input_shape=request.input_shape,
            seed=request.seed,
            progress=self._progress,
            cancel=self._cancel.is_set,
        )
        return GradientOutcome(comparison, described, request)

    def _progress(self, fraction: float, node: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self.progressed.emit(fraction, node)


def _gradient_outcome(
    request: GradientRequest, batch: str, error: RunError | None, status: Status = "error"
) -> GradientOutcome:
    flows = [
        GradientFlow(status, name, request.device, "float32", request.batch_size, error=error)
        for name in request.names
    ]
    return GradientOutcome(GradientFlowComparison(flows[0], flows[1]), batch, request)


def _load_data(choice: DataChoice) -> Any:
    """The engine's data set for a choice (on the worker thread); DatasetError or ValueError when it cannot."""
    from ..engine.datasets import load_image_folder, procedural_dataset

    if choice.kind == "folder" and choice.path:
        return load_image_folder(choice.path, size=choice.size)
    return procedural_dataset(size=choice.size)


class CheckpointWorker(QObject):
    """Opens a checkpoint file (reads it with torch, recognises its network) off the GUI thread."""

    finished = Signal(object)
    """An OpenedCheckpoint (graph snapshot, weights as numpy arrays by node), or an OpenFailure."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    @Slot()
    def run(self) -> None:
        """Read and recognise the checkpoint; every failure becomes an OpenFailure with its message."""
        from ..results.checkpoint import OpenFailure

        try:
            with ENGINE_IMPORT:
                from ..engine.checkpoint import open_checkpoint
                from ..engine.errors import WeightsError

            try:
                result: object = open_checkpoint(self.path)
            except WeightsError as error:
                result = OpenFailure(self.path, str(error), getattr(error, "key", None))
        except BaseException as error:  # a bug must not take the app down: report it as a failed open
            traceback.print_exc(file=sys.stderr)
            result = OpenFailure(self.path, f"{type(error).__name__}: {error}")
        self.finished.emit(result)


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
    "CheckpointWorker",
    "CodeWorker",
    "DataWorker",
    "DeviceWorker",
    "ForwardWorker",
    "GradientWorker",
    "RaceWorker",
    "SaveWeightsWorker",
    "WorkerThread",
]
