"""compute_landscape(): a loss curve or surface around a network's weights, streamed point by point as a coarse
grid refines, cancellable, optionally shared between torch.distributed processes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...results.landscape import Curvature, Landscape, LandscapeOptions, LandscapePoint, NonConvexity
from ...results.run import RunError, Status
from ..assembly import Network
from ..errors import BuildError, DeviceError, EngineError, InputError, WeightsError
from ..run.control import Cancel
from ..run.devices import resolve_device
from ..run.failures import is_out_of_memory
from ..threads import operator_threads
from .curvature import principal_curvatures
from .directions import random_directions
from .distributed import DistributedError, Processes
from .evaluate import PointEvaluator
from .fold import fold_batchnorm
from .grid import GridPoint, batches, refinement_order, rounds
from .nonconvexity import nonconvexity
from .pool import EvaluatorPool
from .precision import choose_precision
from .prepare import Weights, copy_network, prepare_network

PointCallback = Callable[[LandscapePoint], None]


def compute_landscape(
    network: Graph | GraphSnapshot | Network,
    batch: tuple[Tensor, Tensor],
    options: LandscapeOptions | None = None,
    *,
    weights: Weights | None = None,
    device: str | torch.device = "cpu",
    label: str = "network",
    on_point: PointCallback | None = None,
    cancel: Cancel | None = None,
    processes: Processes | None = None,
    workers: int | None = None,
    seed: int = 0,
) -> Landscape:
    """The loss (cross-entropy) and accuracy on `batch` = (images, labels) at every point of a grid through the
    network's weights along `options.dimensions` seeded, filter-normalised random directions.

    Points arrive through `on_point` as they are known: the coarse grid first, then finer ones (never a point
    twice). `cancel` is asked between batches of points; a cancelled landscape keeps the points it has.
    BatchNorm runs in eval mode (see LandscapeOptions.statistics). With `processes` from distributed.join(), each
    process computes its share and every process returns the whole landscape. On a CPU, `workers` copies of the
    network compute points side by side, one single-threaded worker each (default: one per PyTorch thread;
    PyTorch's thread count is 1 meanwhile, so the numbers do not depend on how many workers or processes).
    `seed` seeds the initial weights of a network built here (`weights` replace them); a Network given is copied,
    never changed.

    Failures come back as results; only a lost process raises DistributedError, since the others cannot go on.
    """
    options = options or LandscapeOptions()
    processes = processes or Processes()
    started = time.perf_counter()
    images, labels = batch
    partial = _Partial(label, options, images.shape[0], processes.count)
    try:
        torch_device = resolve_device(device)
        partial.device = str(torch_device)
        count = max(1, workers or torch.get_num_threads()) if torch_device.type == "cpu" else 1
        # Single-threaded operations on the CPU: the same numbers whatever the number of workers and processes.
        with operator_threads(1 if torch_device.type == "cpu" else None):
            pool, centre = _set_up(
                network, images, labels, options, weights, torch_device, seed, count, partial
            )
            try:
                return _compute(pool, centre, options, processes, on_point, cancel, partial, started)
            finally:
                pool.close()
    except (BuildError, DeviceError, InputError, WeightsError) as error:
        return partial.landscape("error", started, _error(error))
    except DistributedError:
        raise
    except Exception as error:
        if is_out_of_memory(error):
            return partial.landscape("error", started, RunError("out_of_memory", f"out of memory: {error}"))
        return partial.landscape("error", started, RunError("failed", f"the landscape failed: {error}"))


def _set_up(
    network: Graph | GraphSnapshot | Network,
    images: Tensor,
    labels: Tensor,
    options: LandscapeOptions,
    weights: Weights | None,
    device: torch.device,
    seed: int,
    count: int,
    partial: _Partial,
) -> tuple[EvaluatorPool, Network | None]:
    """The evaluators of the network and its copies (BatchNorm folded when it stays put), and, when the
    curvature is asked for, an untouched float32 copy of the network at the centre."""
    net = prepare_network(
        network, images, labels, weights=weights, statistics=options.statistics, device=device, seed=seed
    )
    images, labels = images.to(device), labels.to(device)
    directions = random_directions(net, options.dimensions, options.seed, include_norm=options.include_norm)
    centre = copy_network(net) if options.curvature else None
    nets = [net, *(copy_network(net) for _ in range(count - 1))]
    folds = [] if options.include_norm else [fold_batchnorm(n, images[:2]) for n in nets]
    scales = folds[0].scales if folds else {}

    def evaluator(n: torch.nn.Module, dtype: torch.dtype) -> PointEvaluator:
        return PointEvaluator(
            n,
            images,
            labels,
            directions,
            scales=scales,
            dtype=dtype,
            channels_last=True,  # with BatchNorm folded, about 1.3x faster on a CPU too
            batched=device.type != "cpu",
        )

    dtype, notes = choose_precision(lambda d: evaluator(net, d), net, options, device)
    partial.precision = str(dtype).replace("torch.", "")
    partial.notes = (_statistics_note(options), *notes)
    return EvaluatorPool([evaluator(n, dtype) for n in nets]), centre


def _compute(
    pool: EvaluatorPool,
    centre: Network | None,
    options: LandscapeOptions,
    processes: Processes,
    on_point: PointCallback | None,
    cancel: Cancel | None,
    partial: _Partial,
    started: float,
) -> Landscape:
    order = refinement_order(options.grid, options.coarse, options.dimensions)
    first = pool.first
    per_batch = options.points_per_batch or (len(pool.evaluators) if not first.batched else 8)
    coordinates = options.coordinates()
    done = 0
    for group in rounds(batches(order, per_batch), processes.count):
        stop = cancel is not None and cancel()
        mine = group[processes.rank] if processes.rank < len(group) else []
        values, failure = _evaluate(pool, mine, coordinates, stop)
        losses, accuracies, flags = _share(processes, group, values, stop, failure, per_batch)
        if flags[1] > 0:
            if failure is not None:
                return partial.landscape("error", started, failure)
            raise DistributedError(
                f"another process of the run failed ({int(flags[1])} of {processes.count}); see its message; "
                "nothing was written"
            )
        if flags[0] > 0:
            return partial.landscape("cancelled", started)
        for k, chunk in enumerate(group):
            for m, point in enumerate(chunk):
                done += 1
                loss, accuracy = float(losses[k, m]), float(accuracies[k, m])
                partial.set(point.index, loss, accuracy)
                if on_point is not None:
                    where = tuple(float(coordinates[i]) for i in point.index)
                    on_point(
                        LandscapePoint(point.index, where, loss, accuracy, point.level, done, len(order))
                    )
    if options.dimensions == 2:
        partial.nonconvexity = nonconvexity(partial.loss, float(coordinates[1] - coordinates[0]))
    if centre is not None and processes.leader:
        images = first.images.float().contiguous()
        partial.curvature = principal_curvatures(
            centre, images, first.labels, seed=options.seed, cancel=cancel
        )
        if partial.curvature is None:
            return partial.landscape("cancelled", started)
    return partial.landscape("ok", started)


def _evaluate(
    pool: EvaluatorPool, chunk: Sequence[GridPoint], coordinates: np.ndarray, stop: bool
) -> tuple[tuple[list[float], list[float]], RunError | None]:
    if stop or not chunk:
        return ([], []), None
    points = [tuple(float(coordinates[i]) for i in p.index) for p in chunk]
    try:
        return pool(points), None
    except Exception as error:
        if is_out_of_memory(error):
            message = f"out of memory while computing {len(points)} points at once: {error}"
            return ([], []), RunError("out_of_memory", message)
        return ([], []), RunError("failed", f"computing the landscape failed: {error}")


def _share(
    processes: Processes,
    group: Sequence[Sequence[GridPoint]],
    values: tuple[list[float], list[float]],
    stop: bool,
    failure: RunError | None,
    per_batch: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every process's results of this round (losses, accuracies: processes x per_batch) and the flags
    (cancelled, failed), summed over processes; each process fills only its own row."""
    count = processes.count
    table = torch.zeros(count, per_batch, 2, dtype=torch.float64)
    flags = torch.zeros(2, dtype=torch.float64)
    losses, accuracies = values
    table[processes.rank, : len(losses), 0] = torch.tensor(losses, dtype=torch.float64)
    table[processes.rank, : len(accuracies), 1] = torch.tensor(accuracies, dtype=torch.float64)
    flags[0], flags[1] = float(stop), float(failure is not None)
    packed = processes.exchange(torch.cat((table.flatten(), flags)), f"{sum(map(len, group))} points")
    table_out = packed[:-2].view(count, per_batch, 2).numpy()
    return table_out[..., 0], table_out[..., 1], packed[-2:].numpy()


def _statistics_note(options: LandscapeOptions) -> str:
    if options.statistics == "recompute":
        return "BatchNorm in eval mode, its statistics those of this batch at the centre weights"
    return "BatchNorm in eval mode, with the running statistics the weights came with"


def _error(error: EngineError) -> RunError:
    kinds = {DeviceError: "device", BuildError: "build", InputError: "input", WeightsError: "weights"}
    kind = next(k for cls, k in kinds.items() if isinstance(error, cls))
    diagnostics = error.diagnostics if isinstance(error, BuildError) else ()
    return RunError(kind, str(error), diagnostics=diagnostics)  # type: ignore[arg-type]


class _Partial:
    """The landscape while it is being computed."""

    def __init__(self, label: str, options: LandscapeOptions, batch_size: int, processes: int) -> None:
        shape = (options.grid,) * options.dimensions
        self.label, self.options, self.batch_size, self.processes = label, options, batch_size, processes
        self.loss = np.full(shape, math.nan)
        self.accuracy = np.full(shape, math.nan)
        self.computed = np.zeros(shape, dtype=bool)
        self.device = "cpu"
        self.precision = "float32"
        self.notes: tuple[str, ...] = ()
        self.nonconvexity: NonConvexity | None = None
        self.curvature: Curvature | None = None

    def set(self, index: tuple[int, ...], loss: float, accuracy: float) -> None:
        self.loss[index], self.accuracy[index], self.computed[index] = loss, accuracy, True

    def landscape(self, status: Status, started: float, error: RunError | None = None) -> Landscape:
        return Landscape(
            status,
            self.label,
            self.options,
            self.options.coordinates(),
            self.loss.copy(),
            self.accuracy.copy(),
            self.computed.copy(),
            batch_size=self.batch_size,
            device=self.device,
            precision=self.precision,
            processes=self.processes,
            seconds=time.perf_counter() - started,
            nonconvexity=self.nonconvexity,
            curvature=self.curvature,
            notes=self.notes,
            error=error,
        )
