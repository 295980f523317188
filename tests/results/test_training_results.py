"""The plain training results: smoothing, where two curves come apart, and the weights' read-only mapping."""

from __future__ import annotations

import numpy as np
import pytest

from resnet_studio.results.training import TrainedWeights, TrainingCurve, TrainingPoint, gap_step


def curve(losses: list[float], label: str = "net") -> TrainingCurve:
    points = tuple(
        TrainingPoint(i + 1, loss, 0.0, 0.1 * (i + 1), 0.2 * (i + 1)) for i, loss in enumerate(losses)
    )
    return TrainingCurve(label, "running", points)


def test_smoothed_losses_average_the_last_window_of_steps() -> None:
    assert curve([4.0, 2.0, 0.0, 2.0]).smoothed_losses(window=2) == (4.0, 3.0, 1.0, 1.0)
    assert curve([]).smoothed_losses() == () and curve([]).final_loss is None


def test_the_gap_is_the_first_step_from_which_the_curves_stay_apart() -> None:
    flat = curve([2.3] * 40)
    falling = curve([2.3] * 10 + [2.3 - 0.1 * i for i in range(1, 21)] + [0.3] * 10)
    step = gap_step(flat, falling, window=5)
    smooth_flat, smooth_falling = flat.smoothed_losses(5), falling.smoothed_losses(5)
    assert step is not None
    before, at = step - 2, step - 1
    assert smooth_flat[at] - smooth_falling[at] >= 0.5 and smooth_flat[at] >= 2 * smooth_falling[at]
    assert not (
        smooth_flat[before] - smooth_falling[before] >= 0.5
        and smooth_flat[before] >= 2 * smooth_falling[before]
    )
    assert gap_step(falling, flat, window=5) is None  # the wrong way round is never apart
    assert gap_step(flat, flat) is None


def test_a_gap_that_closes_again_is_no_gap_yet() -> None:
    flat = curve([2.3] * 30)
    dip = curve([2.3] * 5 + [0.2] * 10 + [2.3] * 15)
    assert gap_step(flat, dip, window=3) is None


def test_trained_weights_are_a_read_only_mapping() -> None:
    weights = TrainedWeights({"fc.weight": np.zeros((2, 3), np.float32)}, step=5)
    assert weights.parameters == 6
    with pytest.raises(TypeError):
        weights.tensors["fc.bias"] = np.zeros(2)  # type: ignore[index]
