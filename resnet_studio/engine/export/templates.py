"""Source text of the classes an exported network file defines (only the ones it uses are written).

They mirror the catalogue's plans with torchvision's layer names, so the exported network's state_dict is the
built one's; the export tests check that they agree for every block option.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEADER = '''"""{title}

Exported by ResNet Studio: a standalone PyTorch definition that needs nothing but torch.

    model = build_model()
    model.load_state_dict(torch.load("weights.pt", weights_only=True))
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn as nn
from torch import Tensor
'''

ZERO_PAD = '''

class ZeroPadShortcut(nn.Module):
    """Option-A shortcut: every stride-th pixel, then zero channels around the input's (no parameters)."""

    def __init__(self, out_channels: int, stride: int) -> None:
        super().__init__()
        self.out_channels = out_channels
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        n, c, h, w = x.shape
        extra = self.out_channels - c
        front = extra // 2
        return torch.cat((x.new_zeros(n, front, h, w), x, x.new_zeros(n, extra - front, h, w)), 1)
'''

BASIC_BLOCK = '''

class BasicBlock(nn.Module):
    """Two 3x3 convolutions with BatchNorm; the shortcut is added before the last ReLU (unless skip is off)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        groups: int = 1,
        width_per_group: int = 64,
        shortcut: str = "identity",
        skip: bool = True,
        norm: str = "batchnorm",
    ) -> None:
        super().__init__()
        width = int(out_channels * (width_per_group / 64.0)) * groups
        bias = norm == "none"
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride, 1, groups=groups, bias=bias)
        self.bn1 = norm_layer(norm, width)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width, out_channels, 3, 1, 1, groups=groups, bias=bias)
        self.bn2 = norm_layer(norm, out_channels)
        self.shortcut_kind = shortcut if skip else "none"
        add_shortcut(self, self.shortcut_kind, in_channels, out_channels, stride, norm)
        self.relu2 = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:  # x: [N, in_channels, H, W]
        out = self.relu1(self.bn1(self.conv1(x)))  # [N, width, H / stride, W / stride]
        out = self.bn2(self.conv2(out))  # [N, out_channels, H / stride, W / stride]
        return self.relu2(add_skip(self, out, x))  # [N, out_channels, H / stride, W / stride]
'''

BOTTLENECK = '''

class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (grouped) and 1x1 expand convolutions with BatchNorm, plus the shortcut."""

    def __init__(
        self,
        in_channels: int,
        width: int,
        expansion: int = 4,
        stride: int = 1,
        stride_on: str = "3x3",
        groups: int = 1,
        width_per_group: int = 64,
        shortcut: str = "identity",
        skip: bool = True,
        norm: str = "batchnorm",
    ) -> None:
        super().__init__()
        inner = int(width * (width_per_group / 64.0)) * groups
        out_channels = width * expansion
        stride_1x1, stride_3x3 = (stride, 1) if stride_on == "1x1" else (1, stride)
        bias = norm == "none"
        self.conv1 = nn.Conv2d(in_channels, inner, 1, stride_1x1, 0, bias=bias)
        self.bn1 = norm_layer(norm, inner)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(inner, inner, 3, stride_3x3, 1, groups=groups, bias=bias)
        self.bn2 = norm_layer(norm, inner)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv3 = nn.Conv2d(inner, out_channels, 1, 1, 0, bias=bias)
        self.bn3 = norm_layer(norm, out_channels)
        self.shortcut_kind = shortcut if skip else "none"
        add_shortcut(self, self.shortcut_kind, in_channels, out_channels, stride, norm)
        self.relu3 = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:  # x: [N, in_channels, H, W]
        out = self.relu1(self.bn1(self.conv1(x)))  # [N, inner, H / stride_1x1, W / stride_1x1]
        out = self.relu2(self.bn2(self.conv2(out)))  # [N, inner, H / stride, W / stride]
        out = self.bn3(self.conv3(out))  # [N, out_channels, H / stride, W / stride]
        return self.relu3(add_skip(self, out, x))  # [N, out_channels, H / stride, W / stride]
'''

SHORTCUT_HELPERS = '''

def norm_layer(norm: str, channels: int) -> nn.Module:
    """BatchNorm after a convolution, or nothing (an identity, which holds no weights) when norm is 'none'."""
    return nn.BatchNorm2d(channels) if norm == "batchnorm" else nn.Identity()


def add_shortcut(
    block: nn.Module, kind: str, in_channels: int, out_channels: int, stride: int, norm: str = "batchnorm"
) -> None:
    """Give a residual block its shortcut layers: a 1x1 projection (downsample, average-pooled first for
    avg-pool) or a zero-pad shortcut."""
    if kind == "projection":
        conv = nn.Conv2d(in_channels, out_channels, 1, stride, 0, bias=norm == "none")
        block.downsample = nn.Sequential(conv, norm_layer(norm, out_channels))
    elif kind == "avg-pool":  # ResNet-D: average 2x2 windows, then an unstrided 1x1 projection
        pool = nn.AvgPool2d(2, stride, ceil_mode=True, count_include_pad=False) if stride != 1 else nn.Identity()
        conv = nn.Conv2d(in_channels, out_channels, 1, 1, 0, bias=norm == "none")
        block.downsample = nn.Sequential(pool, conv, norm_layer(norm, out_channels))
    elif kind == "zero-pad":
        block.shortcut = ZeroPadShortcut(out_channels, stride)


def add_skip(block: nn.Module, out: Tensor, x: Tensor) -> Tensor:
    """out + shortcut(x), in place as torchvision does; out alone when the block has no skip connection."""
    kind = block.shortcut_kind
    if kind == "none":
        return out
    if kind in ("projection", "avg-pool"):
        out += block.downsample(x)
    elif kind == "zero-pad":
        out += block.shortcut(x)
    else:
        out += x
    return out
'''


INPUT, OUTPUT = "input", "output"


@dataclass(frozen=True)
class BlockCode:
    """How a residual block type is written: its class, the parameters it takes after in_channels, their defaults."""

    class_name: str
    source: str
    positional: tuple[str, ...]
    """Parameters passed by position after in_channels ('out_channels' for a basic block)."""
    defaults: dict[str, object] = field(default_factory=dict)
    """Keyword parameters and the values the class assumes when they are left out."""
    shapes: tuple[str, ...] = ()
    """The plan step whose output shape each shape comment of forward() describes, in order (INPUT for the
    block's input, OUTPUT for its output): the code view writes one block's real shapes there."""


_SHARED = {"stride": 1, "groups": 1, "width_per_group": 64, "norm": "batchnorm"}

BLOCKS: dict[str, BlockCode] = {
    "BasicBlock": BlockCode(
        "BasicBlock", BASIC_BLOCK, ("out_channels",), dict(_SHARED), (INPUT, "conv1", "conv2", OUTPUT)
    ),
    "Bottleneck": BlockCode(
        "Bottleneck",
        BOTTLENECK,
        ("width",),
        {"expansion": 4, **_SHARED, "stride_on": "3x3"},
        (INPUT, "conv1", "conv2", "conv3", OUTPUT),
    ),
}
"""Block type -> its code (the exporter's counterpart of the engine's layer factory)."""
