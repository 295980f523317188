"""Training and the degradation race: the options, the curve points streamed while training, how each network
ended, and the weights it reached. Plain data (numbers, strings, numpy arrays); the engine fills them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from ..core.model import GraphSnapshot

if TYPE_CHECKING:  # numpy is only named here; the command line reads these defaults before anything heavy
    import numpy as np

TrainingStatus = Literal["running", "finished", "diverged", "cancelled", "failed"]
"""running: still training; finished: ran every step; diverged: the loss became NaN or infinite; cancelled:
stopped by the user; failed: out of memory or another error (see `stop`)."""

StopKind = Literal["diverged", "out_of_memory", "failed", "cancelled"]


class OptionsError(ValueError):
    """A training option out of range: says which option, what it must be and what was given."""


@dataclass(frozen=True)
class TrainingOptions:
    """Plain SGD with momentum and weight decay, a constant learning rate, a fixed number of steps.

    The defaults are the lecture's: with them ResNet-56 learns the procedural data set within about a hundred
    steps while plain-56 stays near chance (a higher rate makes ResNet-56's loss jump at the start)."""

    steps: int = 200
    batch_size: int = 32
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 5e-4
    warmup_steps: int = 0
    """The learning rate rises linearly from lr / warmup_steps to lr over this many first steps (0: none)."""
    seed: int = 0
    """Seeds the initial weights and the order of the batches (the same for every network of a race)."""
    device: str = "cpu"
    read_every: int | None = None
    """Read losses back to the host every this many steps (None: every step on the CPU, every 10 on a GPU,
    where each read waits for the device)."""
    channels_last: bool | None = None
    """Memory format of images and weights (None: whichever is faster on the device)."""
    threads: int | None = None
    """CPU threads for PyTorch while training (None: one per core not already busy, at most PyTorch's setting;
    threads that wait for a busy core slow every step down)."""

    def __post_init__(self) -> None:
        _whole(self.steps, "steps", 1)
        _whole(self.batch_size, "batch size", 1)
        _whole(self.seed, "seed", 0)
        _whole(self.warmup_steps, "warm-up steps", 0)
        if self.read_every is not None:
            _whole(self.read_every, "read_every", 1)
        if self.threads is not None:
            _whole(self.threads, "threads", 1)
        _number(self.lr, "learning rate", positive=True)
        _number(self.momentum, "momentum")
        _number(self.weight_decay, "weight decay")
        if self.momentum >= 1:
            raise OptionsError(f"the momentum must be from 0 up to (not including) 1, not {self.momentum!r}")


def _whole(value: object, what: str, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        kind = "a positive whole number" if least == 1 else f"a whole number of at least {least}"
        raise OptionsError(f"the {what} must be {kind}, not {value!r}")


def _number(value: object, what: str, *, positive: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):  # type: ignore[operator]
        kind = "a number above 0" if positive else "a number of at least 0"
        raise OptionsError(f"the {what} must be {kind}, not {value!r}")


@dataclass(frozen=True)
class TrainingPoint:
    """One training step of one network: the loss and accuracy on its batch (from the forward pass that trained
    on it, so before that step's update) and the time spent so far."""

    step: int
    """1 for the first step."""
    loss: float
    accuracy: float
    """Fraction of the batch classified right, 0..1."""
    seconds: float
    """This network's own compute time up to the end of this step."""
    wall_seconds: float
    """Time since the race started, pauses excluded (all networks share this clock)."""


@dataclass(frozen=True)
class TrainingStop:
    """Why a network stopped early, at which step, and what to do."""

    kind: StopKind
    step: int
    """The step that failed (its loss is not in the curve); 0 when it never started."""
    message: str
    suggestion: str = ""

    def __str__(self) -> str:
        return f"{self.message}. {self.suggestion}" if self.suggestion else self.message


@dataclass(frozen=True, eq=False)
class TrainedWeights:
    """A network's state dict after training, as numpy arrays by the module's keys ('layer1.0.conv1.weight')."""

    tensors: Mapping[str, np.ndarray] = field(repr=False)
    step: int = 0
    """How many steps trained them."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tensors", MappingProxyType(dict(self.tensors)))

    @property
    def parameters(self) -> int:
        """How many numbers they hold."""
        return sum(int(v.size) for v in self.tensors.values())


@dataclass(frozen=True, eq=False)
class TrainedNetwork:
    """One network of a race and the weights it reached: what the app keeps after a race, to run, analyse or save
    the trained network."""

    label: str
    snapshot: GraphSnapshot
    """The network as it was trained."""
    weights: TrainedWeights

    def describe(self) -> str:
        """'ResNet-56 after 120 steps of training'."""
        steps = self.weights.step
        return f"{self.label} after {steps} step{'s' if steps != 1 else ''} of training"


@dataclass(frozen=True)
class RaceRefusal:
    """Why a race did not start (or stopped as a whole): nothing was trained. `problem` names the kind
    ('not_a_classifier', 'data', 'options', 'out_of_memory', 'device', 'failed'), `network` the label concerned."""

    message: str
    problem: str
    network: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CurveUpdate:
    """New points of one network, streamed while the race runs; the last update of a network has its final
    status (and `stop` when it stopped early)."""

    network: int
    """Position of the network in the race."""
    label: str
    points: tuple[TrainingPoint, ...]
    status: TrainingStatus
    stop: TrainingStop | None = None


@dataclass(frozen=True)
class TrainingCurve:
    """Everything one network did: its points, how it ended, and the weights it reached (None when it diverged
    or failed, as those weights are of no use)."""

    label: str
    status: TrainingStatus
    points: tuple[TrainingPoint, ...] = ()
    stop: TrainingStop | None = None
    weights: TrainedWeights | None = field(default=None, compare=False)

    @property
    def steps(self) -> int:
        """How many steps have a point."""
        return len(self.points)

    @property
    def final_loss(self) -> float | None:
        """The loss of the last step, or None before the first."""
        return self.points[-1].loss if self.points else None

    def smoothed_losses(self, window: int = 10) -> tuple[float, ...]:
        """The loss averaged over the last `window` steps (fewer at the start), one value per step."""
        return _running_mean([p.loss for p in self.points], window)

    def smoothed_accuracies(self, window: int = 10) -> tuple[float, ...]:
        """The accuracy averaged over the last `window` steps, one value per step."""
        return _running_mean([p.accuracy for p in self.points], window)


def _running_mean(values: Sequence[float], window: int) -> tuple[float, ...]:
    out: list[float] = []
    total = 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return tuple(out)


@dataclass(frozen=True)
class RaceResult:
    """A race of networks trained side by side on the same batches."""

    status: Literal["finished", "cancelled"]
    curves: tuple[TrainingCurve, ...]
    options: TrainingOptions
    data: str
    """The data set, in words."""
    device: str = "cpu"

    def curve(self, label: str) -> TrainingCurve:
        """The curve of the network with this label; KeyError naming the labels otherwise."""
        for curve in self.curves:
            if curve.label == label:
                return curve
        raise KeyError(f"no network {label!r} in this race; it has {', '.join(c.label for c in self.curves)}")


# --- the race shown in lectures ---------------------------------------------------------------------------

DEFAULT_RACE = (("plain-20", "resnet20_plain"), ("plain-56", "resnet56_plain"), ("ResNet-56", "resnet56"))
"""(label, preset) of each network of the default race, in the order they are shown: plain-20, plain-56 and
ResNet-56, the CIFAR presets."""

RACE_OPTIONS = TrainingOptions(steps=120)
"""The default race's options: TrainingOptions' defaults (batch 32, lr 0.01, momentum 0.9, weight decay 5e-4,
seed 0) and 120 steps, enough for plain-56 to fall clearly behind ResNet-56 and for plain-20 to pull ahead of
plain-56."""

GAP_CLEAR_AFTER = 45
"""With RACE_OPTIONS on the default data set, plain-56's loss stays clearly above ResNet-56's (gap_step) from
about this step on: what the app can announce ("the gap is clear after about 45 steps"). Measured with
`python bench/training_bench.py --race`: from step 44 (smoothed losses at step 50: plain-20 1.95, plain-56
2.21, ResNet-56 0.97; at step 100: 1.34, 2.11, 0.55)."""


GAP_WINDOW = 10
"""Steps averaged when deciding whether two curves are apart."""
GAP_MARGIN = 0.5
"""Smoothed losses at least this far apart (in nats)..."""
GAP_RATIO = 2.0
"""...and the higher one at least this many times the lower one."""


def gap_step(behind: TrainingCurve, ahead: TrainingCurve, *, window: int = GAP_WINDOW) -> int | None:
    """The first step from which `behind`'s smoothed loss stays clearly above `ahead`'s (by GAP_MARGIN and a
    factor GAP_RATIO) up to the latest step both have, or None while they are not apart. It can move later as
    the curves grow, if they come together again."""
    slow = behind.smoothed_losses(window)
    fast = ahead.smoothed_losses(window)
    shared = min(len(slow), len(fast))
    found: int | None = None
    for i in range(window - 1, shared):
        apart = slow[i] - fast[i] >= GAP_MARGIN and slow[i] >= GAP_RATIO * fast[i]
        if apart and found is None:
            found = i + 1
        elif not apart:
            found = None
    return found
