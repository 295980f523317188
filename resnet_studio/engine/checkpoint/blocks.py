"""Recognising one residual block from its tensors' shapes: basic or bottleneck, widths, groups, shortcut.

torchvision's names: conv1/bn1, conv2/bn2 (and conv3/bn3 for a bottleneck), and downsample.0/.1 for a
projection shortcut. Strides cannot be read from weights; ResNets stride 2 in the first block of every stage
after the first, and that is what is assumed. A block without a projection whose shapes change uses the
paper's zero-pad shortcut (option A).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...core.catalogue import resolve_shortcut
from ...core.catalogue.families import make_divisible
from ...core.params import ParamValue
from ...core.shapes import Shape, format_shape
from .errors import IncompleteCheckpointError, InconsistentCheckpointError, NotAResNetError

Shapes = Mapping[str, Shape]
"""Tensor shapes by key, in file order."""

EXPANSIONS = (4, 1, 2, 8, 3, 6, 16)
"""Bottleneck expansions to try, torchvision's 4 first (a checkpoint shows planes x expansion, not each)."""


@dataclass(frozen=True)
class RecognisedBlock:
    """One residual block as recognised: its name, block type, parameters and channels in and out."""

    name: str
    type: str
    params: tuple[tuple[str, ParamValue], ...]
    in_channels: int
    out_channels: int
    shortcut: str
    """The shortcut it really has: 'identity', 'projection', 'zero-pad' or 'avg-pool'."""
    kind: str = "basic"
    """In words: 'basic', 'bottleneck' or 'SE bottleneck'."""

    def param(self, name: str) -> ParamValue:
        """One parameter's value."""
        return dict(self.params)[name]


class _Block:
    """The tensors of one block (local keys) and how to refuse them, naming the full key."""

    def __init__(self, name: str, local: Shapes) -> None:
        self.name = name
        self.local = local

    def full(self, key: str) -> str:
        return f"{self.name}.{key}"

    def conv(self, key: str, kernel: int) -> Shape:
        """A convolution weight of 4 dimensions and this square kernel."""
        if key not in self.local:
            raise IncompleteCheckpointError(
                f"{self.full(key)} is missing: every residual block of this kind has it "
                "(the checkpoint looks truncated or cut down)",
                self.full(key),
            )
        shape = self.local[key]
        if len(shape) != 4 or shape[2:] != (kernel, kernel):
            raise InconsistentCheckpointError(
                f"{self.full(key)} has shape {format_shape(shape) or 'scalar'}, but this layer of a residual "
                f"block is a {kernel}x{kernel} convolution (out x in x {kernel} x {kernel})",
                self.full(key),
            )
        return shape

    def mismatch(self, key: str, what: str, found: int, expected: int) -> InconsistentCheckpointError:
        return InconsistentCheckpointError(
            f"{self.full(key)} does not fit the layer before it: it takes {found} {what}, but {expected} "
            "come in",
            self.full(key),
        )


def recognise_block(name: str, local: Shapes, in_channels: int, stride: int) -> RecognisedBlock:
    """The block whose tensors (by local key) are `local`, fed `in_channels` channels with this stride."""
    block = _Block(name, local)
    if "conv3.weight" in local:
        values, out = _bottleneck(block, in_channels)
        block_type, kind = "Bottleneck", "bottleneck"
        if "se.fc1.weight" in local:
            values.update(_squeeze_excite(block, out))
            block_type, kind = "SEBottleneck", "SE bottleneck"
    elif "conv2.weight" in local:
        values, out = _basic(block, in_channels)
        block_type, kind = "BasicBlock", "basic"
    else:
        first = next(iter(local))
        if "conv1.weight" in local:
            raise IncompleteCheckpointError(
                f"{block.full('conv2.weight')} is missing: a residual block has at least conv1 and conv2 "
                "(the checkpoint looks truncated or cut down)",
                block.full("conv2.weight"),
            )
        raise NotAResNetError(
            f"{block.full(first)} is not part of a torchvision-style residual block (conv1, bn1, conv2, bn2, "
            "conv3, bn3, downsample); this does not look like a ResNet-family network",
            block.full(first),
        )
    shortcut = _shortcut(block, in_channels, out, stride)
    chosen = "auto" if resolve_shortcut("auto", in_channels, out, stride) == shortcut else shortcut
    values.update(stride=stride, shortcut=chosen)
    return RecognisedBlock(name, block_type, tuple(values.items()), in_channels, out, shortcut, kind)


def _squeeze_excite(block: _Block, channels: int) -> dict[str, ParamValue]:
    """The SE reduction (and rounding) that give the checkpoint's hidden width (timm's 1/16, multiple of 8)."""
    reduced = block.conv("se.fc1.weight", 1)[0]
    for reduction, divisor in ((16, 8), (channels // max(reduced, 1), 1)):
        if reduction >= 1 and make_divisible(channels / reduction, divisor) == reduced:
            return {"se_reduction": reduction, "se_divisor": divisor}
    raise InconsistentCheckpointError(
        f"{block.full('se.fc1.weight')} squeezes {channels} channels to {reduced}, which no reduction of a "
        "squeeze-and-excitation block gives",
        block.full("se.fc1.weight"),
    )


def _groups(block: _Block, key: str, channels: int, per_group: int, what: str) -> int:
    if per_group < 1 or channels % per_group:
        raise block.mismatch(key, f"{what} per group, which does not divide the", per_group, channels)
    return channels // per_group


def width_per_group(planes: int, width: int, groups: int) -> int | None:
    """The width per group torchvision needs to make `width` channels from `planes` (None if none does)."""
    if width % groups:
        return None
    target = width // groups
    # torchvision: width = int(planes * (width_per_group / 64.0)) * groups; the smallest exact value first.
    guess = -(-target * 64 // planes)
    for candidate in (target * 64 // planes, guess, guess + 1):
        if 1 <= candidate <= 4096 and int(planes * (candidate / 64.0)) == target:
            return candidate
    return None


def _basic(block: _Block, in_channels: int) -> tuple[dict[str, ParamValue], int]:
    c1 = block.conv("conv1.weight", 3)
    groups = _groups(block, "conv1.weight", in_channels, c1[1], "input channels")
    width = c1[0]
    c2 = block.conv("conv2.weight", 3)
    if c2[1] * groups != width:
        if groups != 1 and c2[1] == width:  # conv2 says ungrouped: conv1 is the one that does not fit
            raise block.mismatch("conv1.weight", "channels", c1[1], in_channels)
        raise block.mismatch("conv2.weight", "channels", c2[1] * groups, width)
    out = c2[0]
    wpg = width_per_group(out, width, groups)
    if wpg is None:
        raise InconsistentCheckpointError(
            f"{block.full('conv1.weight')} makes {width} channels, which no basic block with {out} output "
            f"channels and {groups} groups has",
            block.full("conv1.weight"),
        )
    return {"out_channels": out, "groups": groups, "width_per_group": wpg}, out


def _bottleneck(block: _Block, in_channels: int) -> tuple[dict[str, ParamValue], int]:
    c1 = block.conv("conv1.weight", 1)
    if c1[1] != in_channels:
        raise block.mismatch("conv1.weight", "channels", c1[1], in_channels)
    width = c1[0]
    c2 = block.conv("conv2.weight", 3)
    groups = _groups(block, "conv2.weight", width, c2[1], "channels")
    if c2[0] != width:
        raise InconsistentCheckpointError(
            f"{block.full('conv2.weight')} makes {c2[0]} channels, but a bottleneck's 3x3 convolution keeps "
            f"the {width} channels of conv1",
            block.full("conv2.weight"),
        )
    c3 = block.conv("conv3.weight", 1)
    if c3[1] != width:
        raise block.mismatch("conv3.weight", "channels", c3[1], width)
    out = c3[0]
    for expansion in EXPANSIONS:
        if out % expansion:
            continue
        planes = out // expansion
        wpg = width_per_group(planes, width, groups)
        if wpg is not None:
            values: dict[str, ParamValue] = {
                "width": planes,
                "expansion": expansion,
                "groups": groups,
                "width_per_group": wpg,
            }
            return values, out
    raise InconsistentCheckpointError(
        f"{block.full('conv1.weight')} makes {width} channels, which no bottleneck block with {out} output "
        f"channels and {groups} groups has",
        block.full("conv1.weight"),
    )


def _shortcut(block: _Block, in_channels: int, out: int, stride: int) -> str:
    if any(key.startswith("downsample.") for key in block.local):
        # ResNet-D (timm's avg_down): downsample.0 is a pool without weights, the projection is downsample.1.
        pooled = (
            "downsample.0.weight" not in block.local and len(block.local.get("downsample.1.weight", ())) == 4
        )
        key = "downsample.1.weight" if pooled else "downsample.0.weight"
        projection = block.conv(key, 1)
        if projection[1] != in_channels:
            raise block.mismatch(key, "channels", projection[1], in_channels)
        if projection[0] != out:
            raise InconsistentCheckpointError(
                f"{block.full(key)} makes {projection[0]} channels, but the block's "
                f"residual branch makes {out}: the two cannot be added",
                block.full(key),
            )
        return "avg-pool" if pooled else "projection"
    if stride == 1 and in_channels == out:
        return "identity"
    if out < in_channels:
        raise InconsistentCheckpointError(
            f"{block.full(next(iter(block.local)))}: the block takes {in_channels} channels and makes {out}, "
            "but has no downsample projection, and a zero-pad shortcut cannot drop channels",
            block.full(next(iter(block.local))),
        )
    return "zero-pad"
