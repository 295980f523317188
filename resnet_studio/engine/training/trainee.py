"""One network in training: its module, optimiser and clock, the steps not yet read back, and how it ended."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ...results.training import TrainedWeights, TrainingOptions, TrainingPoint, TrainingStatus, TrainingStop
from ..run.failures import is_out_of_memory


def make_optimizer(net: nn.Module, options: TrainingOptions) -> torch.optim.Optimizer:
    """SGD with momentum and weight decay; the fused kernel where PyTorch has one for the device."""
    params = list(net.parameters())
    settings = {"lr": options.lr, "momentum": options.momentum, "weight_decay": options.weight_decay}
    try:
        return torch.optim.SGD(params, **settings, fused=True)  # type: ignore[arg-type]
    except (RuntimeError, ValueError, TypeError):
        return torch.optim.SGD(params, **settings, foreach=True)  # type: ignore[arg-type]


class StepClock:
    """The compute time of each step: the host clock on the CPU (which runs each step before returning), CUDA
    events on a GPU (read only when the losses are, so timing adds no wait)."""

    def __init__(self, device: torch.device) -> None:
        self.cuda = device.type == "cuda"
        self._started = 0.0
        self._events: list[tuple[torch.cuda.Event, torch.cuda.Event]] = []
        self._host: list[float] = []

    def start(self) -> None:
        """Mark the start of a step."""
        if self.cuda:
            begin = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            begin.record()
            self._events.append((begin, begin))
        else:
            self._started = time.perf_counter()

    def stop(self) -> None:
        """Mark the end of the step started last."""
        if self.cuda:
            end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            end.record()
            self._events[-1] = (self._events[-1][0], end)
        else:
            self._host.append(time.perf_counter() - self._started)

    def take(self) -> list[float]:
        """The seconds of each step since the last take (after the device has finished them)."""
        if self.cuda:
            seconds = [a.elapsed_time(b) / 1000 for a, b in self._events]
            self._events = []
            return seconds
        seconds, self._host = self._host, []
        return seconds


class Trainee:
    """A network being trained on the race's batches, one step at a time."""

    def __init__(
        self, label: str, net: nn.Module, options: TrainingOptions, device: torch.device, channels_last: bool
    ) -> None:
        self.label = label
        self.net = net.to(memory_format=torch.channels_last) if channels_last else net  # type: ignore[call-overload]
        self.optimizer = make_optimizer(self.net, options)
        self.lr, self.warmup_steps = options.lr, options.warmup_steps
        self.clock = StepClock(device)
        self.status: TrainingStatus = "running"
        self.stop: TrainingStop | None = None
        self.points: list[TrainingPoint] = []
        self.seconds = 0.0
        self._pending: list[tuple[Tensor, Tensor]] = []
        self._walls: list[float] = []
        self._first_pending = 1
        self._poison = False

    @property
    def running(self) -> bool:
        """True until it finished, diverged, failed or was cancelled."""
        return self.status == "running"

    @property
    def steps_done(self) -> int:
        """Steps run, read back or not."""
        return self._first_pending - 1 + len(self._pending)

    def poison_next_step(self) -> None:
        """Make the next step's loss NaN, as a too-high learning rate would (for tests and demonstrations)."""
        self._poison = True

    def step(self, images: Tensor, labels: Tensor, wall: Callable[[], float]) -> None:
        """One SGD step on the batch; the loss and hits stay on the device until read()."""
        self.clock.start()
        step = self.steps_done + 1
        if step <= self.warmup_steps:
            for group in self.optimizer.param_groups:
                group["lr"] = self.lr * step / self.warmup_steps
        logits = self.net(images)
        loss = F.cross_entropy(logits, labels)
        if self._poison:
            loss = loss * float("nan")
            self._poison = False
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        self.optimizer.step()
        hits = (logits.detach().argmax(dim=1) == labels).sum()
        self._pending.append((loss.detach(), hits))
        self.clock.stop()
        self._walls.append(wall())

    def read(self, batch_size: int) -> list[TrainingPoint]:
        """The points of the steps run since the last read (one wait for the device); a NaN or infinite loss
        stops the network at its step and drops the points from there on."""
        if not self._pending:
            return []
        values = torch.stack([torch.stack((loss.float(), hits.float())) for loss, hits in self._pending])
        rows = values.tolist()  # the only host read of the losses
        seconds = self.clock.take()
        new: list[TrainingPoint] = []
        for offset, ((loss, hits), spent, wall) in enumerate(zip(rows, seconds, self._walls)):
            step = self._first_pending + offset
            if not math.isfinite(loss):
                self.finish_early(
                    TrainingStop(
                        "diverged",
                        step,
                        f"{self.label}: the loss became {'NaN' if math.isnan(loss) else 'infinite'} at step {step}",
                        "Lower the learning rate (e.g. to a tenth) and start again",
                    )
                )
                break
            self.seconds += spent
            new.append(TrainingPoint(step, loss, hits / batch_size, self.seconds, wall))
        self._first_pending += len(self._pending)
        self._pending, self._walls = [], []
        self.points.extend(new)
        return new

    def fail(self, error: BaseException, step: int, batch_size: int, device: torch.device) -> None:
        """Stop on an exception raised by a step: out of memory, or PyTorch refusing something."""
        self._pending, self._walls = [], []
        self.clock.take()
        self.optimizer.zero_grad(set_to_none=True)
        if is_out_of_memory(error):
            if device.type == "cuda":
                torch.cuda.empty_cache()
            smaller = max(1, batch_size // 2)
            stop = TrainingStop(
                "out_of_memory",
                step,
                f"{self.label}: out of memory on {device} at step {step} with batch {batch_size}",
                f"Try batch {smaller}, fewer networks at once, or another device",
            )
        else:
            first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
            stop = TrainingStop(
                "failed",
                step,
                f"{self.label}: PyTorch failed at step {step}: {type(error).__name__}: {first}",
            )
        self.finish_early(stop)

    def finish_early(self, stop: TrainingStop) -> None:
        """Mark it stopped (diverged, failed or cancelled)."""
        self.stop = stop
        kinds: dict[str, TrainingStatus] = {"cancelled": "cancelled", "diverged": "diverged"}
        self.status = kinds.get(stop.kind, "failed")

    def weights(self) -> TrainedWeights | None:
        """The state dict as numpy arrays (None after a divergence or failure: those weights are of no use)."""
        if self.status in ("diverged", "failed"):
            return None
        tensors = {
            key: np.array(value.detach().to("cpu").numpy(), order="C", copy=True)
            for key, value in self.net.state_dict().items()
        }
        return TrainedWeights(tensors, len(self.points))
