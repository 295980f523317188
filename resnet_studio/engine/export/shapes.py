"""Dynamic shapes for exporters: every input's batch dimension is free."""

from __future__ import annotations

import torch


def batch_free(inputs: int) -> tuple[object, ...]:
    """dynamic_shapes for forward(x, *more) with `inputs` tensors: dimension 0 of each may vary."""
    batch = torch.export.Dim("batch", min=1)
    first = {0: batch}
    if inputs == 1:
        return (first,)
    return (first, tuple({0: batch} for _ in range(inputs - 1)))  # forward's *more is one tuple argument
