"""Skip connections smooth the loss surface (Li et al. 2018, Fig. 5): after the same seeded training, plain-56's
slice is far more non-convex than ResNet-56's, over the same grid along the same directions."""

from __future__ import annotations

import pytest

from resnet_studio.core.presets import preset
from resnet_studio.engine.datasets import procedural_dataset
from resnet_studio.engine.landscape import LandscapeOptions, compute_landscape
from resnet_studio.engine.landscape.batch import procedural_batch
from resnet_studio.engine.training import TrainingOptions, race


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_plain_56_is_more_non_convex_than_resnet_56_after_the_same_training(
    request: pytest.FixtureRequest,
) -> None:
    """Measured (SGD lr 0.05, momentum 0.9, batch 64, 200 steps on the procedural data set, seed 0; then an 11x11
    slice over [-1, 1]^2 on 128 other procedural images, directions seed 0):
      ResNet-56: training loss 0.43; centre loss 0.49, max 73; non-convex at 13.6% of the interior points,
                 mean |lambda_min/lambda_max| 0.22; mean absolute second difference 0.93.
      plain-56:  training loss 1.76; centre loss 1.67, max 62 million; non-convex at 82.7%, mean ratio 0.35;
                 mean absolute second difference 91,300.
    Two 56-layer networks trained for 200 steps (minutes): runs only when asked for, with
    .venv/bin/python -m pytest -m slow tests/engine/landscape/test_residual_vs_plain.py"""
    if "slow" not in str(request.config.getoption("markexpr")):
        pytest.skip("200 training steps of two 56-layer networks; run with -m slow")
    networks = {"ResNet-56": preset("resnet56"), "plain-56": preset("resnet56_plain")}
    options = TrainingOptions(steps=200, batch_size=64, lr=0.05, momentum=0.9, seed=0, threads=1)
    trained = race(networks, procedural_dataset(), options)
    batch = procedural_batch(32, 128, seed=1)
    slices = {}
    for curve in trained.curves:
        assert curve.status == "finished" and curve.weights is not None
        landscape = compute_landscape(
            networks[curve.label], batch, LandscapeOptions(grid=11), weights=curve.weights
        )
        assert landscape.ok and landscape.nonconvexity is not None
        slices[curve.label] = landscape
    residual, plain = slices["ResNet-56"].nonconvexity, slices["plain-56"].nonconvexity
    assert residual is not None and plain is not None
    assert plain.fraction > 3 * residual.fraction and plain.fraction > 0.5 > residual.fraction
    assert plain.mean_ratio > 1.2 * residual.mean_ratio
    assert plain.roughness > 1000 * residual.roughness
    assert slices["plain-56"].loss.max() > 1000 * slices["ResNet-56"].loss.max()
