"""A sample of a data set as one picture: a mosaic of images with the class name of each cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class SampleGrid:
    """rows x cols images side by side: `mosaic` is (rows * height, cols * width, 3) uint8 RGB, row-major; the
    cell at (row, col) shows `labels[row * cols + col]` (a class name) and `indices[...]` is its image number."""

    mosaic: np.ndarray
    rows: int
    cols: int
    cell_height: int
    cell_width: int
    labels: tuple[str, ...]
    indices: tuple[int, ...]
    description: str
    """The data set, in words."""

    def cell_label(self, row: int, col: int) -> str:
        """The class name shown in one cell."""
        return self.labels[row * self.cols + col]
