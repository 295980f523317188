"""Which data set to train on, and a sample of it as one picture: a mosaic of images with the class name of each
cell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np  # only named here: the app's window is on screen before numpy loads


@dataclass(frozen=True)
class DataChoice:
    """The procedural shapes and textures, or a folder of images with one sub-folder per class (ImageFolder
    layout), at `size` x `size` pixels (a folder's images are resized to it)."""

    kind: Literal["procedural", "folder"] = "procedural"
    path: str | None = None
    size: int = 32

    def describe(self) -> str:
        """'shapes and textures (procedural)' or the folder's name."""
        if self.kind == "folder" and self.path:
            return f"images in {Path(self.path).name}/"
        return "shapes and textures (procedural)"


@dataclass(frozen=True)
class DataFailure:
    """Why a data set could not be read: one sentence saying what is wrong, where and what to do."""

    choice: DataChoice
    message: str

    def __str__(self) -> str:
        return self.message


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
