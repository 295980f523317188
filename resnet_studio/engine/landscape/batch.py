"""The fixed batch a landscape is computed on, when the caller brings none."""

from __future__ import annotations

import torch
from torch import Tensor

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...core.shapes import Shape
from ..assembly import build
from ..errors import InputError


def default_batch(shape: Shape, batch_size: int, classes: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Seeded random normal images of `shape` (C, H, W) and random class labels below `classes`."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn((batch_size, *shape), generator=generator)
    labels = torch.randint(0, classes, (batch_size,), generator=generator)
    return images, labels


def batch_for(network: Graph | GraphSnapshot, batch_size: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """default_batch() for the network: images of its Input node's size, labels for its classes (10 when its
    output is not a class vector, which the landscape then refuses with the reason)."""
    info = build(network, device="meta").info  # shapes only: nothing is allocated
    image = info.nodes[info.inputs[0]].output_shape
    if image is None or len(image) != 3:
        raise InputError("the landscape needs a network whose Input node gives images (C x H x W)")
    output = info.nodes[info.outputs[0]].output_shape
    classes = output[0] if output is not None and len(output) == 1 else 10
    return default_batch(image, batch_size, classes, seed)
