"""Points computed side by side: on a CPU, one copy of the network per core, each run single-threaded by its own
worker thread (PyTorch releases the interpreter lock inside its kernels). Unlike one network run with a thread
per core, no layer waits for the slowest core, so a busy machine slows the work down gracefully instead of
stalling it at every layer."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from .evaluate import PointEvaluator

Point = Sequence[float]


class EvaluatorPool:
    """Evaluates batches of points with one evaluator per worker; a batch goes to the evaluators point by point
    when there are several, whole (one vmap over its points) when there is one."""

    def __init__(self, evaluators: Sequence[PointEvaluator]) -> None:
        self.evaluators = list(evaluators)
        self._executor = ThreadPoolExecutor(len(evaluators)) if len(evaluators) > 1 else None
        self._closed = False

    def __call__(self, points: Sequence[Point]) -> tuple[list[float], list[float]]:
        """(losses, accuracies) at the points, in order."""
        if self._executor is None:
            return self.evaluators[0](points)
        shares = [list(points[k :: len(self.evaluators)]) for k in range(len(self.evaluators))]
        futures = [
            self._executor.submit(evaluator, share)
            for evaluator, share in zip(self.evaluators, shares)
            if share
        ]
        results = [future.result() for future in futures]
        losses: list[float] = [0.0] * len(points)
        accuracies: list[float] = [0.0] * len(points)
        for k, (share_losses, share_accuracies) in enumerate(results):
            losses[k :: len(self.evaluators)] = share_losses
            accuracies[k :: len(self.evaluators)] = share_accuracies
        return losses, accuracies

    @property
    def first(self) -> PointEvaluator:
        """The evaluator of the network that was given (the others run copies of it)."""
        return self.evaluators[0]

    def close(self) -> None:
        """Stop the worker threads and put every network's moved weights back at the centre, once: weights
        restored later (unfolding BatchNorm) stay as they are."""
        if self._closed:
            return
        self._closed = True
        for evaluator in self.evaluators:
            evaluator.reset()
        if self._executor is not None:
            self._executor.shutdown()
