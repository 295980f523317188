"""A recognised architecture as a graph of catalogue blocks with torchvision's names, and the preset it matches."""

from __future__ import annotations

import itertools

from ...core.analysis import Analysis, analyze
from ...core.catalogue import resolve_shortcut
from ...core.graph import Graph
from ...core.layout import network_layout
from ...core.model import Edge, Node
from ...core.params import ParamValue
from ...core.presets import PRESETS
from .infer import Architecture

INPUT_SIZE = {"imagenet": 224, "deep": 224, "cifar": 32}
"""The input height and width a stem style is made for."""


def architecture_graph(architecture: Architecture) -> Graph:
    """Input, stem, one node per residual block (layer1.0, ...), head and output, in a chain, laid out stage by
    stage as the presets are."""
    graph = Graph()
    size = INPUT_SIZE[architecture.stem_style]
    stem: tuple[str, str, dict[str, ParamValue]] = (
        ("stem", "DeepStem", {"width": architecture.stem_width, "out_channels": architecture.stem_channels})
        if architecture.stem_style == "deep"
        else ("stem", "Stem", {"style": architecture.stem_style, "out_channels": architecture.stem_channels})
    )
    specs: list[tuple[str, str, dict[str, ParamValue]]] = [
        ("input", "Input", {"channels": architecture.in_channels, "height": size, "width": size}),
        stem,
        *((block.name, block.type, dict(block.params)) for block in architecture.blocks),
        ("head", "Head", {"num_classes": architecture.num_classes}),
        ("output", "Output", {}),
    ]
    nodes = [
        graph.add_node(graph.make_node(kind, params, name=name, node_id=name)) for name, kind, params in specs
    ]
    for a, b in itertools.pairwise(nodes):
        graph.connect(Edge(a.id, "out", b.id, "x"))
    for node_id, position in network_layout(graph).positions.items():
        graph.move(node_id, position)
    return graph


def matching_preset(graph: Graph) -> str | None:
    """The preset with the same blocks (the number of classes aside), or None.

    Shortcuts are compared by what they do: a zero-pad shortcut that pads nothing and does not stride is the
    identity, as 'auto' would choose."""
    analysis = analyze(graph)
    mine = _signature(graph, analysis)
    for name, preset in PRESETS.items():
        if name.endswith("_plain"):
            continue  # a checkpoint's blocks have their skips
        candidate = preset.build()
        if len(candidate) != len(graph):
            continue
        if _signature(candidate, analyze(candidate)) == mine:
            return name
    return None


def _signature(graph: Graph, analysis: Analysis) -> tuple[object, ...]:
    return tuple(_node_signature(graph.node(node_id), analysis) for node_id in graph.topological_order())


def _node_signature(node: Node, analysis: Analysis) -> tuple[object, ...]:
    values = dict(node.params)
    values.pop("num_classes", None)
    result = analysis.nodes.get(node.id)
    if "shortcut" in values and result is not None and result.output_shape and result.input_shapes:
        in_channels, out_channels = result.input_shapes[0][0], result.output_shape[0]
        stride = int(values.get("stride", 1))
        kind = resolve_shortcut(str(values["shortcut"]), in_channels, out_channels, stride)
        if kind == "zero-pad" and stride == 1 and in_channels == out_channels:
            kind = "identity"
        values["shortcut"] = kind
    return (node.name, node.type, tuple(sorted(values.items())))
