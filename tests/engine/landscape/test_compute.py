"""compute_landscape(): the numbers, the streaming order, cancelling, failures as results."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from resnet_studio.core import Graph
from resnet_studio.engine import build, save_weights
from resnet_studio.engine.landscape import LandscapeOptions, LandscapePoint, compute_landscape
from resnet_studio.engine.landscape.reference import naive_landscape

from ..graphs import chain

Batch = tuple[torch.Tensor, torch.Tensor]


def test_the_surface_is_the_loss_at_each_moved_set_of_weights(network: Graph, batch: Batch) -> None:
    options = LandscapeOptions(grid=5, seed=2)
    landscape = compute_landscape(network, batch, options, seed=1)
    assert landscape.ok and landscape.computed.all() and landscape.done == 25
    expected = naive_landscape(network, batch, options, seed=1)
    np.testing.assert_allclose(landscape.loss, expected, rtol=2e-4)
    assert landscape.centre_loss == landscape.loss[2, 2] and np.all(landscape.loss >= 0)
    assert np.all((landscape.accuracy >= 0) & (landscape.accuracy <= 1))
    assert landscape.nonconvexity is not None and landscape.nonconvexity.ratio.shape == (3, 3)
    assert landscape.notes[0].startswith("BatchNorm in eval mode") and landscape.precision == "float32"


def test_a_curve_and_batchnorm_moved_too(network: Graph, batch: Batch) -> None:
    options = LandscapeOptions(grid=7, dimensions=1, include_norm=True, range=0.5)
    curve = compute_landscape(network, batch, options)
    assert curve.ok and curve.loss.shape == (7,) and curve.nonconvexity is None
    np.testing.assert_allclose(curve.loss, naive_landscape(network, batch, options), rtol=2e-4)
    still = compute_landscape(network, batch, LandscapeOptions(grid=7, dimensions=1, range=0.5))
    assert curve.centre_loss == pytest.approx(still.centre_loss) and curve.loss[0] != pytest.approx(
        still.loss[0]
    )


def test_points_stream_coarse_grid_first_each_once(network: Graph, batch: Batch) -> None:
    points: list[LandscapePoint] = []
    landscape = compute_landscape(network, batch, LandscapeOptions(grid=9, coarse=3), on_point=points.append)
    assert [p.done for p in points] == list(range(1, 82)) and {p.total for p in points} == {81}
    assert len({p.index for p in points}) == 81
    assert {p.index for p in points[:9]} == {(i, j) for i in (0, 4, 8) for j in (0, 4, 8)}
    assert all(p.level == 0 for p in points[:9]) and points[9].level == 1
    for p in points:
        assert p.loss == landscape.loss[p.index] and p.coordinates == tuple(
            landscape.coordinates[i] for i in p.index
        )


def test_one_worker_two_workers_and_batched_points_agree(network: Graph, batch: Batch) -> None:
    options = LandscapeOptions(grid=5)
    one = compute_landscape(network, batch, options, workers=1)
    two = compute_landscape(network, batch, options, workers=2)
    assert np.array_equal(one.loss, two.loss) and np.array_equal(one.accuracy, two.accuracy)
    threads = torch.get_num_threads()
    batched = compute_landscape(network, batch, LandscapeOptions(grid=5, points_per_batch=4), device="cpu")
    assert torch.get_num_threads() == threads  # the single-threaded workers give the threads back
    np.testing.assert_allclose(batched.loss, one.loss, rtol=1e-5)


def test_the_batched_path_under_vmap_agrees_with_one_point_at_a_time(network: Graph, batch: Batch) -> None:
    from resnet_studio.engine.landscape import random_directions
    from resnet_studio.engine.landscape.evaluate import PointEvaluator

    net = build(network, seed=0).eval()
    directions = random_directions(net, 2, seed=0)
    points = [(0.0, 0.0), (0.5, -0.5), (-1.0, 0.25), (1.0, 1.0)]
    alone = PointEvaluator(net, *batch, directions)(points)
    together = PointEvaluator(net, *batch, directions, batched=True)(points)
    np.testing.assert_allclose(together, alone, rtol=1e-5)


def test_cancelling_keeps_the_points_computed_so_far(network: Graph, batch: Batch) -> None:
    seen: list[LandscapePoint] = []
    landscape = compute_landscape(
        network,
        batch,
        LandscapeOptions(grid=7),
        on_point=seen.append,
        cancel=lambda: len(seen) >= 10,
        workers=1,
    )
    assert landscape.status == "cancelled" and landscape.done == len(seen) == 10
    assert all(landscape.computed[p.index] for p in seen) and math.isnan(
        landscape.loss[~landscape.computed][0]
    )


def test_the_network_given_is_not_changed(network: Graph, batch: Batch) -> None:
    net = build(network, seed=5)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    landscape = compute_landscape(net, batch, LandscapeOptions(grid=3), workers=2)
    assert landscape.ok and net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    from_graph = compute_landscape(network, batch, LandscapeOptions(grid=3), seed=5)
    np.testing.assert_array_equal(landscape.loss, from_graph.loss)


def test_weights_from_a_file_or_a_state_dict(network: Graph, batch: Batch, tmp_path) -> None:
    trained = build(network, seed=9)
    save_weights(trained, tmp_path / "w.pt")
    from_file = compute_landscape(network, batch, LandscapeOptions(grid=3), weights=tmp_path / "w.pt")
    from_dict = compute_landscape(network, batch, LandscapeOptions(grid=3), weights=trained.state_dict())
    arrays = {k: v.numpy() for k, v in trained.state_dict().items()}  # as a training run keeps them
    from_arrays = compute_landscape(network, batch, LandscapeOptions(grid=3), weights=arrays)
    seeded = compute_landscape(network, batch, LandscapeOptions(grid=3), seed=9)
    assert np.array_equal(from_file.loss, from_dict.loss) and np.array_equal(from_file.loss, seeded.loss)
    assert np.array_equal(from_arrays.loss, seeded.loss)


def test_failures_are_results(network: Graph, batch: Batch) -> None:
    features = chain([("Conv2d", {"out_channels": 4})], (3, 20, 18))
    no_classes = compute_landscape(features, batch, LandscapeOptions(grid=3))
    assert no_classes.status == "error" and no_classes.error.kind == "input"
    assert "classifier output" in no_classes.error.message and "4x20x18" in no_classes.error.message
    images, labels = batch
    too_many = compute_landscape(network, (images, labels + 5), LandscapeOptions(grid=3))
    assert too_many.error.kind == "input" and "10 classes" in too_many.error.message
    other = build(chain([("Stem", {"style": "cifar", "out_channels": 4}), ("Head", {})], (3, 20, 18)))
    misfit = compute_landscape(network, batch, LandscapeOptions(grid=3), weights=other.state_dict())
    assert misfit.error.kind == "weights" and "do not fit" in misfit.error.message
    assert compute_landscape(network, batch, LandscapeOptions(grid=3), device="cuda:7").error.kind == "device"
    flat = compute_landscape(network, (images[0], labels), LandscapeOptions(grid=3))
    assert flat.error.kind == "input" and "N x C x H x W" in flat.error.message


def test_the_curvature_is_the_centre_networks_whatever_was_folded(network: Graph, batch: Batch) -> None:
    from resnet_studio.engine.landscape import principal_curvatures
    from resnet_studio.engine.landscape.prepare import prepare_network

    landscape = compute_landscape(network, batch, LandscapeOptions(grid=3, curvature=True), workers=2)
    assert landscape.ok and landscape.curvature is not None
    centre = prepare_network(network, *batch, device=torch.device("cpu"))
    expected = principal_curvatures(centre, *batch)
    assert expected is not None and landscape.curvature.iterations == expected.iterations
    assert landscape.curvature.max_eigenvalue == pytest.approx(expected.max_eigenvalue, rel=1e-4)
    assert landscape.curvature.min_eigenvalue == pytest.approx(expected.min_eigenvalue, rel=1e-3, abs=1e-4)
