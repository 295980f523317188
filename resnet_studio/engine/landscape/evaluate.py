"""The loss and accuracy of a network at points theta + x * d1 (+ y * d2) of its weight space, on a fixed batch.

One point at a time, the moved weights are written in place and the network runs in inference mode (fastest on
a CPU). Several points at a time, torch.func.functional_call runs under vmap over stacked weight sets (fastest on
a GPU, where one small network leaves most of the device idle).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.func import functional_call, vmap

from .directions import Direction


class PointEvaluator:
    """Evaluates points of a slice; the network's moved weights are left at the centre after each call."""

    def __init__(
        self,
        net: nn.Module,
        images: Tensor,
        labels: Tensor,
        directions: Sequence[Direction],
        *,
        scales: dict[str, Tensor] | None = None,
        dtype: torch.dtype = torch.float32,
        channels_last: bool = False,
        batched: bool = False,
    ) -> None:
        """`scales` multiply the steps of folded convolutions (see fold.py); `dtype` is the computing precision
        (the moved weights are always formed in float32, then rounded); `batched` evaluates several points at
        once under vmap, else one after the other."""
        device = next(net.parameters()).device
        memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.net = net.to(dtype=dtype, memory_format=memory_format)  # type: ignore[call-overload]
        self.images = images.to(device=device, dtype=dtype).contiguous(memory_format=memory_format)
        self.labels = labels.to(device)
        self.batched = batched
        scales = scales or {}
        named = dict(net.named_parameters())
        moved = sorted(set().union(*(d.keys() for d in directions)))
        self.names = tuple(moved)
        self.params = [named[n] for n in moved]
        # Formed in float32 whatever the computing precision: a small step must not round away.
        self.centre = [named[n].detach().to(torch.float32).clone() for n in moved]
        self.steps = [
            [_step(d, n, named[n], scales.get(n)).to(device=device) for n in moved] for d in directions
        ]

    def __call__(self, points: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
        """(loss, accuracy) at each point, a point being one coordinate per direction."""
        if self.batched and len(points) > 1:
            return self._many(points)
        losses: list[float] = []
        accuracies: list[float] = []
        try:
            for point in points:
                loss, accuracy = self._one(point)
                losses.append(loss)
                accuracies.append(accuracy)
        finally:
            self.reset()
        return losses, accuracies

    def _one(self, point: Sequence[float]) -> tuple[float, float]:
        with torch.no_grad():
            for param, centre, steps in zip(self.params, self.centre, zip(*self.steps)):
                moved = centre
                for coordinate, step in zip(point, steps):
                    moved = moved + coordinate * step
                param.copy_(moved)
        with torch.inference_mode():
            loss, accuracy = _score(self.net(self.images), self.labels)
            result = torch.stack((loss, accuracy)).tolist()
        return result[0], result[1]

    def _many(self, points: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
        device = self.images.device
        coordinates = torch.tensor(points, dtype=torch.float32, device=device)  # K x directions
        stacked = {}
        for k, (name, centre) in enumerate(zip(self.names, self.centre)):
            moved = centre.unsqueeze(0).expand(len(points), *centre.shape)
            for axis, steps in enumerate(self.steps):
                shape = (-1,) + (1,) * centre.dim()
                moved = moved + coordinates[:, axis].view(shape) * steps[k]
            stacked[name] = moved.to(self.params[k].dtype)
        net, images, labels = self.net, self.images, self.labels

        def score(weights: dict[str, Tensor]) -> Tensor:
            return torch.stack(_score(functional_call(net, weights, (images,)), labels))

        with torch.inference_mode():
            result = vmap(score)(stacked).tolist()
        return [r[0] for r in result], [r[1] for r in result]

    def reset(self) -> None:
        """Put the moved weights back at the centre."""
        with torch.no_grad():
            for param, centre in zip(self.params, self.centre):
                param.copy_(centre)


def _step(direction: Direction, name: str, param: Tensor, scale: Tensor | None) -> Tensor:
    step = direction.get(name)
    if step is None:
        return torch.zeros(param.shape, dtype=torch.float32)
    step = step.to(torch.float32)
    return step * scale.to(step.device, torch.float32) if scale is not None else step


def _score(output: Tensor | tuple[Tensor, ...], labels: Tensor) -> tuple[Tensor, Tensor]:
    logits = (output[0] if isinstance(output, tuple) else output).float()
    loss = F.cross_entropy(logits, labels)
    accuracy = (logits.argmax(dim=1) == labels).float().mean()
    return loss, accuracy
