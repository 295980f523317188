"""What the app asks of a loss-landscape computation (two networks or more on one batch, each with its weights) and
what comes back: the points as they are known, then the landscapes."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.model import GraphSnapshot
from .landscape import Landscape, LandscapeOptions, LandscapePoint
from .run import RunError, Status
from .training import TrainedWeights


@dataclass(frozen=True, eq=False)
class LandscapeSubject:
    """One network whose landscape is wanted, and the weights to centre it on."""

    label: str
    """What the user calls it: 'ResNet-56', 'plain-56'."""
    network: GraphSnapshot
    weights: TrainedWeights | str | None = None
    """Weights a race reached, a weights file (.pt, .pth, .safetensors), or None: seeded initial weights."""
    weights_text: str = "at initialisation"
    """Where the weights come from, in words: 'after 120 steps of the race', 'from trained.pt'."""


@dataclass(frozen=True, eq=False)
class LandscapeRequest:
    """Landscapes of several networks on the same batch along directions drawn with the same seed, computed side
    by side."""

    subjects: tuple[LandscapeSubject, ...]
    options: LandscapeOptions
    batch_size: int = 32
    device: str = "cpu"
    input_shape: tuple[int, int, int] | None = None
    """The image size (the document's run settings; None: each network's Input node)."""

    @property
    def labels(self) -> tuple[str, ...]:
        """The subjects' labels, in order."""
        return tuple(s.label for s in self.subjects)


@dataclass(frozen=True)
class LandscapeUpdate:
    """A point of one subject's landscape, as soon as it is known."""

    subject: int
    """Position of the network in the request."""
    point: LandscapePoint


@dataclass(frozen=True, eq=False)
class LandscapeOutcome:
    """The landscapes a request gave (complete, cancelled part-way, or failed, each with its reason), or why none
    could be started."""

    request: LandscapeRequest
    landscapes: tuple[Landscape, ...] = ()
    batch: str = ""
    """The batch, in words: 'a batch of 32 from shapes and textures (procedural)'."""
    error: RunError | None = None
    """Why nothing was computed (the batch could not be had); each landscape carries its own error too."""

    @property
    def status(self) -> Status:
        """'error' when any network failed, else 'cancelled' when any stopped early (or none started), else 'ok'."""
        if self.error is not None:
            return "error"
        if not self.landscapes:
            return "cancelled"
        statuses = {landscape.status for landscape in self.landscapes}
        if "error" in statuses:
            return "error"
        return "cancelled" if "cancelled" in statuses else "ok"

    @property
    def failures(self) -> tuple[str, ...]:
        """Why each failed network failed, one sentence each with its label."""
        found = [f"{self.error}"] if self.error is not None else []
        found += [f"{land.label}: {land.error}" for land in self.landscapes if land.error is not None]
        return tuple(found)
