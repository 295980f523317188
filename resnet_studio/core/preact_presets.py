"""Pre-activation ResNets (He et al. 2016): a bare convolution as stem (the first block pre-activates), stages of
PreActBlocks, and a last BatchNorm and ReLU before the head, since no block activates its own output."""

from __future__ import annotations

import itertools

from .graph import Graph
from .model import Edge, Node
from .params import ParamValue

STYLES: dict[str, tuple[int, tuple[int, ...], int]] = {
    "imagenet": (224, (64, 128, 256, 512), 1000),
    "cifar": (32, (16, 32, 64), 10),
}
"""Stem style -> input size, stage widths, classes."""


def preact_resnet(style: str, form: str, layers: tuple[int, ...]) -> Graph:
    """A pre-activation ResNet: 'imagenet' (7x7/2 conv, max-pool) or 'cifar' (3x3 conv), basic or bottleneck."""
    size, widths, classes = STYLES[style]
    graph = Graph()

    def node(name: str, kind: str, params: dict[str, ParamValue] | None = None) -> Node:
        return graph.add_node(graph.make_node(kind, params, name=name, node_id=name))

    stem = widths[0]
    nodes = [node("input", "Input", {"channels": 3, "height": size, "width": size})]
    if style == "imagenet":
        nodes.append(
            node("conv1", "Conv2d", {"out_channels": stem, "kernel_size": 7, "stride": 2, "padding": 3})
        )
        nodes.append(node("maxpool", "MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}))
    else:
        nodes.append(
            node("conv1", "Conv2d", {"out_channels": stem, "kernel_size": 3, "stride": 1, "padding": 1})
        )
    for stage, (count, width) in enumerate(zip(layers, widths), start=1):
        for i in range(count):
            stride = 2 if stage > 1 and i == 0 else 1
            nodes.append(
                node(f"layer{stage}.{i}", "PreActBlock", {"form": form, "width": width, "stride": stride})
            )
    nodes += [
        node("bn_final", "BatchNorm2d"),
        node("relu_final", "ReLU"),
        node("head", "Head", {"num_classes": classes}),
        node("output", "Output"),
    ]
    for a, b in itertools.pairwise(nodes):
        graph.connect(Edge(a.id, "out", b.id, "x"))
    return graph
