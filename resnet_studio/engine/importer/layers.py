"""PyTorch layers and functions as catalogue blocks: nn.Conv2d -> Conv2d, torch.flatten(x, 1) -> Flatten, ...

Each mapping returns the block type and its parameters, or raises UnsupportedModuleError saying what the
catalogue's block cannot do (a non-square kernel, 'same' padding, BatchNorm without running statistics).
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from ...core.params import ParamValue
from .errors import UnsupportedModuleError

Mapped = tuple[str, dict[str, ParamValue]]
"""(block type, parameters)."""


def _square(value: object, what: str, path: str, module: nn.Module) -> int:
    pair = value if isinstance(value, tuple) else (value, value)
    if not all(isinstance(v, int) for v in pair) or pair[0] != pair[1]:
        raise _refuse(
            path, module, f"its {what} is {value!r}; the catalogue's layer needs one square, whole size"
        )
    return int(pair[0])


def _refuse(path: str, module: nn.Module, why: str) -> UnsupportedModuleError:
    kind = type(module).__name__
    return UnsupportedModuleError(f"{path} ({kind}) cannot be imported: {why}", path, kind)


def _conv(path: str, m: nn.Conv2d) -> Mapped:
    if m.padding_mode != "zeros" or isinstance(m.padding, str):
        raise _refuse(
            path, m, f"padding {m.padding!r} ({m.padding_mode}) is not zero padding of a fixed size"
        )
    return "Conv2d", {
        "out_channels": m.out_channels,
        "kernel_size": _square(m.kernel_size, "kernel", path, m),
        "stride": _square(m.stride, "stride", path, m),
        "padding": _square(m.padding, "padding", path, m),
        "dilation": _square(m.dilation, "dilation", path, m),
        "groups": m.groups,
        "bias": m.bias is not None,
    }


def _batchnorm(path: str, m: nn.BatchNorm2d) -> Mapped:
    if not (m.affine and m.track_running_stats):
        raise _refuse(path, m, "the catalogue's BatchNorm2d has a scale, a shift and running statistics")
    return "BatchNorm2d", {"eps": float(m.eps)}


def _pool(path: str, m: nn.MaxPool2d | nn.AvgPool2d, kind: str) -> Mapped:
    values: dict[str, ParamValue] = {
        "kernel_size": _square(m.kernel_size, "window", path, m),
        "stride": _square(m.stride, "stride", path, m),
        "padding": _square(m.padding, "padding", path, m),
        "ceil_mode": bool(m.ceil_mode),
    }
    if isinstance(m, nn.MaxPool2d) and _square(m.dilation, "dilation", path, m) != 1:
        raise _refuse(path, m, "the catalogue's MaxPool2d has no dilation")
    if isinstance(m, nn.AvgPool2d):
        if m.divisor_override is not None:
            raise _refuse(path, m, "the catalogue's AvgPool2d has no divisor override")
        values["count_include_pad"] = bool(m.count_include_pad)
    return kind, values


def _adaptive(path: str, m: nn.AdaptiveAvgPool2d) -> Mapped:
    if m.output_size not in (1, (1, 1)):
        raise _refuse(path, m, f"it pools to {m.output_size}; the catalogue pools globally (to 1x1)")
    return "GlobalAvgPool", {}


def _flatten(path: str, m: nn.Flatten) -> Mapped:
    if m.start_dim != 1 or m.end_dim != -1:
        raise _refuse(path, m, "the catalogue's Flatten keeps the batch and flattens everything else")
    return "Flatten", {}


MODULES: dict[type[nn.Module], Callable[[str, nn.Module], Mapped]] = {
    nn.Conv2d: _conv,  # type: ignore[dict-item]
    nn.BatchNorm2d: _batchnorm,  # type: ignore[dict-item]
    nn.ReLU: lambda path, m: ("ReLU", {}),
    nn.MaxPool2d: lambda path, m: _pool(path, m, "MaxPool2d"),  # type: ignore[arg-type]
    nn.AvgPool2d: lambda path, m: _pool(path, m, "AvgPool2d"),  # type: ignore[arg-type]
    nn.AdaptiveAvgPool2d: _adaptive,  # type: ignore[dict-item]
    nn.Flatten: _flatten,  # type: ignore[dict-item]
    nn.Linear: lambda path, m: ("Linear", {"out_features": m.out_features, "bias": m.bias is not None}),
    nn.Dropout: lambda path, m: ("Dropout", {"p": float(m.p)}),
}
"""Module classes (exactly these, not subclasses) -> their block."""

PASS_THROUGH = (nn.Identity,)
"""Modules that give back their input: no node."""

RELU_FUNCTIONS = frozenset({F.relu, torch.relu, torch.relu_})
ADD_FUNCTIONS = frozenset({operator.add, operator.iadd, torch.add})
FLATTEN_FUNCTIONS = frozenset({torch.flatten})
RELU_METHODS = frozenset({"relu", "relu_"})


def module_block(path: str, module: nn.Module) -> Mapped | None:
    """The block of a standard layer, None for a module the catalogue has no single layer for."""
    mapping = MODULES.get(type(module))
    return mapping(path, module) if mapping is not None else None


def is_layer(module: nn.Module) -> bool:
    """True for the layers that become one node each (or none, for a pass-through)."""
    return type(module) in MODULES or isinstance(module, PASS_THROUGH)
