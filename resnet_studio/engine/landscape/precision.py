"""Which precision a landscape is computed in: float32, or bfloat16 where it was asked for, is fast on this device,
and stays within 1% of float32 at the points that test it (the centre and the corners of the slice)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn as nn

from ...results.landscape import LandscapeOptions
from .evaluate import PointEvaluator

TOLERANCE = 0.01
"""bfloat16 is used only when every test point's loss is within 1% of float32's."""


def choose_precision(
    make: Callable[[torch.dtype], PointEvaluator],
    net: nn.Module,
    options: LandscapeOptions,
    device: torch.device,
) -> tuple[torch.dtype, tuple[str, ...]]:
    """The dtype to compute the grid in, and a note on the choice (none for float32 as asked). `make(dtype)`
    gives an evaluator of `net` in that dtype; `net` is float32 again afterwards."""
    if options.precision == "float32":
        return torch.float32, ()
    if not fast_bfloat16(device):
        return torch.float32, ("float32: this device has no fast bfloat16",)
    tests = _test_points(options)
    reference = make(torch.float32)(tests)[0]
    saved = {k: v.detach().clone() for k, v in net.state_dict().items()}
    trial = make(torch.bfloat16)(tests)[0]
    net.float()
    net.load_state_dict(saved)
    worst = max(_relative(a, b) for a, b in zip(trial, reference))
    if worst <= TOLERANCE:
        return torch.bfloat16, (f"bfloat16: within {worst:.2%} of float32 at the centre and corners",)
    return torch.float32, (
        f"float32: bfloat16 differed from it by {worst:.1%} (more than 1%) at the centre or a corner",
    )


def fast_bfloat16(device: torch.device) -> bool:
    """True where bfloat16 convolutions run in hardware (recent GPUs; CPUs with AVX-512 BF16 or AMX)."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        available = torch.backends.mkldnn.is_available()  # type: ignore[no-untyped-call]
        return bool(available and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False


def _test_points(options: LandscapeOptions) -> list[tuple[float, ...]]:
    r = options.range
    if options.dimensions == 1:
        return [(0.0,), (-r,), (r,)]
    return [(0.0, 0.0), (-r, -r), (-r, r), (r, -r), (r, r)]


def _relative(value: float, reference: float) -> float:
    if not math.isfinite(reference):
        return 0.0 if value == reference or (math.isnan(value) and math.isnan(reference)) else math.inf
    return abs(value - reference) / max(abs(reference), 1e-12)
