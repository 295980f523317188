"""Typed refusals of a checkpoint; each names the first key that does not fit (when there is one)."""

from __future__ import annotations

from ..errors import WeightsError


class CheckpointError(WeightsError):
    """A checkpoint whose network cannot be recognised; `key` is the first key that does not fit, if any."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class NotAResNetError(CheckpointError):
    """The checkpoint holds something other than a ResNet-family network (or a part one cannot have)."""


class IncompleteCheckpointError(CheckpointError):
    """A tensor the recognised network needs is missing: the file is truncated or was cut down."""


class InconsistentCheckpointError(CheckpointError):
    """Tensors whose shapes do not fit together (a layer's input is not what the layer before it makes)."""
