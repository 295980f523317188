"""Recognising a ResNet-family network from the keys and shapes of its state dict.

The stem (conv1: 7x7 for ImageNet, 3x3 for CIFAR), the stages (layer1, layer2, ... with blocks 0, 1, ...), each
block (blocks.py) and the classifier (fc). What cannot be told from shapes follows the ResNet convention: the
ImageNet stem strides 2 and max-pools, the first block of every stage after the first strides 2, and a
bottleneck strides on its 3x3 convolution (torchvision's v1.5).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...core.shapes import Shape, format_shape
from .blocks import RecognisedBlock, recognise_block
from .errors import IncompleteCheckpointError, InconsistentCheckpointError, NotAResNetError

_BLOCK_KEY = re.compile(r"^layer(\d+)\.(\d+)\.(.+)$")
STEM_STYLES = {7: "imagenet", 3: "cifar"}
"""Stem kernel size -> the Stem block's style."""


@dataclass(frozen=True)
class Architecture:
    """A recognised ResNet: input channels, stem, the blocks stage by stage, and the number of classes."""

    in_channels: int
    stem_style: str
    """'imagenet', 'cifar' or 'deep' (ResNet-C/D's three 3x3 convolutions)."""
    stem_channels: int
    stages: tuple[tuple[RecognisedBlock, ...], ...]
    num_classes: int
    stem_width: int = 0
    """The deep stem's inner width (0 for the others)."""

    @property
    def blocks(self) -> tuple[RecognisedBlock, ...]:
        """Every block, stage after stage."""
        return tuple(block for stage in self.stages for block in stage)

    def describe(self) -> str:
        """In words: 'ImageNet stem, bottleneck blocks 3-4-6-3 (widths 64-128-256-512), 1000 classes'."""
        kinds = sorted({b.kind for b in self.blocks})
        counts = "-".join(str(len(s)) for s in self.stages)
        widths = "-".join(str(s[0].out_channels) for s in self.stages)
        style = {"imagenet": "ImageNet", "cifar": "CIFAR", "deep": "deep 3x3"}[self.stem_style]
        parts = [
            f"{style} stem ({self.stem_channels} channels)",
            f"{' and '.join(kinds)} blocks {counts} (outputs {widths})",
        ]
        groups = sorted({int(b.param("groups")) for b in self.blocks})
        if groups != [1]:
            parts.append(f"{'/'.join(map(str, groups))} groups")
        shortcuts = sorted({b.shortcut for b in self.blocks} - {"identity"})
        if shortcuts:
            parts.append(f"{' and '.join(shortcuts)} shortcuts")
        parts.append(f"{self.num_classes} classes")
        return ", ".join(parts)


def recognise(shapes: Mapping[str, Shape]) -> Architecture:
    """The network whose state dict has these shapes; raises a CheckpointError naming the first key that does
    not fit."""
    if not shapes:
        raise NotAResNetError("the checkpoint holds no tensors")
    first = next(iter(shapes))
    stages = _stage_keys(shapes)
    if "conv1.0.weight" in shapes and "conv1.weight" not in shapes:
        return _recognise_stages(shapes, stages, *_deep_stem(shapes))
    if "conv1.weight" not in shapes:
        if not stages:
            raise NotAResNetError(
                "this is not a ResNet-family network: it has neither a stem convolution (conv1.weight) nor "
                f"residual stages (layer1, layer2, ...); its first tensor is {first!r}",
                first,
            )
        raise IncompleteCheckpointError(
            "conv1.weight is missing: a ResNet starts with a stem convolution (the checkpoint looks truncated "
            "or cut down)",
            "conv1.weight",
        )
    stem = shapes["conv1.weight"]
    if len(stem) != 4 or stem[2] != stem[3] or stem[2] not in STEM_STYLES:
        raise InconsistentCheckpointError(
            f"conv1.weight has shape {format_shape(stem) or 'scalar'}, but a ResNet stem is a 7x7 (ImageNet) or "
            "3x3 (CIFAR) convolution: out x in x 7 x 7 or out x in x 3 x 3",
            "conv1.weight",
        )
    return _recognise_stages(shapes, stages, stem[1], STEM_STYLES[stem[2]], stem[0], 0)


def _deep_stem(shapes: Mapping[str, Shape]) -> tuple[int, str, int, int]:
    """(input channels, 'deep', output channels, width) of ResNet-C/D's stem: conv1.0, conv1.3, conv1.6."""
    convs: list[Shape] = []
    for key in ("conv1.0.weight", "conv1.3.weight", "conv1.6.weight"):
        shape = shapes.get(key)
        if shape is None:
            raise IncompleteCheckpointError(f"{key} is missing: a deep stem has three 3x3 convolutions", key)
        if len(shape) != 4 or shape[2:] != (3, 3) or (convs and shape[1] != convs[-1][0]):
            raise InconsistentCheckpointError(
                f"{key} has shape {format_shape(shape) or 'scalar'}, which does not continue a deep stem of "
                "3x3 convolutions",
                key,
            )
        convs.append(shape)
    if convs[0][0] != convs[1][0]:
        raise InconsistentCheckpointError(
            "conv1.3.weight: the first two convolutions of a deep stem have the same width", "conv1.3.weight"
        )
    return convs[0][1], "deep", convs[2][0], convs[0][0]


def _recognise_stages(
    shapes: Mapping[str, Shape],
    stages: list[tuple[int, list[tuple[int, dict[str, Shape]]]]],
    in_channels: int,
    style: str,
    stem_channels: int,
    stem_width: int,
) -> Architecture:
    if not stages:
        raise IncompleteCheckpointError(
            "layer1 is missing: the checkpoint has a stem but no residual stages (layer1, layer2, ...)",
            "layer1",
        )
    channels = stem_channels
    recognised: list[tuple[RecognisedBlock, ...]] = []
    for number, blocks in stages:
        stage: list[RecognisedBlock] = []
        for index, local in blocks:
            stride = 2 if number > 1 and index == 0 else 1
            block = recognise_block(f"layer{number}.{index}", local, channels, stride)
            channels = block.out_channels
            stage.append(block)
        recognised.append(tuple(stage))
    classes = _classes(shapes, channels)
    return Architecture(in_channels, style, stem_channels, tuple(recognised), classes, stem_width)


def _stage_keys(shapes: Mapping[str, Shape]) -> list[tuple[int, list[tuple[int, dict[str, Shape]]]]]:
    """[(stage number, [(block index, {local key: shape})])], checked to count 1, 2, ... and 0, 1, ..."""
    found: dict[int, dict[int, dict[str, Shape]]] = {}
    first_key: dict[tuple[int, int], str] = {}
    for key, shape in shapes.items():
        match = _BLOCK_KEY.match(key)
        if match is None:
            continue
        stage, index = int(match.group(1)), int(match.group(2))
        found.setdefault(stage, {}).setdefault(index, {})[match.group(3)] = shape
        first_key.setdefault((stage, index), key)
    stages = []
    for expected, number in enumerate(sorted(found), start=1):
        if number != expected:
            key = first_key[(number, min(found[number]))]
            raise IncompleteCheckpointError(
                f"{key}: the checkpoint has layer{number} but no layer{expected}; the stages must count "
                "layer1, layer2, ... (the checkpoint looks truncated or cut down)",
                key,
            )
        blocks = []
        for position, index in enumerate(sorted(found[number])):
            if index != position:
                key = first_key[(number, index)]
                raise IncompleteCheckpointError(
                    f"{key}: layer{number} has block {index} but no block {position} (the checkpoint looks "
                    "truncated or cut down)",
                    key,
                )
            blocks.append((index, found[number][index]))
        stages.append((number, blocks))
    return stages


def _classes(shapes: Mapping[str, Shape], channels: int) -> int:
    fc = shapes.get("fc.weight")
    if fc is None:
        raise IncompleteCheckpointError(
            "fc.weight is missing: a ResNet ends in a classifier (fc) after its last stage (the checkpoint "
            "looks truncated or cut down)",
            "fc.weight",
        )
    if len(fc) != 2:
        raise InconsistentCheckpointError(
            f"fc.weight has shape {format_shape(fc) or 'scalar'}, but the classifier is a Linear layer: "
            "classes x features",
            "fc.weight",
        )
    if fc[1] != channels:
        raise InconsistentCheckpointError(
            f"fc.weight takes {fc[1]} features, but the last stage makes {channels} channels", "fc.weight"
        )
    return fc[0]
