"""Hypothesis strategies: random residual block stacks and random edit sequences."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from resnet_studio.core import Edge, Graph
from resnet_studio.core.params import ParamValue


@st.composite
def block_params(draw: st.DrawFn, block: str) -> dict[str, ParamValue]:
    """Parameters of a residual block, small enough to analyse and build quickly."""
    params: dict[str, ParamValue] = {
        "stride": draw(st.sampled_from([1, 1, 2, 3])),
        "groups": draw(st.sampled_from([1, 1, 2, 4])),
        "width_per_group": draw(st.sampled_from([64, 64, 32, 128])),
        "shortcut": draw(st.sampled_from(["auto", "auto", "identity", "projection", "zero-pad"])),
        "skip": draw(st.booleans()),
    }
    if block == "BasicBlock":
        params["out_channels"] = draw(st.sampled_from([4, 8, 12, 16]))
    else:
        params["width"] = draw(st.sampled_from([2, 4, 8]))
        params["expansion"] = draw(st.sampled_from([1, 2, 4]))
        params["stride_on"] = draw(st.sampled_from(["3x3", "1x1"]))
    if block == "Stage":
        params["block"] = draw(st.sampled_from(["basic", "bottleneck"]))
        params["blocks"] = draw(st.integers(1, 3))
        params["width"] = draw(st.sampled_from([4, 8]))
        params.pop("out_channels", None)
    return params


@st.composite
def block_stacks(draw: st.DrawFn) -> Graph:
    """Input -> (Stem) -> 1..4 residual blocks -> (Head) -> Output, with odd and non-square inputs."""
    graph = Graph()
    channels = draw(st.sampled_from([3, 4, 8]))
    height, width = draw(st.integers(5, 40)), draw(st.integers(5, 40))
    nodes = [graph.make_node("Input", {"channels": channels, "height": height, "width": width}, name="input")]
    if draw(st.booleans()):
        style = draw(st.sampled_from(["cifar", "imagenet"]))
        nodes.append(graph.make_node("Stem", {"style": style, "out_channels": draw(st.sampled_from([4, 8]))}))
    for _ in range(draw(st.integers(1, 4))):
        block = draw(st.sampled_from(["BasicBlock", "Bottleneck", "Stage"]))
        node = graph.make_node(block, draw(block_params(block)))
        graph.add_node(node)  # reserve the name so the next make_node picks another
        nodes.append(node)
    if draw(st.booleans()):
        nodes.append(graph.make_node("Head", {"num_classes": draw(st.integers(1, 20))}))
    nodes.append(graph.make_node("Output", name="output"))
    for node in nodes:
        if node.id not in graph:
            graph.add_node(node)
    for a, b in itertools.pairwise(nodes):
        graph.connect(Edge(a.id, "out", b.id, "x"))
    return graph


PRIMITIVES = [
    "Conv2d",
    "BatchNorm2d",
    "ReLU",
    "MaxPool2d",
    "AvgPool2d",
    "GlobalAvgPool",
    "Flatten",
    "Linear",
    "Dropout",
    "Add",
    "ZeroPadShortcut",
    "Output",
    "BasicBlock",
    "Bottleneck",
    "Stem",
    "Head",
    "Stage",
]


def random_value(data: st.DataObject, spec_param: object) -> ParamValue:
    """A valid random value for a parameter declaration (small numbers, to keep analysis cheap)."""
    from resnet_studio.core.params import ParamSpec

    assert isinstance(spec_param, ParamSpec)
    if spec_param.kind == "bool":
        return data.draw(st.booleans())
    if spec_param.kind == "choice":
        return data.draw(st.sampled_from(spec_param.choices))
    lo = int(spec_param.minimum if spec_param.minimum is not None else 0)
    hi = int(spec_param.maximum if spec_param.maximum is not None else lo + 8)
    if spec_param.kind == "float":
        return data.draw(st.floats(float(lo), min(float(hi), 0.9), allow_nan=False))
    return data.draw(st.integers(lo, min(hi, lo + 7)))
