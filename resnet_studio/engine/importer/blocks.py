"""torchvision-style residual blocks inside a module: recognised by their parts (conv1, bn1, conv2, bn2, conv3,
bn3, downsample), turned into a BasicBlock or Bottleneck node, and accepted only if that block, given the
module's own weights, computes what the module computes."""

from __future__ import annotations

import torch
import torch.nn as nn

from ...core.catalogue import get_spec, resolve_shortcut
from ...core.params import ParamValue
from ...core.shapes import Shape
from ..assembly.blocks import build_block
from ..checkpoint.blocks import EXPANSIONS, width_per_group
from .layers import Mapped

_BASIC = ("conv1", "bn1", "conv2", "bn2")
_BOTTLENECK = (*_BASIC, "conv3", "bn3")


def _conv(module: nn.Module, kernel: int, padding: int) -> nn.Conv2d | None:
    ok = (
        type(module) is nn.Conv2d
        and module.kernel_size == (kernel, kernel)
        and module.padding == (padding, padding)
        and module.dilation == (1, 1)
        and module.bias is None
        and module.padding_mode == "zeros"
        and module.stride[0] == module.stride[1]
    )
    return module if ok else None  # type: ignore[return-value]


def looks_like_block(module: nn.Module) -> bool:
    """True when a module has a torchvision block's parts and nothing else with weights."""
    children = dict(module.named_children())
    parts = _BOTTLENECK if "conv3" in children else _BASIC
    if not all(name in children for name in parts):
        return False
    downsample = children.get("downsample")
    projection = downsample is not None and _projection(downsample)
    others = [
        c for name, c in children.items() if name not in parts and not (name == "downsample" and projection)
    ]
    return not any(any(True for _ in c.parameters()) or any(True for _ in c.buffers()) for c in others)


def _projection(module: nn.Module) -> bool:
    parts = list(module.children()) if isinstance(module, nn.Sequential) else []
    return (
        len(parts) == 2
        and _conv(parts[0], 1, 0) is not None
        and type(parts[1]) is nn.BatchNorm2d
        and isinstance(module, nn.Sequential)
    )


def block_of(module: nn.Module, in_channels: int) -> Mapped | None:
    """The BasicBlock or Bottleneck node for a block-like module fed `in_channels`, if its layers fit one."""
    children = dict(module.named_children())
    if "conv3" in children:
        found = _bottleneck(children, in_channels)
        kind = "Bottleneck"
    else:
        found = _basic(children, in_channels)
        kind = "BasicBlock"
    if found is None:
        return None
    values, out, stride = found
    downsample = children.get("downsample")
    if downsample is not None and _projection(downsample):
        projection = downsample[0]  # type: ignore[index]
        if projection.stride != (stride, stride) or projection.out_channels != out:
            return None
        shortcut = "projection"
    else:
        shortcut = "identity" if stride == 1 and in_channels == out else "zero-pad"
    chosen = "auto" if resolve_shortcut("auto", in_channels, out, stride) == shortcut else shortcut
    values.update(stride=stride, shortcut=chosen)
    return kind, values


def _basic(children: dict[str, nn.Module], in_channels: int) -> tuple[dict[str, ParamValue], int, int] | None:
    conv1, conv2 = _conv(children["conv1"], 3, 1), _conv(children["conv2"], 3, 1)
    if conv1 is None or conv2 is None or conv2.stride != (1, 1) or conv1.groups != conv2.groups:
        return None
    out, groups = conv2.out_channels, conv1.groups
    wpg = width_per_group(out, conv1.out_channels, groups)
    if wpg is None or conv1.in_channels != in_channels:
        return None
    return {"out_channels": out, "groups": groups, "width_per_group": wpg}, out, conv1.stride[0]


def _bottleneck(
    children: dict[str, nn.Module], in_channels: int
) -> tuple[dict[str, ParamValue], int, int] | None:
    conv1, conv2, conv3 = (
        _conv(children["conv1"], 1, 0),
        _conv(children["conv2"], 3, 1),
        _conv(children["conv3"], 1, 0),
    )
    if conv1 is None or conv2 is None or conv3 is None or conv1.groups != 1 or conv3.groups != 1:
        return None
    if (
        conv3.stride != (1, 1)
        or 1 not in (conv1.stride[0], conv2.stride[0])
        or conv1.in_channels != in_channels
    ):
        return None
    stride_on = "1x1" if conv1.stride[0] != 1 else "3x3"
    stride = conv1.stride[0] * conv2.stride[0]
    width, out, groups = conv1.out_channels, conv3.out_channels, conv2.groups
    for expansion in EXPANSIONS:
        if out % expansion == 0 and (wpg := width_per_group(out // expansion, width, groups)) is not None:
            values: dict[str, ParamValue] = {
                "width": out // expansion,
                "expansion": expansion,
                "stride_on": stride_on,
                "groups": groups,
                "width_per_group": wpg,
            }
            return values, out, stride
    return None


def computes_the_same(module: nn.Module, mapped: Mapped, in_shape: Shape) -> bool:
    """True when the block, with the module's weights, gives the module's output (eval mode, random input)."""
    kind, values = mapped
    try:
        with torch.device("meta"):  # no initialisation: every tensor comes from the module
            block = build_block(kind, get_spec(kind).make_params(values), in_shape)
        block = block.to_empty(device="cpu")
        block.load_state_dict(module.state_dict(), strict=True)
    except Exception:  # another layout of weights: not this block
        return False
    block.eval()
    x = torch.randn(1, *in_shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected, got = module(x), block(x)
    return expected.shape == got.shape and bool(torch.allclose(expected, got, rtol=1e-4, atol=1e-5))
