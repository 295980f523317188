"""Training with SGD and the race: the loss goes down, the curves advance together, and every way a run can end
(cancelled, paused, diverged, out of memory, refused before it starts) ends in a clear result."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch

from resnet_studio.core import Graph
from resnet_studio.engine import build
from resnet_studio.engine.datasets import ImageDataset, procedural_dataset
from resnet_studio.engine.errors import WeightsError
from resnet_studio.engine.training import (
    CurveUpdate,
    OptionsError,
    PauseToken,
    TrainingError,
    TrainingFault,
    TrainingOptions,
    iter_race,
    load_trained_weights,
    race,
    save_trained_weights,
    state_dict,
    train,
)
from resnet_studio.engine.weights import load_weights

from .graphs import chain


def tiny(classes: int = 10, width: int = 8) -> Graph:
    """A small classifier for 3x32x32 images: a convolution, one residual block, a head."""
    return chain(
        [
            ("Stem", {"style": "cifar", "out_channels": width}),
            ("BasicBlock", {"out_channels": width, "stride": 2}),
            ("Head", {"num_classes": classes}),
        ],
        (3, 32, 32),
    )


@pytest.fixture(scope="module")
def data() -> ImageDataset:
    return procedural_dataset(200, seed=1)


def quick(**changes: object) -> TrainingOptions:
    settings: dict[str, object] = {"steps": 6, "batch_size": 8, "lr": 0.05, "threads": 1}
    settings.update(changes)
    return TrainingOptions(**settings)  # type: ignore[arg-type]


def test_training_lowers_the_loss_of_a_small_network(data: ImageDataset) -> None:
    curve = train(tiny(), data, quick(steps=40, batch_size=32, lr=0.1))
    assert (
        curve.status == "finished"
        and curve.stop is None
        and [p.step for p in curve.points] == list(range(1, 41))
    )
    first, last = curve.points[:8], curve.points[-8:]
    assert sum(p.loss for p in last) / 8 < 0.75 * sum(p.loss for p in first) / 8  # measured: 2.21 to 1.22
    assert all(0 <= p.accuracy <= 1 for p in curve.points)
    seconds = [p.seconds for p in curve.points]
    assert (
        seconds == sorted(seconds) and seconds[0] > 0 and curve.points[-1].wall_seconds >= seconds[-1] * 0.99
    )


def test_the_same_seed_gives_the_same_curve_and_another_seed_another(data: ImageDataset) -> None:
    losses = [[p.loss for p in train(tiny(), data, quick(seed=s)).points] for s in (3, 3, 4)]
    assert losses[0] == losses[1] and losses[0] != losses[2]


def test_the_curves_of_a_race_advance_together(data: ImageDataset) -> None:
    updates: list[CurveUpdate] = []
    result = race({"narrow": tiny(), "wide": tiny(width=12)}, data, quick(steps=3), on_update=updates.append)
    running = [(u.label, u.points[0].step) for u in updates if u.points]
    assert running == [("narrow", 1), ("wide", 1), ("narrow", 2), ("wide", 2), ("narrow", 3), ("wide", 3)]
    assert [(u.label, u.status) for u in updates[-2:]] == [("narrow", "finished"), ("wide", "finished")]
    assert result.status == "finished" and [c.label for c in result.curves] == ["narrow", "wide"]
    assert result.curve("wide").steps == 3 and "200 procedural images" in result.data
    with pytest.raises(KeyError, match="narrow, wide"):
        result.curve("plain")


def test_losses_read_back_every_k_steps_arrive_in_groups_with_every_step(data: ImageDataset) -> None:
    updates: list[CurveUpdate] = []
    race({"net": tiny()}, data, quick(steps=7, read_every=3), on_update=updates.append)
    assert [[p.step for p in u.points] for u in updates] == [[1, 2, 3], [4, 5, 6], [7], []]


def test_cancel_stops_between_steps_and_keeps_the_weights_reached(data: ImageDataset) -> None:
    seen: list[int] = []
    cancel = threading.Event()

    def stop_after_three(update: CurveUpdate) -> None:
        seen.extend(p.step for p in update.points)
        if len(seen) == 3:
            cancel.set()

    result = race({"net": tiny()}, data, quick(steps=50), on_update=stop_after_three, cancel=cancel.is_set)
    curve = result.curves[0]
    assert result.status == "cancelled" and curve.status == "cancelled" and curve.steps == 3
    assert curve.stop is not None and curve.stop.kind == "cancelled" and "after step 3" in curve.stop.message
    assert curve.weights is not None and curve.weights.step == 3


def test_a_paused_race_takes_no_step_until_resumed(data: ImageDataset) -> None:
    pause = PauseToken()
    steps: list[int] = []
    while_paused: list[int] = []

    def on_update(update: CurveUpdate) -> None:
        steps.extend(p.step for p in update.points)
        if update.points and update.points[-1].step == 2:
            pause.pause()
            threading.Thread(target=resume_later).start()

    def resume_later() -> None:
        before = len(steps)
        threading.Event().wait(0.3)
        while_paused.append(len(steps) - before)
        pause.resume()

    runs = iter_race({"net": tiny()}, data, quick(steps=4), pause=pause)
    for update in runs:
        on_update(update)
    assert steps == [1, 2, 3, 4] and while_paused == [0]


def test_cancelling_a_paused_race_ends_it(data: ImageDataset) -> None:
    pause, cancel = PauseToken(), threading.Event()
    pause.pause()
    threading.Timer(0.2, cancel.set).start()
    result = race({"net": tiny()}, data, quick(), cancel=cancel.is_set, pause=pause)
    assert result.status == "cancelled" and result.curves[0].steps == 0


def test_a_nan_loss_stops_that_network_with_the_step_and_a_suggestion(data: ImageDataset) -> None:
    faults = [TrainingFault("nan", "first", 3)]
    result = race({"first": tiny(), "second": tiny()}, data, quick(), faults=faults)
    first, second = result.curves
    assert first.status == "diverged" and first.steps == 2 and first.weights is None
    assert first.stop is not None and first.stop.step == 3 and "NaN at step 3" in first.stop.message
    assert "Lower the learning rate" in first.stop.suggestion
    assert second.status == "finished" and second.steps == 6  # the others go on
    assert result.status == "finished"


def test_a_learning_rate_far_too_high_diverges_and_says_so(data: ImageDataset) -> None:
    curve = train(tiny(), data, quick(lr=1e6, steps=20, momentum=0.0))
    assert curve.status == "diverged" and curve.stop is not None and 1 <= curve.stop.step <= 20
    assert "learning rate" in str(curve.stop)


def test_out_of_memory_stops_that_network_with_a_smaller_batch_to_try(data: ImageDataset) -> None:
    faults = [TrainingFault("out_of_memory", "big", 2)]
    result = race({"big": tiny(), "small": tiny()}, data, quick(batch_size=16), faults=faults)
    big = result.curve("big")
    assert big.status == "failed" and big.steps == 1 and big.stop is not None
    assert (
        big.stop.kind == "out_of_memory"
        and "batch 16" in big.stop.message
        and "Try batch 8" in big.stop.suggestion
    )
    assert result.curve("small").status == "finished"


@pytest.mark.parametrize(
    ("network", "problem", "message"),
    [
        (
            chain([("Conv2d", {"out_channels": 4})], (3, 32, 32)),
            "not_a_classifier",
            "outputs 4x32x32, not one score per class; end it with a Head",
        ),
        (tiny(classes=7), "classes", "outputs 7 class scores but the data set has 10 classes"),
        (chain([("Linear", {})], (3, 32, 32)), "build", "cannot be built"),
    ],
)
def test_a_network_that_cannot_learn_the_classes_is_refused_before_any_step(
    data: ImageDataset, network: Graph, problem: str, message: str
) -> None:
    steps: list[CurveUpdate] = []
    with pytest.raises(TrainingError, match=message) as error:
        race({"good": tiny(), "bad": network}, data, quick(), on_update=steps.append)
    assert error.value.problem == problem and error.value.network == "bad" and steps == []


def test_a_race_has_one_to_four_networks_and_a_device_that_exists(data: ImageDataset) -> None:
    with pytest.raises(TrainingError, match="at most 4 networks"):
        race({str(i): tiny() for i in range(5)}, data, quick())
    with pytest.raises(TrainingError, match="no network"):
        race({}, data, quick())
    with pytest.raises(TrainingError, match="not available") as error:
        race({"net": tiny()}, data, quick(device="cuda:7"))
    assert error.value.problem == "device"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"steps": -1}, "steps must be a positive whole number"),
        ({"steps": 2.5}, "steps must be"),
        ({"batch_size": 0}, "batch size"),
        ({"lr": 0}, "learning rate must be a number above 0"),
        ({"lr": float("nan")}, "learning rate"),
        ({"lr": "0.1"}, "learning rate"),
        ({"momentum": 1.0}, "momentum"),
        ({"weight_decay": -1e-4}, "weight decay"),
        ({"steps": True}, "steps"),
    ],
)
def test_options_out_of_range_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        TrainingOptions(**changes)  # type: ignore[arg-type]


def test_race_weights_load_into_a_fresh_network_and_save_as_files(data: ImageDataset, tmp_path: Path) -> None:
    result = race({"net": tiny()}, data, quick(steps=3))
    weights = result.curves[0].weights
    assert weights is not None and weights.step == 3 and weights.parameters > 0
    trained = build(tiny(), seed=99)
    load_trained_weights(trained, weights)
    x = data.images[:4]
    reference = build(tiny(), seed=99)
    reference.load_state_dict(state_dict(weights))
    assert torch.equal(trained.eval()(x), reference.eval()(x))
    assert not torch.equal(build(tiny(), seed=0).eval()(x), trained(x))  # training changed the weights
    save_trained_weights(weights, tmp_path / "w.pt")
    from_file = build(tiny(), seed=5)
    assert load_weights(from_file, tmp_path / "w.pt", strict=True).ok
    assert torch.equal(from_file.eval()(x), trained(x))
    with pytest.raises(WeightsError, match="do not fit"):
        load_trained_weights(build(tiny(width=12)), weights)
    with pytest.raises(WeightsError, match="does not exist"):
        save_trained_weights(weights, tmp_path / "missing" / "w.pt")


def test_race_weights_save_as_safetensors(data: ImageDataset, tmp_path: Path) -> None:
    pytest.importorskip("safetensors", reason="safetensors is an optional extra")
    weights = train(tiny(), data, quick(steps=1)).weights
    assert weights is not None
    save_trained_weights(weights, tmp_path / "w.safetensors")
    assert load_weights(build(tiny()), tmp_path / "w.safetensors", strict=True).ok


def test_the_learning_rate_warms_up_linearly_over_the_first_steps(data: ImageDataset) -> None:
    from resnet_studio.engine.training.trainee import Trainee

    trainee = Trainee("net", build(tiny()), quick(lr=0.1, warmup_steps=4), torch.device("cpu"), False)
    rates = []
    for _ in range(6):
        trainee.step(data.images[:8], data.labels[:8], lambda: 0.0)
        rates.append(trainee.optimizer.param_groups[0]["lr"])
    assert rates == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    assert [p.step for p in trainee.read(8)] == [1, 2, 3, 4, 5, 6]
