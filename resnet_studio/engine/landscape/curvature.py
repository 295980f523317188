"""Principal curvatures of the full Hessian of the loss at the centre weights (Li et al. 2018, Fig. 7), from
Hessian-vector products (torch.func: forward-mode over reverse-mode) and power iteration, so the Hessian itself,
with as many rows as the network has weights, is never formed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.func import functional_call, grad, jvp

from ...results.landscape import Curvature

Vector = dict[str, Tensor]


def principal_curvatures(
    net: nn.Module,
    images: Tensor,
    labels: Tensor,
    *,
    iterations: int = 20,
    tolerance: float = 1e-3,
    seed: int = 0,
    cancel: Callable[[], bool] | None = None,
) -> Curvature | None:
    """The largest and smallest eigenvalues of the Hessian of the loss over every trainable weight, at the
    network's current weights (BatchNorm in eval mode); None when cancelled.

    Power iteration finds the eigenvalue of largest magnitude; power iteration on H - that eigenvalue then finds
    the other end of the spectrum. Each stops after `iterations` products or once it changes by less than
    `tolerance` (relative).
    """
    net.eval()
    params = {n: p.detach() for n, p in net.named_parameters() if p.requires_grad}
    buffers = dict(net.named_buffers())

    def loss(weights: Vector) -> Tensor:
        logits = functional_call(net, (weights, buffers), (images,))
        return F.cross_entropy((logits[0] if isinstance(logits, tuple) else logits).float(), labels)

    gradient = grad(loss)

    def hvp(vector: Vector) -> Vector:
        return jvp(gradient, (params,), (vector,))[1]  # type: ignore[no-any-return]

    generator = torch.Generator().manual_seed(seed)
    start = {n: torch.randn(p.shape, generator=generator).to(p) for n, p in params.items()}
    with _relu_not_in_place(net):
        first, used = _power(hvp, start, 0.0, iterations, tolerance, cancel)
        if first is None:
            return None
        second, more = _power(hvp, start, first, iterations, tolerance, cancel)
        if second is None:
            return None
    other = second + first
    return Curvature(max(first, other), min(first, other), max(used, more))


def _power(
    hvp: Callable[[Vector], Vector],
    start: Vector,
    shift: float,
    iterations: int,
    tolerance: float,
    cancel: Callable[[], bool] | None,
) -> tuple[float | None, int]:
    """The eigenvalue of largest magnitude of H - shift * I."""
    vector = _normalised(start)
    value = 0.0
    for step in range(1, iterations + 1):
        if cancel is not None and cancel():
            return None, step
        product = hvp(vector)
        if shift:
            product = {n: p - shift * vector[n] for n, p in product.items()}
        new = float(sum((product[n] * vector[n]).sum() for n in vector))
        vector = _normalised(product)
        if step > 1 and abs(new - value) <= tolerance * abs(new):
            return new, step
        value = new
    return value, iterations


def _normalised(vector: Vector) -> Vector:
    norm = torch.sqrt(sum((v.double() ** 2).sum() for v in vector.values()))  # type: ignore[arg-type]
    return {n: v / norm.to(v.dtype) for n, v in vector.items()}


@contextmanager
def _relu_not_in_place(net: nn.Module) -> Iterator[None]:
    """In-place ReLUs would overwrite values the forward-mode pass still needs."""
    relus = [m for m in net.modules() if isinstance(m, nn.ReLU) and m.inplace]
    for relu in relus:
        relu.inplace = False
    try:
        yield
    finally:
        for relu in relus:
            relu.inplace = True
