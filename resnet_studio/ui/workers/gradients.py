"""Gradient flow through two networks on a worker thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot

from ...results.gradients import GradientFlow, GradientFlowComparison, GradientOutcome, GradientRequest
from ...results.run import RunError, Status
from .thread import ENGINE_IMPORT, CancellableWorker, PacedProgress, unexpected


class GradientWorker(CancellableWorker):
    """One backward pass through each of two networks on the same batch of the data set (gradient flow); a cancel
    stops it between layers."""

    progressed = Signal(float, str)
    """(fraction done 0..1, the node just passed)."""
    finished = Signal(object)
    """The GradientOutcome (always sent, also after a failure or a cancel)."""

    def __init__(self, request: GradientRequest) -> None:
        super().__init__()
        self.request = request
        self._progress = PacedProgress(self.progressed.emit)

    @Slot()
    def run(self) -> None:
        """Draw the batch, build the networks (with race weights where asked), compare, send the outcome."""
        request = self.request
        try:
            outcome = self._run()
        except BaseException as error:
            failed = RunError(
                "failed", f"gradient flow stopped with an unexpected error: {unexpected(error)}"
            )
            outcome = _gradient_outcome(request, "nothing", failed)
        self.finished.emit(outcome)

    def _run(self) -> GradientOutcome:
        request = self.request
        with ENGINE_IMPORT:
            from ...engine.assembly import build
            from ...engine.assembly.init import initialise_as_pytorch
            from ...engine.datasets import DatasetError
            from ...engine.errors import BuildError, InputError, WeightsError
            from ...engine.gradflow import compare_gradient_flow
            from ...engine.landscape.batch import batch_for
            from ...engine.training import load_trained_weights

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


def _gradient_outcome(
    request: GradientRequest, batch: str, error: RunError | None, status: Status = "error"
) -> GradientOutcome:
    flows = [
        GradientFlow(status, name, request.device, "float32", request.batch_size, error=error)
        for name in request.names
    ]
    return GradientOutcome(GradientFlowComparison(flows[0], flows[1]), batch, request)
