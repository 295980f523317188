"""Principal curvatures from Hessian-vector products against the Hessian itself, on a network small enough to
form it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from resnet_studio.engine import build
from resnet_studio.engine.landscape import principal_curvatures

from ..graphs import chain


def test_the_extreme_eigenvalues_match_the_full_hessian() -> None:
    graph = chain(
        [
            ("Conv2d", {"out_channels": 3}),
            ("ReLU", {}),
            ("GlobalAvgPool", {}),
            ("Flatten", {}),
            ("Linear", {"out_features": 4}),
        ],
        (2, 5, 5),
    )
    net = build(graph, seed=3).eval()
    generator = torch.Generator().manual_seed(0)
    images, labels = torch.randn(6, 2, 5, 5, generator=generator), torch.tensor([0, 1, 2, 3, 0, 1])
    names = [n for n, _ in net.named_parameters()]
    shapes = [p.shape for _, p in net.named_parameters()]
    flat = torch.cat([p.detach().flatten() for _, p in net.named_parameters()])

    def loss(vector: torch.Tensor) -> torch.Tensor:
        parts = torch.split(vector, [s.numel() for s in shapes])
        weights = {n: part.view(s) for n, part, s in zip(names, parts, shapes)}
        return F.cross_entropy(functional_call(net, weights, (images,)), labels)

    eigenvalues = torch.linalg.eigvalsh(torch.autograd.functional.hessian(loss, flat))
    found = principal_curvatures(net, images, labels, iterations=60, tolerance=1e-7)
    assert found is not None and eigenvalues[0] < 0 < eigenvalues[-1] and found.iterations < 60
    assert found.max_eigenvalue == pytest.approx(float(eigenvalues[-1]), rel=1e-4)
    assert found.min_eigenvalue == pytest.approx(float(eigenvalues[0]), rel=1e-4)
    assert found.ratio == pytest.approx(abs(float(eigenvalues[0] / eigenvalues[-1])), rel=1e-3)
    assert principal_curvatures(net, images, labels, cancel=lambda: True) is None
