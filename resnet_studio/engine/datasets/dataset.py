"""A labelled image data set as one value (images, labels, class names), and seeded batches drawn from it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from ..errors import EngineError

DatasetProblem = Literal[
    "missing", "empty", "one_class", "mixed_sizes", "not_an_image", "unreadable", "too_large", "invalid"
]


class DatasetError(EngineError):
    """A folder or file that cannot be used as a data set: what was expected, what was found, where, and what
    to do. `problem` names the kind, `path` the file or folder concerned."""

    def __init__(self, message: str, problem: DatasetProblem, path: str | None = None) -> None:
        super().__init__(message)
        self.problem: DatasetProblem = problem
        self.path = path


@dataclass(frozen=True, eq=False)
class ImageDataset:
    """Images and their class labels, ready to train on. Treat the tensors as read-only: the data set is shared.

    images: float32 N x 3 x H x W, normalised per channel ((value - mean) / std, value in 0..1);
    labels: int64 N, each in 0 .. classes - 1."""

    images: Tensor
    labels: Tensor
    class_names: tuple[str, ...]
    description: str
    """In words, for a report or a window title: what it is, how many images, how large."""
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.25, 0.25, 0.25)

    def __post_init__(self) -> None:
        if self.images.dim() != 4 or self.images.dtype != torch.float32:
            raise ValueError(
                f"images must be float32 N x C x H x W, found {self.images.dtype} {_dims(self.images)}"
            )
        if self.labels.dim() != 1 or self.labels.dtype != torch.int64 or len(self.labels) != len(self.images):
            raise ValueError(
                f"labels must be int64 with one per image ({len(self.images)}), found {self.labels.dtype} "
                f"{_dims(self.labels)}"
            )
        if len(self.class_names) < 2:
            raise ValueError(f"a data set needs at least two classes, found {len(self.class_names)}")
        if len(self.labels) and not 0 <= int(self.labels.min()) <= int(self.labels.max()) < self.classes:
            raise ValueError(f"labels must be class numbers from 0 to {self.classes - 1}")

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def classes(self) -> int:
        """How many classes."""
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """C x H x W of one image."""
        _, c, h, w = self.images.shape
        return int(c), int(h), int(w)

    def class_counts(self) -> tuple[int, ...]:
        """How many images each class has, in label order."""
        return tuple(int(n) for n in torch.bincount(self.labels, minlength=self.classes))


def _dims(tensor: Tensor) -> str:
    return "x".join(map(str, tensor.shape)) or "scalar"


class BatchSampler:
    """Batches of indices into a data set: every image once per epoch, in an order shuffled by a seeded CPU
    generator (the same on every machine), epoch after epoch. A batch never straddles two epochs, so its size
    is always `batch_size` (an epoch's last, shorter batch is dropped; a data set smaller than a batch is
    repeated within it)."""

    def __init__(self, count: int, batch_size: int, seed: int = 0) -> None:
        if count < 1:
            raise ValueError("cannot draw batches from an empty data set")
        if batch_size < 1:
            raise ValueError(f"the batch size must be at least 1, not {batch_size}")
        self.count, self.batch_size = count, batch_size
        self._generator = torch.Generator().manual_seed(seed)
        self._order = torch.empty(0, dtype=torch.int64)
        self._position = 0

    def __iter__(self) -> Iterator[Tensor]:
        return self

    def __next__(self) -> Tensor:
        if self._position + self.batch_size > len(self._order):
            repeats = -(-self.batch_size // self.count)
            self._order = torch.cat(
                [torch.randperm(self.count, generator=self._generator) for _ in range(repeats)]
            )
            self._position = 0
        batch = self._order[self._position : self._position + self.batch_size]
        self._position += self.batch_size
        return batch


def batches(data: ImageDataset, batch_size: int, seed: int = 0) -> Iterator[tuple[Tensor, Tensor]]:
    """Endless (images, labels) batches from the data set in a seeded shuffled order (see BatchSampler)."""
    for indices in BatchSampler(len(data), batch_size, seed):
        yield data.images[indices], data.labels[indices]
