"""The plain way to compute a landscape, one point after the other with load_state_dict: slow, simple, and what
compute_landscape() is checked and timed against."""

from __future__ import annotations

import itertools

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...results.landscape import LandscapeOptions
from ..assembly import build
from .directions import random_directions


def naive_landscape(
    network: Graph | GraphSnapshot,
    batch: tuple[Tensor, Tensor],
    options: LandscapeOptions,
    *,
    seed: int = 0,
    limit: int | None = None,
) -> np.ndarray:
    """The loss at every grid point in row order (the first `limit` points only, NaN elsewhere), on the CPU in
    float32 with PyTorch's own thread settings, nothing reused between points but the directions (the same
    seeded ones as compute_landscape's)."""
    images, labels = batch
    net = build(network, tuple(images.shape[1:]), seed=seed)  # type: ignore[arg-type]
    if options.statistics == "recompute":
        for module in net.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
                module.momentum = None
        net.train()
        with torch.no_grad():
            net(images)
    net.eval()
    directions = random_directions(net, options.dimensions, options.seed, include_norm=options.include_norm)
    centre = {name: p.detach().clone() for name, p in net.named_parameters()}
    coordinates = options.coordinates()
    loss = np.full((options.grid,) * options.dimensions, np.nan)
    indices = itertools.product(range(options.grid), repeat=options.dimensions)
    for index in itertools.islice(indices, limit):
        state = dict(centre)
        for direction, i in zip(directions, index):
            for name, step in direction.items():
                state[name] = state[name] + float(coordinates[i]) * step
        net.load_state_dict(state, strict=False)
        with torch.no_grad():
            loss[index] = F.cross_entropy(net(images), labels).item()
    return loss
