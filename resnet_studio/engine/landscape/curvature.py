"""Principal curvatures of the full Hessian of the loss at the centre weights (Li et al. 2018, Fig. 7), from
Hessian-vector products (torch.func: forward-mode over reverse-mode) and the Lanczos method, so the Hessian
itself, with as many rows as the network has weights, is never formed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.func import functional_call, grad, jvp

from ...results.landscape import Curvature


def principal_curvatures(
    net: nn.Module,
    images: Tensor,
    labels: Tensor,
    *,
    iterations: int = 40,
    tolerance: float = 1e-3,
    seed: int = 0,
    cancel: Callable[[], bool] | None = None,
) -> Curvature | None:
    """The largest and smallest eigenvalues of the Hessian of the loss over every trainable weight, at the
    network's current weights (BatchNorm in eval mode); None when cancelled.

    Lanczos with full reorthogonalisation: after k Hessian-vector products, the extreme eigenvalues of the k x k
    tridiagonal matrix approximate both ends of the spectrum. It stops after `iterations` products, or once both
    ends change by less than `tolerance` (relative to the larger one) from one product to the next.
    """
    net.eval()
    params = {n: p.detach() for n, p in net.named_parameters() if p.requires_grad}
    names = list(params)
    shapes = [params[n].shape for n in names]
    sizes = [params[n].numel() for n in names]
    buffers = dict(net.named_buffers())

    def loss(weights: dict[str, Tensor]) -> Tensor:
        logits = functional_call(net, (weights, buffers), (images,))
        return F.cross_entropy((logits[0] if isinstance(logits, tuple) else logits).float(), labels)

    gradient = grad(loss)

    def hvp(vector: Tensor) -> Tensor:
        parts = {n: v.view(s) for n, v, s in zip(names, torch.split(vector, sizes), shapes)}
        product = jvp(gradient, (params,), (parts,))[1]
        return torch.cat([product[n].flatten() for n in names])

    first = next(iter(params.values()))
    generator = torch.Generator().manual_seed(seed)
    start = torch.randn(sum(sizes), generator=generator, dtype=torch.float64).to(first.device, first.dtype)
    with _relu_not_in_place(net):
        return _lanczos(hvp, start, iterations, tolerance, cancel)


def _lanczos(
    hvp: Callable[[Tensor], Tensor],
    start: Tensor,
    iterations: int,
    tolerance: float,
    cancel: Callable[[], bool] | None,
) -> Curvature | None:
    basis = [start / start.norm()]
    alphas: list[float] = []
    betas: list[float] = []
    previous: tuple[float, float] | None = None
    for step in range(1, iterations + 1):
        if cancel is not None and cancel():
            return None
        w = hvp(basis[-1])
        alphas.append(float(w @ basis[-1]))
        for v in basis:  # full reorthogonalisation: rounding would otherwise bring back found directions
            w = w - (w @ v) * v
        ends = _ends(alphas, betas)
        if previous is not None:
            scale = max(abs(ends[0]), abs(ends[1]), 1e-30)
            if (
                abs(ends[0] - previous[0]) <= tolerance * scale
                and abs(ends[1] - previous[1]) <= tolerance * scale
            ):
                return Curvature(ends[1], ends[0], step)
        previous = ends
        beta = float(w.norm())
        if beta <= 1e-10 * max(abs(a) for a in alphas):  # an invariant subspace: the Ritz values are exact
            return Curvature(ends[1], ends[0], step)
        betas.append(beta)
        basis.append(w / beta)
    assert previous is not None
    return Curvature(previous[1], previous[0], iterations)


def _ends(alphas: list[float], betas: list[float]) -> tuple[float, float]:
    """(smallest, largest) eigenvalue of the tridiagonal matrix with diagonal alphas and off-diagonal betas."""
    k = len(alphas)
    matrix = torch.diag(torch.tensor(alphas, dtype=torch.float64))
    if k > 1:
        off = torch.tensor(betas[: k - 1], dtype=torch.float64)
        matrix += torch.diag(off, 1) + torch.diag(off, -1)
    values = torch.linalg.eigvalsh(matrix)
    return float(values[0]), float(values[-1])


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
