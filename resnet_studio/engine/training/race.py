"""Training networks side by side: every network takes step n on the same batch before any takes step n + 1,
so the curves advance together. `iter_race` streams the new points; `race` and `train` wrap it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...results.training import (
    CurveUpdate,
    RaceResult,
    TrainingCurve,
    TrainingOptions,
    TrainingPoint,
    TrainingStop,
)
from ..datasets import BatchSampler, ImageDataset, procedural_dataset
from ..run.control import Cancel
from ..run.failures import is_out_of_memory
from ..threads import idle_cores
from .control import Paused, wait_while_paused
from .errors import TrainingError
from .setup import build_for_training, check_classifier, device_for, snapshots
from .trainee import Trainee

Networks = Mapping[str, Graph | GraphSnapshot]
"""The networks of a race by label, in the order to show them: {'plain-56': ..., 'ResNet-56': ...}."""


@dataclass(frozen=True)
class TrainingFault:
    """A failure to inject into one network at one step (for tests and demonstrations): a NaN loss, or the
    device running out of memory."""

    kind: Literal["nan", "out_of_memory"]
    network: str
    step: int


def iter_race(
    networks: Networks,
    data: ImageDataset | None = None,
    options: TrainingOptions | None = None,
    *,
    cancel: Cancel | None = None,
    pause: Paused | None = None,
    faults: Sequence[TrainingFault] = (),
) -> Generator[CurveUpdate, None, RaceResult]:
    """Train the networks (at most four) side by side on the data set (default: the procedural shapes and
    textures), yielding each network's new points as they are read back and, last, its final status; returns
    the RaceResult (with each network's weights). A NaN or infinite loss, or running out of memory, stops that
    network only. `cancel()` stops the race between two steps; while `pause()` is true it waits, and that time
    is left out of the wall clock. Raises TrainingError, before any step, for a network that cannot learn the
    data set's classes, a device that is not there, or a network that does not fit in memory."""
    options = options or TrainingOptions()
    data = data if data is not None else procedural_dataset()
    graphs = snapshots(networks)
    device = device_for(options.device)
    for label, snapshot in graphs.items():
        check_classifier(label, snapshot, data)  # every network is checked before any is built
    channels_last = options.channels_last if options.channels_last is not None else device.type == "cuda"
    with _threads(options.threads):
        try:
            trainees = [
                Trainee(
                    label,
                    build_for_training(snap, data, options.seed, device),
                    options,
                    device,
                    channels_last,
                )
                for label, snap in graphs.items()
            ]
            images, labels = data.images.to(device), data.labels.to(device)
        except Exception as error:
            if is_out_of_memory(error):
                raise TrainingError(
                    f"out of memory on {device} while setting up the networks and the data set; train fewer "
                    "networks at once, use a smaller data set or another device",
                    "out_of_memory",
                ) from None
            raise
        yield from _steps(trainees, images, labels, options, device, channels_last, cancel, pause, faults)
        status: Literal["finished", "cancelled"] = (
            "cancelled" if any(t.status == "cancelled" for t in trainees) else "finished"
        )
        curves = tuple(
            TrainingCurve(t.label, t.status, tuple(t.points), t.stop, t.weights()) for t in trainees
        )
    return RaceResult(status, curves, options, data.description, str(device))


def _steps(
    trainees: list[Trainee],
    images: torch.Tensor,
    labels: torch.Tensor,
    options: TrainingOptions,
    device: torch.device,
    channels_last: bool,
    cancel: Cancel | None,
    pause: Paused | None,
    faults: Sequence[TrainingFault],
) -> Iterator[CurveUpdate]:
    read_every = options.read_every or (1 if device.type == "cpu" else 10)
    sampler = BatchSampler(len(images), options.batch_size, options.seed)
    started = time.perf_counter()
    paused_for = 0.0

    def wall() -> float:
        return time.perf_counter() - started - paused_for

    def cancelled() -> bool:
        return cancel is not None and bool(cancel())

    position = {t.label: i for i, t in enumerate(trainees)}
    for step in range(1, options.steps + 1):
        paused_for += wait_while_paused(pause, cancel)
        if cancelled():
            break
        indices = next(sampler).to(device, non_blocking=True)
        x, y = images[indices], labels[indices]
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for trainee in trainees:
            if not trainee.running or cancelled():
                continue
            try:
                _inject(trainee, step, faults)
                trainee.step(x, y, wall)
            except Exception as error:  # each network's failure stops that network only
                new = trainee.read(options.batch_size)  # the steps before this one still count
                if trainee.running:
                    trainee.fail(error, step, options.batch_size, device)
                yield _update(trainee, position, new)
        if step % read_every == 0 or step == options.steps:
            yield from _read_all(trainees, position, options.batch_size)
    yield from _read_all(trainees, position, options.batch_size)
    for trainee in trainees:
        if trainee.running:
            if cancelled() or trainee.steps_done < options.steps:
                done = trainee.steps_done
                trainee.finish_early(
                    TrainingStop("cancelled", done + 1, f"{trainee.label}: cancelled after step {done}")
                )
            else:
                trainee.status = "finished"
            yield _update(trainee, position, ())


def _read_all(trainees: list[Trainee], position: dict[str, int], batch_size: int) -> Iterator[CurveUpdate]:
    for trainee in trainees:
        if not trainee.running:
            continue
        new = trainee.read(batch_size)
        if new or not trainee.running:
            yield _update(trainee, position, new)


def _update(trainee: Trainee, position: dict[str, int], points: Sequence[TrainingPoint]) -> CurveUpdate:
    return CurveUpdate(position[trainee.label], trainee.label, tuple(points), trainee.status, trainee.stop)


def _inject(trainee: Trainee, step: int, faults: Sequence[TrainingFault]) -> None:
    for fault in faults:
        if fault.network == trainee.label and fault.step == step:
            if fault.kind == "out_of_memory":
                raise torch.OutOfMemoryError("out of memory (injected fault for testing)")
            trainee.poison_next_step()


@contextlib.contextmanager
def _threads(count: int | None) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(count or idle_cores(before))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def race(
    networks: Networks,
    data: ImageDataset | None = None,
    options: TrainingOptions | None = None,
    *,
    on_update: Callable[[CurveUpdate], None] | None = None,
    cancel: Cancel | None = None,
    pause: Paused | None = None,
    faults: Sequence[TrainingFault] = (),
) -> RaceResult:
    """iter_race() to the end, handing each update to `on_update`; returns the RaceResult."""
    updates = iter_race(networks, data, options, cancel=cancel, pause=pause, faults=faults)
    while True:
        try:
            update = next(updates)
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]
        if on_update is not None:
            on_update(update)


def train(
    network: Graph | GraphSnapshot,
    data: ImageDataset | None = None,
    options: TrainingOptions | None = None,
    *,
    label: str = "network",
    on_point: Callable[[TrainingPoint], None] | None = None,
    cancel: Cancel | None = None,
    pause: Paused | None = None,
    faults: Sequence[TrainingFault] = (),
) -> TrainingCurve:
    """Train one network (a race of one); `on_point` gets each point as it is read back."""

    def forward(update: CurveUpdate) -> None:
        if on_point is not None:
            for point in update.points:
                on_point(point)

    result = race(
        {label: network}, data, options, on_update=forward, cancel=cancel, pause=pause, faults=faults
    )
    return result.curves[0]
