"""ResNet families built from blocks, with torchvision's layer names (layer1.0, layer4.2, ...)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from .catalogue import Role, role_of
from .errors import UnknownPresetError
from .graph import Graph
from .layout import network_layout
from .model import Edge, Node
from .params import ParamValue
from .preact_presets import preact_resnet
from .units import macs_text, params_text


@dataclass(frozen=True)
class Preset:
    """A named network the user can start from."""

    name: str
    title: str
    blurb: str
    """What it is, in words; the figures are added from the analysis."""
    build: Callable[[], Graph]

    @cached_property
    def description(self) -> str:
        """The blurb with the network's parameters and MACs at its own input size, from the live analysis."""
        return self.described(self.build())

    def described(self, graph: Graph) -> str:
        """The description from a graph this preset has built (the app starts with one: no second build)."""
        from .analysis import analyze  # the analysis imports the catalogue; presets are read first

        totals = analyze(graph).totals
        return f"{self.blurb}; {params_text(totals.params)} params, {macs_text(totals.macs)}"


def _chain(graph: Graph, nodes: list[Node]) -> None:
    for node in nodes:
        graph.add_node(node)
    for a, b in itertools.pairwise(nodes):
        graph.connect(Edge(a.id, "out", b.id, "x"))


def _node(graph: Graph, node_id: str, block_type: str, params: dict[str, ParamValue] | None = None) -> Node:
    return graph.make_node(block_type, params, name=node_id, node_id=node_id)


BlockChoice = Callable[[int], tuple[str, dict[str, ParamValue]]]
"""A stage width -> the block type and its width parameters."""


def basic(width: int) -> tuple[str, dict[str, ParamValue]]:
    """Basic blocks that output `width` channels."""
    return "BasicBlock", {"out_channels": width}


def bottleneck(width: int) -> tuple[str, dict[str, ParamValue]]:
    """Bottleneck blocks of inner width `width` (output width x 4)."""
    return "Bottleneck", {"width": width}


IMAGENET_STEM: tuple[str, dict[str, ParamValue]] = ("Stem", {"style": "imagenet", "out_channels": 64})


def imagenet_resnet(
    block: BlockChoice,
    layers: tuple[int, ...],
    groups: int = 1,
    width_per_group: int = 64,
    num_classes: int = 1000,
    stem: tuple[str, dict[str, ParamValue]] = IMAGENET_STEM,
    first_shortcut: str = "auto",
) -> Graph:
    """torchvision's ResNet: ImageNet stem, four stages (64, 128, 256, 512 wide), classifier head.

    `stem` and `first_shortcut` (the shortcut of each stage's first block) give the variants (ResNet-D)."""
    graph = Graph()
    nodes = [
        _node(graph, "input", "Input", {"channels": 3, "height": 224, "width": 224}),
        _node(graph, "stem", stem[0], dict(stem[1])),
    ]
    for stage, (count, width) in enumerate(zip(layers, (64, 128, 256, 512)), start=1):
        for i in range(count):
            stride = 2 if stage > 1 and i == 0 else 1
            block_type, params = block(width)
            params.update(stride=stride, groups=groups, width_per_group=width_per_group)
            if i == 0 and first_shortcut != "auto":
                params["shortcut"] = first_shortcut
            nodes.append(_node(graph, f"layer{stage}.{i}", block_type, params))
    nodes.append(_node(graph, "head", "Head", {"num_classes": num_classes}))
    nodes.append(_node(graph, "output", "Output"))
    _chain(graph, nodes)
    return graph


def cifar_resnet(depth: int, num_classes: int = 10) -> Graph:
    """He et al.'s CIFAR-10 ResNets (6n+2 layers): 3x3 stem, stages of 16, 32, 64 channels, zero-pad shortcuts."""
    n = (depth - 2) // 6
    graph = Graph()
    nodes = [
        _node(graph, "input", "Input", {"channels": 3, "height": 32, "width": 32}),
        _node(graph, "stem", "Stem", {"style": "cifar", "out_channels": 16}),
    ]
    for stage, width in enumerate((16, 32, 64), start=1):
        for i in range(n):
            stride = 2 if stage > 1 and i == 0 else 1
            params: dict[str, ParamValue] = {"out_channels": width, "stride": stride, "shortcut": "zero-pad"}
            if stride == 1 and i == 0:
                params["shortcut"] = "auto"  # first block of stage 1 keeps the shape: identity
            nodes.append(_node(graph, f"layer{stage}.{i}", "BasicBlock", params))
    nodes.append(_node(graph, "head", "Head", {"num_classes": num_classes}))
    nodes.append(_node(graph, "output", "Output"))
    _chain(graph, nodes)
    return graph


def plain_twin(graph: Graph) -> Graph:
    """The same network with every skip connection switched off."""
    twin = graph.copy()
    for node in twin.nodes:
        if role_of(node.type) is Role.RESIDUAL:
            twin.set_param(node.id, "skip", False)
    return twin


def _laid_out(build: Callable[[], Graph]) -> Callable[[], Graph]:
    def make() -> Graph:
        graph = build()
        for node_id, position in network_layout(graph).positions.items():
            graph.move(node_id, position)
        return graph

    return make


_BASE: list[Preset] = [
    Preset(
        "resnet18",
        "ResNet-18",
        "2-2-2-2 basic blocks (He et al. 2015)",
        lambda: imagenet_resnet(basic, (2, 2, 2, 2)),
    ),
    Preset(
        "resnet34",
        "ResNet-34",
        "3-4-6-3 basic blocks",
        lambda: imagenet_resnet(basic, (3, 4, 6, 3)),
    ),
    Preset(
        "resnet50",
        "ResNet-50",
        "3-4-6-3 bottleneck blocks (torchvision v1.5)",
        lambda: imagenet_resnet(bottleneck, (3, 4, 6, 3)),
    ),
    Preset(
        "resnet101",
        "ResNet-101",
        "3-4-23-3 bottleneck blocks",
        lambda: imagenet_resnet(bottleneck, (3, 4, 23, 3)),
    ),
    Preset(
        "resnet152",
        "ResNet-152",
        "3-8-36-3 bottleneck blocks",
        lambda: imagenet_resnet(bottleneck, (3, 8, 36, 3)),
    ),
    Preset(
        "wide_resnet50_2",
        "Wide ResNet-50-2",
        "ResNet-50 with bottlenecks twice as wide",
        lambda: imagenet_resnet(bottleneck, (3, 4, 6, 3), width_per_group=128),
    ),
    Preset(
        "wide_resnet101_2",
        "Wide ResNet-101-2",
        "ResNet-101 with bottlenecks twice as wide",
        lambda: imagenet_resnet(bottleneck, (3, 4, 23, 3), width_per_group=128),
    ),
    Preset(
        "resnext50_32x4d",
        "ResNeXt-50 32x4d",
        "ResNet-50 with 32 groups of 4 channels",
        lambda: imagenet_resnet(bottleneck, (3, 4, 6, 3), groups=32, width_per_group=4),
    ),
    Preset(
        "resnext101_32x8d",
        "ResNeXt-101 32x8d",
        "ResNet-101 with 32 groups of 8 channels",
        lambda: imagenet_resnet(bottleneck, (3, 4, 23, 3), groups=32, width_per_group=8),
    ),
    Preset(
        "resnext101_64x4d",
        "ResNeXt-101 64x4d",
        "ResNet-101 with 64 groups of 4 channels",
        lambda: imagenet_resnet(bottleneck, (3, 4, 23, 3), groups=64, width_per_group=4),
    ),
    Preset(
        "resnet20",
        "ResNet-20 (CIFAR)",
        "CIFAR-10, 3 blocks per stage, zero-pad shortcuts",
        lambda: cifar_resnet(20),
    ),
    Preset(
        "resnet32",
        "ResNet-32 (CIFAR)",
        "CIFAR-10, 5 blocks per stage",
        lambda: cifar_resnet(32),
    ),
    Preset(
        "resnet44",
        "ResNet-44 (CIFAR)",
        "CIFAR-10, 7 blocks per stage",
        lambda: cifar_resnet(44),
    ),
    Preset(
        "resnet56",
        "ResNet-56 (CIFAR)",
        "CIFAR-10, 9 blocks per stage",
        lambda: cifar_resnet(56),
    ),
    Preset(
        "resnet110",
        "ResNet-110 (CIFAR)",
        "CIFAR-10, 18 blocks per stage",
        lambda: cifar_resnet(110),
    ),
]


_BASE += [
    Preset(
        "resnet50d",
        "ResNet-50-D",
        "ResNet-50 with a deep 3x3 stem and average-pool shortcuts (Bag of Tricks 2019; timm's resnet50d)",
        lambda: imagenet_resnet(
            bottleneck, (3, 4, 6, 3), stem=("DeepStem", {"width": 32}), first_shortcut="avg-pool"
        ),
    ),
    Preset(
        "seresnet50",
        "SE-ResNet-50",
        "ResNet-50 with squeeze-and-excitation in every block (Hu et al. 2018; timm's seresnet50)",
        lambda: imagenet_resnet(lambda width: ("SEBottleneck", {"width": width}), (3, 4, 6, 3)),
    ),
    Preset(
        "preact_resnet18",
        "PreAct ResNet-18",
        "2-2-2-2 pre-activation basic blocks (He et al. 2016, identity mappings)",
        lambda: preact_resnet("imagenet", "basic", (2, 2, 2, 2)),
    ),
    Preset(
        "preact_resnet34",
        "PreAct ResNet-34",
        "3-4-6-3 pre-activation basic blocks",
        lambda: preact_resnet("imagenet", "basic", (3, 4, 6, 3)),
    ),
    Preset(
        "preact_resnet110",
        "PreAct ResNet-110 (CIFAR)",
        "CIFAR-10, 18 pre-activation basic blocks per stage",
        lambda: preact_resnet("cifar", "basic", (18, 18, 18)),
    ),
    Preset(
        "preact_resnet164",
        "PreAct ResNet-164 (CIFAR)",
        "CIFAR-10, 18 pre-activation bottleneck blocks per stage",
        lambda: preact_resnet("cifar", "bottleneck", (18, 18, 18)),
    ),
]


def _plain(base: Preset) -> Preset:
    return Preset(
        f"{base.name}_plain",
        f"Plain {base.title.replace('ResNet', 'net', 1) if base.title.startswith('ResNet') else base.title}",
        f"{base.title} with every skip connection off (for comparing gradients and training)",
        lambda: plain_twin(base.build()),
    )


PRESETS: dict[str, Preset] = {}
for _base in _BASE:
    PRESETS[_base.name] = Preset(_base.name, _base.title, _base.blurb, _laid_out(_base.build))
for _base in _BASE:
    PRESETS[f"{_base.name}_plain"] = _plain(PRESETS[_base.name])


def preset_names() -> tuple[str, ...]:
    """Every preset name."""
    return tuple(PRESETS)


def preset(name: str, *, plain: bool = False) -> Graph:
    """A new graph of the named preset (e.g. 'resnet50'); `plain=True` switches every skip off."""
    key = name.strip().lower().replace("-", "")
    found = PRESETS.get(key) or PRESETS.get(name)
    if found is None:
        close = [n for n in PRESETS if key and (key in n or n in key)]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
        raise UnknownPresetError(f"unknown preset {name!r}{hint} (see `resnet-studio presets`)")
    graph = found.build()
    return plain_twin(graph) if plain else graph
