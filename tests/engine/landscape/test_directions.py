"""Filter-normalised random directions (Li et al. 2018)."""

from __future__ import annotations

import torch

from resnet_studio.core import Graph
from resnet_studio.engine import build
from resnet_studio.engine.landscape import random_directions


def test_each_filter_of_a_direction_has_the_norm_of_the_weights_filter(network: Graph) -> None:
    net = build(network, seed=1)
    first, second = random_directions(net, 2, seed=7)
    weights = dict(net.named_parameters())
    assert set(first) == {n for n, p in weights.items() if p.dim() > 1}  # BatchNorm and biases stay put
    for name, step in first.items():
        torch.testing.assert_close(step.flatten(1).norm(dim=1), weights[name].detach().flatten(1).norm(dim=1))
    assert not torch.equal(first["conv1.weight"], second["conv1.weight"])


def test_directions_are_seeded_and_may_move_batchnorm_too(network: Graph) -> None:
    net = build(network, seed=1)
    again = random_directions(net, 1, seed=7)[0]
    assert all(
        torch.equal(a, b) for a, b in zip(random_directions(net, 1, seed=7)[0].values(), again.values())
    )
    assert not torch.equal(random_directions(net, 1, seed=8)[0]["conv1.weight"], again["conv1.weight"])
    everything = random_directions(net, 1, seed=7, include_norm=True)[0]
    assert set(everything) == {n for n, _ in net.named_parameters()}
    torch.testing.assert_close(everything["bn1.weight"].norm(), net.bn1.weight.detach().norm())
    # The weights' own steps do not change when BatchNorm moves too: the same numbers are drawn either way.
    assert torch.equal(everything["conv1.weight"], again["conv1.weight"])
