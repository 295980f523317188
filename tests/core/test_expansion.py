"""Expanding blocks into primitives: exactly the same analysis, torchvision's names, explode and collapse."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings

from resnet_studio.core import Analyzer, Graph, analyze, preset
from resnet_studio.core.edits import collapse, explode
from resnet_studio.core.errors import GraphError
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.layout import CARD_HEIGHT, CARD_WIDTH

from .strategies import block_stacks


def _figures(graph: Graph) -> tuple[object, ...]:
    a = analyze(graph)
    out = a["output"].output_shape if "output" in graph else None
    return (
        (a.ok, out)
        if not a.ok
        else (a.ok, out, a.totals.params, a.totals.buffers, a.totals.macs, a.totals.training_bytes)
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_stacks())
def test_expanded_primitives_analyse_exactly_like_their_blocks(graph: Graph) -> None:
    expanded = expand_all(graph)
    assert all(
        n.type not in ("BasicBlock", "Bottleneck", "Stage", "Stem", "Head") for n in expanded.nodes
    ) or not (analyze(graph).ok)
    assert _figures(expanded) == _figures(graph)


def test_expanded_resnet50_uses_torchvision_names() -> None:
    names = {n.name for n in expand_all(preset("resnet50")).nodes}
    for name in (
        "conv1",
        "bn1",
        "relu",
        "maxpool",
        "layer1.0.conv1",
        "layer1.0.downsample.0",
        "layer1.0.downsample.1",
        "layer4.2.bn3",
        "avgpool",
        "fc",
    ):
        assert name in names
    assert "layer1.1.downsample.0" not in names


def test_expanded_resnet152_has_about_500_layers_and_is_exact() -> None:
    graph = expand_all(preset("resnet152"))
    assert 480 <= len(graph) <= 560
    totals = analyze(graph).totals
    assert (totals.params, totals.macs) == (60_192_808, 11_513_626_624)


def test_explode_keeps_figures_and_undoes_exactly() -> None:
    graph = preset("resnet18")
    original = graph.copy()
    analyzer = Analyzer(graph)
    command = explode(graph, analyzer.analyze(), "layer2.0")
    command.do(graph)
    assert "layer2.0" not in graph and graph.node_by_name("layer2.0.downsample.0").type == "Conv2d"
    assert analyzer.analyze().totals.params == 11_689_512
    command.undo(graph)
    assert graph == original


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_exploded_layers_overlap_no_card_of_the_stage_layout(name: str) -> None:
    graph = preset(name)
    for block in ("layer2.0", "layer3.1", "layer1.0"):
        explode(graph, Analyzer(graph, listen=False).analyze(), block).do(graph)
        cards = [n.position for n in graph.nodes]
        for (ax, ay), (bx, by) in itertools.combinations(cards, 2):
            assert abs(ax - bx) >= CARD_WIDTH or abs(ay - by) >= CARD_HEIGHT, f"after exploding {block}"


def test_collapse_restores_the_block_and_is_refused_after_an_edit() -> None:
    graph = preset("resnet18")
    analyzer = Analyzer(graph)
    explode(graph, analyzer.analyze(), "layer1.0").do(graph)
    collapse(graph, analyzer.analyze(), "layer1.0").do(graph)
    assert graph.node("layer1.0").type == "BasicBlock"
    assert analyzer.analyze().totals.params == 11_689_512

    explode(graph, analyzer.analyze(), "layer1.1").do(graph)
    graph.set_param(graph.node_by_name("layer1.1.conv2").id, "stride", 2)
    try:
        collapse(graph, analyzer.analyze(), "layer1.1")
    except GraphError as error:
        assert "edited since they were exploded" in str(error)
    else:
        raise AssertionError("collapse of an edited block must be refused")


def test_primitives_cannot_be_exploded() -> None:
    graph = preset("resnet18")
    explode(graph, analyze(graph), "layer1.0").do(graph)
    conv = graph.node_by_name("layer1.0.conv1")
    try:
        explode(graph, analyze(graph), conv.id)
    except GraphError as error:
        assert "nothing to expand" in str(error)
    else:
        raise AssertionError("exploding a primitive must be refused")


@pytest.mark.parametrize(
    ("name", "block", "makes_room"),
    [("resnet50", "layer2.0", True), ("resnet50", "layer3.1", True), ("resnet18", "layer1.1", False)],
)
def test_exploding_and_collapsing_a_block_puts_every_card_back_where_it_was(
    name: str, block: str, makes_room: bool
) -> None:
    graph = preset(name)
    before = {n.id: n.position for n in graph.nodes}
    analyzer = Analyzer(graph)
    explode(graph, analyzer.analyze(), block).do(graph)
    moved = {n.id for n in graph.nodes if n.id in before and n.position != before[n.id]}
    assert bool(moved) == makes_room  # the last card of a column with no branch needs no room
    collapse(graph, analyzer.analyze(), block).do(graph)
    # Before the fix the cards moved aside for the layers stayed there: a column's height of empty canvas
    # below the block, and an empty column before the next stage.
    assert {n.id: n.position for n in graph.nodes} == before
