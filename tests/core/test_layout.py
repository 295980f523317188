"""The automatic layout: a ResNet stage by stage in columns that fill a 16:9 area, and a wrapped flow otherwise."""

from __future__ import annotations

import itertools

import pytest

from resnet_studio.core.analysis import analyze
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.graph import Graph
from resnet_studio.core.layout import (
    CARD_HEIGHT,
    CARD_WIDTH,
    SLIDE,
    STAGE_BAND,
    Layout,
    layered_layout,
    network_layout,
)
from resnet_studio.core.model import Edge
from resnet_studio.core.presets import PRESETS, preset
from resnet_studio.core.stages import block_key, find_stages


def chain(*types: str) -> Graph:
    """Nodes of these types, one after the other."""
    graph = Graph()
    ids = [graph.add_node(graph.make_node(t)).id for t in types]
    for src, dst in itertools.pairwise(ids):
        graph.connect(Edge(src, "out", dst, "x"))
    return graph


def columns(layout: Layout) -> list[float]:
    """The distinct left edges of the cards, left to right."""
    return sorted({x for x, _ in layout.positions.values()})


def assert_no_overlap(layout: Layout) -> None:
    cards = sorted(layout.positions.items(), key=lambda item: item[1])
    for (a, (ax, ay)), (b, (bx, by)) in itertools.combinations(cards, 2):
        apart = abs(ax - bx) >= CARD_WIDTH or abs(ay - by) >= CARD_HEIGHT
        assert apart, f"{a} and {b} overlap"


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_a_resnet_gets_one_column_per_stage_with_stem_and_head_beside(name: str) -> None:
    graph = preset(name)
    layout = network_layout(graph)
    pos = {graph.node(n).name: p for n, p in layout.positions.items()}
    stages = [s.name for s in layout.plan.stages]
    assert stages == ["layer1", "layer2", "layer3", "layer4"]
    x_of = {stage: {p[0] for n, p in pos.items() if n.startswith(stage + ".")} for stage in stages}
    if name == "resnet18":
        assert all(len(xs) == 1 for xs in x_of.values())  # each stage is one column
        assert [next(iter(x_of[s])) for s in stages] == columns(layout)
    else:  # ResNet-50's six-block layer3 is split evenly over two columns; every other stage has its own
        assert [len(x_of[s]) for s in stages] == [1, 1, 2, 1]
        assert len(columns(layout)) == 5
    first, last = columns(layout)[0], columns(layout)[-1]
    assert (
        pos["input"][0] == pos["stem"][0] == first and pos["input"][1] < pos["stem"][1] < pos["layer1.0"][1]
    )
    assert (
        pos["head"][0] == pos["output"][0] == last
        and pos["layer4.2" if name != "resnet18" else "layer4.1"][1] < pos["head"][1]
    )
    # the band above each stage's first card leaves room for its label
    assert pos["layer1.0"][1] - pos["stem"][1] >= CARD_HEIGHT + STAGE_BAND
    assert min(p[1] for n, p in pos.items() if n.startswith("layer2.")) >= STAGE_BAND
    assert_no_overlap(layout)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_fits_a_slide_without_overlaps_and_flows_forward(name: str) -> None:
    graph = preset(name)
    layout = network_layout(graph)
    assert set(layout.positions) == {n.id for n in graph.nodes}
    assert 1.2 < layout.width / layout.height < 2.4, "a strip, not a slide"
    assert_no_overlap(layout)
    for edge in graph.edges:
        # data flows down a column, then on to a column further right
        assert layout.positions[edge.dst] > layout.positions[edge.src], f"{edge} goes backwards"
    assert all(node.position == layout.positions[node.id] for node in graph.nodes)  # presets come laid out


def test_resnet50_fills_a_slide_at_a_readable_scale() -> None:
    layout = network_layout(preset("resnet50"))
    scale = min(SLIDE[0] / layout.width, SLIDE[1] / layout.height)
    assert scale > 0.9  # the old single column was 674 wide and 6686 tall: a scale of 0.13 on a slide


def test_an_exploded_network_keeps_each_block_in_one_column() -> None:
    graph = expand_all(preset("resnet50"))
    layout = network_layout(graph)
    assert 1.2 < layout.width / layout.height < 2.4
    assert_no_overlap(layout)
    by_block: dict[str, list[float]] = {}
    for node in graph.nodes:
        by_block.setdefault(block_key(node.name), []).append(layout.positions[node.id][0])
    # within a column a block spans its main path and the shortcut beside it, never two columns
    split = [key for key, xs in by_block.items() if max(xs) - min(xs) > CARD_WIDTH + 40.0]
    assert not split, f"blocks split over columns: {split}"
    ds = {graph.node(n).name: p for n, p in layout.positions.items()}
    assert (
        ds["layer2.0.downsample.0"][0] == ds["layer2.0.conv1"][0] + CARD_WIDTH + 40.0
    )  # the shortcut beside


def test_a_short_chain_stays_one_column_and_a_long_one_wraps() -> None:
    short = network_layout(chain("Input", "Conv2d", "ReLU", "Output"))
    assert len(columns(short)) == 1
    long_chain = chain("Input", *["ReLU"] * 40, "Output")
    layout = network_layout(long_chain)
    assert len(columns(layout)) > 2 and 1.2 < layout.width / layout.height < 2.4
    assert_no_overlap(layout)
    assert not layout.plan.stages  # no names, no shapes: a wrapped flow without labels


def test_a_network_without_names_is_cut_where_its_maps_shrink() -> None:
    graph = chain(
        "Input", "Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "Conv2d", "ReLU",
        "GlobalAvgPool", "Flatten", "Linear", "Output",
    )  # fmt: skip
    pool = next(n for n in graph.nodes if n.type == "MaxPool2d")
    analysis = analyze(graph, (3, 32, 32))
    shapes = {n: r.output_shape for n, r in analysis.nodes.items()}
    plan = find_stages(graph, shapes)
    assert [s.name for s in plan.stages] == ["stage 1", "stage 2"]
    assert plan.stages[1].first == pool.id and plan.stages[0].first == graph.nodes[0].id
    assert [graph.node(n).type for n in plan.tail] == ["GlobalAvgPool", "Flatten", "Linear", "Output"]
    assert (
        plan.stages[1].caption(analysis.nodes[plan.stages[1].last].output_shape) == "5 layers, 64 ch, 16x16"
    )
    assert (
        plan.stages[0].label(analysis.nodes[plan.stages[0].last].output_shape).startswith("stage 1: 5 layers")
    )
    layout = network_layout(graph, shapes)
    assert layout.positions[pool.id] == (columns(layout)[1], STAGE_BAND)  # stage 2 opens the second column


def test_stage_captions_come_from_the_analysis() -> None:
    graph = preset("resnet50")
    analysis = analyze(graph)
    plan = find_stages(graph)
    labels = [s.label(analysis.nodes[s.last].output_shape) for s in plan.stages]
    assert labels == [
        "layer1: 3 blocks, 256 ch, 56x56",
        "layer2: 4 blocks, 512 ch, 28x28",
        "layer3: 6 blocks, 1024 ch, 14x14",
        "layer4: 3 blocks, 2048 ch, 7x7",
    ]
    assert plan.stages[0].caption(None) == "3 blocks, ? ch"
    exploded = expand_all(graph)
    assert [s.blocks for s in find_stages(exploded).stages] == [3, 4, 6, 3]


def test_names_that_come_back_later_are_not_stages() -> None:
    graph = chain("Input", "ReLU", "ReLU", "ReLU", "Output")
    relus = [n for n in graph.nodes if n.type == "ReLU"]
    for node, name in zip(relus, ["layer1.0", "layer2.0", "layer1.1"]):
        graph.rename(node.id, name)
    assert find_stages(graph).stages == ()


def test_block_keys_follow_torchvision_names() -> None:
    assert block_key("layer2.1.conv1") == "layer2.1" == block_key("layer2.1")
    assert block_key("layer2.0.downsample.0") == "layer2.0"
    assert block_key("stem.conv1") == "stem" and block_key("layer3") == "layer3"


def test_layered_layout_still_puts_branches_side_by_side() -> None:
    graph = chain("Input", "ReLU", "Output")
    positions = layered_layout(graph, (100.0, 50.0))
    assert sorted(positions.values())[0] == (100.0, 50.0)
    assert len({x for x, _ in positions.values()}) == 1
