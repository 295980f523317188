"""A sample of a data set as a picture the app can show: images in a grid, each with its class name."""

from __future__ import annotations

import numpy as np
import torch

from ...results.datasets import SampleGrid
from .dataset import ImageDataset


def sample_grid(data: ImageDataset, rows: int = 3, cols: int = 10, *, seed: int = 0) -> SampleGrid:
    """rows x cols images in 8-bit RGB: the classes in turn (cell i shows class i mod classes, so every class
    appears when there are enough cells), each a seeded random image of its class."""
    if rows < 1 or cols < 1:
        raise ValueError(f"a grid needs at least one row and one column, not {rows}x{cols}")
    generator = torch.Generator().manual_seed(seed)
    by_class = [torch.nonzero(data.labels == c).flatten() for c in range(data.classes)]
    by_class = [c[torch.randperm(len(c), generator=generator)] for c in by_class]
    offered = [c for c in range(data.classes) if len(by_class[c])]
    chosen: list[int] = []
    used = [0] * data.classes
    for cell in range(rows * cols):
        label = offered[cell % len(offered)]
        members = by_class[label]
        chosen.append(int(members[used[label] % len(members)]))
        used[label] += 1
    images = data.images[chosen]
    mean = torch.tensor(data.mean).view(1, 3, 1, 1)
    std = torch.tensor(data.std).view(1, 3, 1, 1)
    pixels = ((images * std + mean) * 255).round().clamp(0, 255).to(torch.uint8).numpy()
    _, _, height, width = pixels.shape
    mosaic = pixels.reshape(rows, cols, 3, height, width).transpose(0, 3, 1, 4, 2)
    return SampleGrid(
        mosaic=np.ascontiguousarray(mosaic.reshape(rows * height, cols * width, 3)),
        rows=rows,
        cols=cols,
        cell_height=height,
        cell_width=width,
        labels=tuple(data.class_names[int(data.labels[i])] for i in chosen),
        indices=tuple(chosen),
        description=data.description,
    )
