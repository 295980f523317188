"""One torch module per primitive block type, built from the node's parameters and its analysed input shapes.

When an input shape is unknown (the unchecked build of a graph with errors), the layers that need it are built
lazily (nn.LazyConv2d, ...) so that PyTorch itself decides whether the layer can run.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn
from torch import Tensor

from ...core.params import Params
from ...core.shapes import Shape


class Add(nn.Module):
    """Element-wise sum of N tensors of the same shape: the skip connection."""

    def __init__(self, inputs: int = 2) -> None:
        super().__init__()
        self.inputs = inputs

    def forward(self, *xs: Tensor) -> Tensor:
        out = xs[0] + xs[1]
        for x in xs[2:]:
            out = out + x
        return out

    def extra_repr(self) -> str:
        return f"inputs={self.inputs}"


class StrictAdd(Add):
    """Add that refuses to broadcast, as the block does (PyTorch would silently broadcast a 1x1 map)."""

    def forward(self, *xs: Tensor) -> Tensor:
        for i, x in enumerate(xs[1:], start=2):
            if x.shape != xs[0].shape:
                raise RuntimeError(
                    f"Add: input {i} has shape {tuple(x.shape)} but input 1 has {tuple(xs[0].shape)}"
                )
        return super().forward(*xs)


class StrictLinear(nn.LazyLinear):
    """LazyLinear that only takes a batch of flat vectors, as the block does (nn.Linear would map the last axis)."""

    def forward(self, x: Tensor) -> Tensor:
        # torch.mm refuses anything but a matrix, so PyTorch raises on a feature map.
        out = torch.mm(x, self.weight.t())
        return out + self.bias if self.bias is not None else out


class ZeroPadShortcut(nn.Module):
    """The paper's option-A shortcut: every stride-th pixel, then zero channels appended (front, x, back)."""

    def __init__(self, out_channels: int, stride: int) -> None:
        super().__init__()
        self.out_channels = out_channels
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        if self.stride != 1:
            x = x[:, :, :: self.stride, :: self.stride]
        n, c, h, w = x.shape
        extra = self.out_channels - c
        front = extra // 2
        # new_zeros refuses a negative size, so fewer output than input channels fails here, as it should.
        return torch.cat((x.new_zeros(n, front, h, w), x, x.new_zeros(n, extra - front, h, w)), 1)

    def extra_repr(self) -> str:
        return f"out_channels={self.out_channels}, stride={self.stride}"


class Scale(nn.Module):
    """x * gate (a gate of one value per channel is broadcast over height and width)."""

    def forward(self, x: Tensor, gate: Tensor) -> Tensor:
        return x * gate


class DropPath(nn.Module):
    """Stochastic depth: in training, zero the branch of each sample with probability p (the rest scaled up)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p <= 0:
            return x
        keep = 1.0 - self.p
        mask = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(keep)
        return x * mask.div_(keep)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _channels(shape: Shape | None) -> int | None:
    return shape[0] if shape is not None and len(shape) >= 1 else None


def _conv(p: Params, shapes: tuple[Shape | None, ...], strict: bool) -> nn.Module:
    out, kernel, stride, padding = (p.as_int(k) for k in ("out_channels", "kernel_size", "stride", "padding"))
    dilation, groups, bias = p.as_int("dilation"), p.as_int("groups"), p.as_bool("bias")
    in_channels = _channels(shapes[0])
    if in_channels is None or strict:
        return nn.LazyConv2d(out, kernel, stride, padding, dilation=dilation, groups=groups, bias=bias)
    return nn.Conv2d(in_channels, out, kernel, stride, padding, dilation=dilation, groups=groups, bias=bias)


def _batchnorm(p: Params, shapes: tuple[Shape | None, ...], strict: bool) -> nn.Module:
    channels = _channels(shapes[0])
    if channels is None or strict:
        return nn.LazyBatchNorm2d(eps=p.as_float("eps"))
    return nn.BatchNorm2d(channels, eps=p.as_float("eps"))


def _linear(p: Params, shapes: tuple[Shape | None, ...], strict: bool) -> nn.Module:
    features = _channels(shapes[0])
    if features is None or strict:
        return StrictLinear(p.as_int("out_features"), bias=p.as_bool("bias"))
    return nn.Linear(features, p.as_int("out_features"), bias=p.as_bool("bias"))


def _maxpool(p: Params, shapes: tuple[Shape | None, ...], strict: bool) -> nn.Module:
    return nn.MaxPool2d(
        p.as_int("kernel_size"), p.as_int("stride"), p.as_int("padding"), ceil_mode=p.as_bool("ceil_mode")
    )


def _avgpool(p: Params, shapes: tuple[Shape | None, ...], strict: bool) -> nn.Module:
    return nn.AvgPool2d(
        p.as_int("kernel_size"),
        p.as_int("stride"),
        p.as_int("padding"),
        ceil_mode=p.as_bool("ceil_mode"),
        count_include_pad=p.as_bool("count_include_pad"),
    )


def _add(p: Params, shapes: tuple[Shape | None, ...], strict: bool) -> nn.Module:
    return StrictAdd(p.as_int("inputs")) if strict else Add(p.as_int("inputs"))


LayerFactory = Callable[[Params, tuple["Shape | None", ...], bool], nn.Module]

LAYERS: dict[str, LayerFactory] = {
    "Conv2d": _conv,
    "BatchNorm2d": _batchnorm,
    "ReLU": lambda p, s, strict: nn.ReLU(),
    "MaxPool2d": _maxpool,
    "AvgPool2d": _avgpool,
    "GlobalAvgPool": lambda p, s, strict: nn.AdaptiveAvgPool2d((1, 1)),
    "Flatten": lambda p, s, strict: nn.Flatten(1),
    "Linear": _linear,
    "Dropout": lambda p, s, strict: nn.Dropout(p.as_float("p")),
    "Add": _add,
    "ZeroPadShortcut": lambda p, s, strict: ZeroPadShortcut(p.as_int("out_channels"), p.as_int("stride")),
    "Sigmoid": lambda p, s, strict: nn.Sigmoid(),
    "Scale": lambda p, s, strict: Scale(),
    "DropPath": lambda p, s, strict: DropPath(p.as_float("p")),
}
"""Primitive block type -> module factory(params, input shapes, strict)."""


def make_layer(
    type_name: str,
    params: Params,
    in_shapes: tuple[Shape | None, ...],
    *,
    strict: bool = False,
    inplace: bool = False,
) -> nn.Module:
    """The module of one primitive layer; `strict` builds shape-inferring layers that refuse what the block refuses."""
    module = LAYERS[type_name](params, in_shapes, strict)
    if inplace and isinstance(module, nn.ReLU):
        module.inplace = True
    return module
