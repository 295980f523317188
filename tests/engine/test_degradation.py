"""The degradation the race shows: after the same seeded steps on the same batches, a deep plain network's
training loss is clearly above that of the residual network of the same depth."""

from __future__ import annotations

import dataclasses

import pytest

from resnet_studio.core import Graph, preset
from resnet_studio.engine.datasets import procedural_dataset
from resnet_studio.engine.training import RACE_OPTIONS, TrainingCurve, TrainingOptions, race

from .graphs import chain


def mean_loss(curve: TrainingCurve, last: int = 10) -> float:
    """The training loss averaged over the last steps (one batch is noisy)."""
    assert curve.status == "finished"
    return sum(p.loss for p in curve.points[-last:]) / last


def narrow_56(skip: bool) -> Graph:
    """A 56-layer CIFAR network (9 basic blocks per stage) with half the channels: 8, 16, 32."""
    layers: list[tuple[str, dict[str, object]]] = [("Stem", {"style": "cifar", "out_channels": 8})]
    for stage, width in enumerate((8, 16, 32)):
        for i in range(9):
            stride = 2 if stage > 0 and i == 0 else 1
            shortcut = "zero-pad" if stride == 2 else "auto"
            layers.append(
                ("BasicBlock", {"out_channels": width, "stride": stride, "shortcut": shortcut, "skip": skip})
            )
    layers.append(("Head", {"num_classes": 10}))
    return chain(layers, (3, 32, 32))  # type: ignore[arg-type]


def test_a_narrow_plain_56_falls_behind_its_residual_twin_within_40_steps() -> None:
    """Measured (seed 0, 1000 images, batch 32, lr 0.01): mean loss of steps 31-40 plain 2.296, residual
    1.502 (both start at about 2.3)."""
    data = procedural_dataset(1000)
    options = TrainingOptions(steps=40, batch_size=32, lr=0.01, threads=1)
    result = race({"plain": narrow_56(skip=False), "residual": narrow_56(skip=True)}, data, options)
    plain, residual = mean_loss(result.curve("plain")), mean_loss(result.curve("residual"))
    assert plain > 2.0  # still near chance (ln 10 = 2.30)
    assert plain - residual > 0.5 and plain > 1.3 * residual


@pytest.mark.slow
def test_plain_56_falls_clearly_behind_resnet_56_with_the_race_defaults(
    request: pytest.FixtureRequest,
) -> None:
    """Measured with the default options (seed 0, 4000 images, batch 32, lr 0.01, momentum 0.9): mean loss of
    steps 51-60 plain-56 2.173, ResNet-56 0.986 (both start at about 2.3; plain-20, not trained here, 1.892).
    120 training steps of 56-layer networks: runs only when asked for, with
    .venv/bin/python -m pytest -m slow tests/engine/test_degradation.py"""
    if "slow" not in str(request.config.getoption("markexpr")):
        pytest.skip("120 steps of two 56-layer networks; run with -m slow")
    options = dataclasses.replace(RACE_OPTIONS, steps=60)
    networks = {"plain-56": preset("resnet56_plain"), "ResNet-56": preset("resnet56")}
    result = race(networks, procedural_dataset(), options)
    plain, residual = mean_loss(result.curve("plain-56")), mean_loss(result.curve("ResNet-56"))
    assert plain > 2.0
    assert plain - residual > 0.8 and plain > 1.8 * residual
