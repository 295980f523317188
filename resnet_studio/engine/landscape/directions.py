"""Random directions in weight space, normalised filter by filter as Li et al. (2018) do, so that a step of 1
changes every filter by about its own size whatever the scale of its weights."""

from __future__ import annotations

import torch
import torch.nn as nn
from torch import Tensor

Direction = dict[str, Tensor]
"""Parameter name -> the step for that parameter; parameters that stay put are absent."""


def random_directions(
    network: nn.Module, count: int, seed: int, *, include_norm: bool = False
) -> list[Direction]:
    """`count` seeded Gaussian directions over the network's parameters.

    Each filter of a weight with two or more axes (a convolution's output channel, a linear layer's row) is
    rescaled to the norm of the same filter of the weights. One-axis parameters (BatchNorm weights and biases,
    layer biases) stay put unless `include_norm`, in which case each is rescaled to its own norm as a whole.
    The numbers are drawn on the CPU in float32 in parameter order, so they are the same on every device and
    in every process.
    """
    generator = torch.Generator().manual_seed(seed)
    parameters = [(name, p.detach().to("cpu", torch.float32)) for name, p in network.named_parameters()]
    directions: list[Direction] = []
    for _ in range(count):
        direction: Direction = {}
        for name, weights in parameters:
            step = torch.randn(weights.shape, generator=generator, dtype=torch.float32)
            if weights.dim() > 1:
                direction[name] = _per_filter(step, weights)
            elif include_norm:
                direction[name] = step * (weights.norm() / (step.norm() + 1e-10))
        directions.append(direction)
    return directions


def _per_filter(step: Tensor, weights: Tensor) -> Tensor:
    shape = (-1,) + (1,) * (weights.dim() - 1)
    target = weights.flatten(1).norm(dim=1)
    scale: Tensor = target / (step.flatten(1).norm(dim=1) + 1e-10)
    return step * scale.view(shape)
