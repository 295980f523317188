"""The fixed batch a landscape is computed on: images of the procedural data set (shapes and textures), of a folder
of images, or seeded noise, at the network's input size."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...core.shapes import Shape
from ..assembly import build
from ..datasets import batches, load_image_folder, procedural_dataset
from ..datasets.procedural import CLASS_NAMES, SIZES
from ..errors import InputError

Source = str | Path
"""'procedural', 'random', or a folder with one sub-folder of images per class."""


def default_batch(shape: Shape, batch_size: int, classes: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Seeded random normal images of `shape` (C, H, W) and random class labels below `classes`."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn((batch_size, *shape), generator=generator)
    labels = torch.randint(0, classes, (batch_size,), generator=generator)
    return images, labels


def procedural_batch(size: int, batch_size: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """The first `batch_size` images of the procedural data set drawn with `seed` (classes balanced)."""
    data = procedural_dataset(max(batch_size, len(CLASS_NAMES)), size=size, seed=seed)
    return data.images[:batch_size], data.labels[:batch_size]


def batch_for(
    network: Graph | GraphSnapshot,
    batch_size: int,
    seed: int = 0,
    source: Source = "procedural",
    *,
    input_shape: tuple[int, int, int] | None = None,
) -> tuple[Tensor, Tensor]:
    """A batch at the network's input size (its Input node's, or `input_shape`): from the procedural data set,
    from a folder of images (resized to it, a seeded choice of images), or seeded noise ('random', labels for the
    network's classes). Raises InputError when the source cannot give images of that size, DatasetError for a
    folder that is not a data set, BuildError for a network that cannot be built."""
    info = build(network, input_shape, device="meta").info  # shapes only: nothing is allocated
    image = info.nodes[info.inputs[0]].output_shape
    if image is None or len(image) != 3:
        raise InputError("the landscape needs a network whose Input node gives images (C x H x W)")
    size = "x".join(map(str, image))
    if source == "random":
        output = info.nodes[info.outputs[0]].output_shape
        classes = output[0] if output is not None and len(output) == 1 else 10
        return default_batch(image, batch_size, classes, seed)
    if image[0] != 3:
        raise InputError(
            f"the network takes {size} inputs, but images have 3 colour channels; use --data random"
        )
    if source == "procedural":
        if image[1] != image[2] or image[1] not in SIZES:
            sizes = ", ".join(f"3x{s}x{s}" for s in SIZES)
            raise InputError(
                f"the procedural images come in {sizes}, but the network takes {size}; "
                "use random images or a folder of images instead"
            )
        return procedural_batch(image[1], batch_size, seed)
    data = load_image_folder(source, size=(image[1], image[2]))
    return next(batches(data, batch_size, seed))
