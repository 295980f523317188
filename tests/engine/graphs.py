"""Small graphs and hypothesis strategies for the engine tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import strategies as st

from resnet_studio.core import Edge, Graph
from resnet_studio.core.params import ParamValue

Layer = tuple[str, dict[str, ParamValue]] | tuple[str, str, dict[str, ParamValue]]


def chain(layers: Sequence[Layer], input_shape: tuple[int, int, int] = (3, 16, 16)) -> Graph:
    """Input -> layers... -> Output; a layer is (type, params) or (name, type, params)."""
    graph = Graph()
    c, h, w = input_shape
    nodes = [graph.add_node(graph.make_node("Input", {"channels": c, "height": h, "width": w}, name="input"))]
    for layer in layers:
        name, block, params = layer if len(layer) == 3 else (None, *layer)  # type: ignore[misc]
        nodes.append(graph.add_node(graph.make_node(block, params, name=name)))
    nodes.append(graph.add_node(graph.make_node("Output", name="output")))
    for a, b in itertools.pairwise(nodes):
        graph.connect(Edge(a.id, "out", b.id, "x"))
    return graph


def small_cnn() -> Graph:
    """A tiny classifier: stem, one basic block, one bottleneck, head (10 classes) on 3x20x18 images."""
    return chain(
        [
            ("Stem", {"style": "cifar", "out_channels": 8}),
            ("BasicBlock", {"out_channels": 16, "stride": 2}),
            ("Bottleneck", {"width": 4, "stride": 2, "shortcut": "zero-pad"}),
            ("Head", {"num_classes": 10}),
        ],
        (3, 20, 18),
    )


def two_branch() -> Graph:
    """Two inputs, a shared convolution feeding a ReLU and a three-way Add, and two outputs."""
    graph = Graph()
    a = graph.add_node(graph.make_node("Input", {"channels": 4, "height": 9, "width": 7}, name="image"))
    b = graph.add_node(graph.make_node("Input", {"channels": 4, "height": 9, "width": 7}, name="mask"))
    conv = graph.add_node(graph.make_node("Conv2d", {"out_channels": 4, "bias": True}, name="conv"))
    relu = graph.add_node(graph.make_node("ReLU", name="relu"))
    add = graph.add_node(graph.make_node("Add", {"inputs": 3}, name="sum"))
    out1 = graph.add_node(graph.make_node("Output", name="features"))
    out2 = graph.add_node(graph.make_node("Output", name="activated"))
    graph.connect(Edge(a.id, "out", conv.id, "x"))
    graph.connect(Edge(conv.id, "out", relu.id, "x"))
    graph.connect(Edge(conv.id, "out", add.id, "in1"))
    graph.connect(Edge(b.id, "out", add.id, "in2"))
    graph.connect(Edge(relu.id, "out", add.id, "in3"))
    graph.connect(Edge(add.id, "out", out1.id, "x"))
    graph.connect(Edge(relu.id, "out", out2.id, "x"))
    return graph


# --- hypothesis -----------------------------------------------------------------------------------------------


@st.composite
def residual_params(draw: st.DrawFn, block: str) -> dict[str, ParamValue]:
    """Random options of a residual block (every option of the catalogue), small enough to run quickly."""
    params: dict[str, ParamValue] = {
        "stride": draw(st.sampled_from([1, 2, 3])),
        "groups": draw(st.sampled_from([1, 2])),
        "width_per_group": draw(st.sampled_from([64, 32, 128])),
        "shortcut": draw(st.sampled_from(["auto", "identity", "projection", "zero-pad"])),
        "skip": draw(st.booleans()),
        "norm": draw(st.sampled_from(["batchnorm", "none"])),
    }
    if block == "BasicBlock":
        params["out_channels"] = draw(st.sampled_from([4, 6, 8]))
    else:
        params["width"] = draw(st.sampled_from([2, 4]))
        params["expansion"] = draw(st.sampled_from([1, 2, 4]))
        params["stride_on"] = draw(st.sampled_from(["3x3", "1x1"]))
    if block == "Stage":
        params["block"] = draw(st.sampled_from(["basic", "bottleneck"]))
        params["blocks"] = draw(st.integers(1, 3))
    return params


@st.composite
def primitive_params(draw: st.DrawFn, block: str) -> dict[str, ParamValue]:
    """Random parameters of a primitive layer, including values that cannot run on some inputs."""
    if block == "Conv2d":
        return {
            "out_channels": draw(st.integers(1, 8)),
            "kernel_size": draw(st.integers(1, 5)),
            "stride": draw(st.integers(1, 3)),
            "padding": draw(st.integers(0, 3)),
            "dilation": draw(st.integers(1, 2)),
            "groups": draw(st.sampled_from([1, 1, 2, 3])),
            "bias": draw(st.booleans()),
        }
    if block in ("MaxPool2d", "AvgPool2d"):
        params: dict[str, ParamValue] = {
            "kernel_size": draw(st.integers(1, 4)),
            "stride": draw(st.integers(1, 3)),
            "padding": draw(st.integers(0, 2)),
            "ceil_mode": draw(st.booleans()),
        }
        if block == "AvgPool2d":
            params["count_include_pad"] = draw(st.booleans())
        return params
    if block == "Linear":
        return {"out_features": draw(st.integers(1, 6)), "bias": draw(st.booleans())}
    if block == "Dropout":
        return {"p": draw(st.sampled_from([0.0, 0.5]))}
    if block == "ZeroPadShortcut":
        return {"out_channels": draw(st.integers(1, 10)), "stride": draw(st.integers(1, 3))}
    if block == "BatchNorm2d":
        return {"eps": draw(st.sampled_from([1e-5, 1e-3]))}
    return {}


PRIMITIVE_LAYERS = [
    "Conv2d",
    "BatchNorm2d",
    "ReLU",
    "MaxPool2d",
    "AvgPool2d",
    "GlobalAvgPool",
    "Flatten",
    "Linear",
    "Dropout",
    "ZeroPadShortcut",
    "Add",
]


@st.composite
def narrow_residual_params(draw: st.DrawFn, block: str) -> dict[str, ParamValue]:
    """Residual options down to the narrowest, where width x width per group / 64 may round down to 0 channels."""
    params = draw(residual_params(block))
    params["groups"] = draw(st.sampled_from([1, 2, 3]))
    params["width_per_group"] = draw(st.sampled_from([1, 16, 32, 63, 64, 96]))
    if block == "BasicBlock":
        params["out_channels"] = draw(st.integers(1, 6))
    else:
        params["width"] = draw(st.integers(1, 4))
    return params


@st.composite
def primitive_graphs(draw: st.DrawFn, max_layers: int = 6, blocks: bool = False) -> Graph:
    """Random DAGs of primitive layers (valid or not): each layer reads earlier nodes; Add reads 2 or 3.

    `blocks`: sometimes start with a residual block (whose input shape is then always known), with widths that
    may come to zero channels.
    """
    graph = Graph()
    shape = {
        "channels": draw(st.integers(1, 6)),
        "height": draw(st.integers(1, 13)),
        "width": draw(st.integers(1, 13)),
    }
    nodes = [graph.add_node(graph.make_node("Input", shape, name="input"))]
    if blocks and draw(st.booleans()):
        block = draw(st.sampled_from(["BasicBlock", "Bottleneck", "Stage"]))
        node = graph.add_node(graph.make_node(block, draw(narrow_residual_params(block))))
        graph.connect(Edge(nodes[0].id, "out", node.id, "x"))
        nodes.append(node)
    for _ in range(draw(st.integers(1, max_layers))):
        block = draw(st.sampled_from(PRIMITIVE_LAYERS))
        params = draw(primitive_params(block))
        if block == "Add":
            params = {"inputs": draw(st.integers(2, 3))}
        node = graph.add_node(graph.make_node(block, params))
        ports = graph.input_ports(node.id)
        for i, port in enumerate(ports):
            # Mostly the newest node (a chain), sometimes an older one (a branch or skip).
            source = nodes[-1] if i == 0 and draw(st.booleans()) else draw(st.sampled_from(nodes))
            graph.connect(Edge(source.id, "out", node.id, port))
        nodes.append(node)
    output = graph.add_node(graph.make_node("Output", name="output"))
    graph.connect(Edge(nodes[-1].id, "out", output.id, "x"))
    return graph


@st.composite
def block_graphs(draw: st.DrawFn) -> Graph:
    """Input -> (Stem) -> residual blocks and primitive layers -> (Head) -> Output on odd, non-square inputs,
    sometimes with an Add skip around a layer."""
    graph = Graph()
    shape = {
        "channels": draw(st.sampled_from([1, 3, 4])),
        "height": draw(st.integers(9, 37)),
        "width": draw(st.integers(9, 37)),
    }
    nodes = [graph.add_node(graph.make_node("Input", shape, name="input"))]

    def add(block: str, params: dict[str, ParamValue]) -> None:
        node = graph.add_node(graph.make_node(block, params))
        graph.connect(Edge(nodes[-1].id, "out", node.id, graph.input_ports(node.id)[0]))
        nodes.append(node)

    if draw(st.booleans()):
        add(
            "Stem",
            {
                "style": draw(st.sampled_from(["cifar", "imagenet"])),
                "out_channels": draw(st.sampled_from([4, 8])),
                "norm": draw(st.sampled_from(["batchnorm", "none"])),
            },
        )
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["BasicBlock", "Bottleneck", "Stage", "Conv2d", "MaxPool2d", "skip"]))
        if kind == "skip":
            # x -> conv (same shape) -> add(conv, x): a hand-wired residual connection
            before = nodes[-1]
            add("Conv2d", {"out_channels": draw(st.sampled_from([4, 8])), "kernel_size": 3, "padding": 1})
            skip = graph.add_node(graph.make_node("Add"))
            graph.connect(Edge(nodes[-1].id, "out", skip.id, "in1"))
            graph.connect(Edge(before.id, "out", skip.id, "in2"))
            nodes.append(skip)
            add("ReLU", {})
        elif kind in ("Conv2d", "MaxPool2d"):
            add(kind, draw(primitive_params(kind)))
        else:
            add(kind, draw(residual_params(kind)))
    if draw(st.booleans()):
        add("Head", {"num_classes": draw(st.integers(1, 12)), "dropout": draw(st.sampled_from([0.0, 0.2]))})
    output = graph.add_node(graph.make_node("Output", name="output"))
    graph.connect(Edge(nodes[-1].id, "out", output.id, "x"))
    return graph
