"""The analysis' caches (rule memo, plans per input channels, per-node rows) never change a result: an incremental
re-analysis, after memo hits or first-time shapes, equals a cold analysis of the same network."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import Analysis, Analyzer, Edge, Graph, RunSettings, analyze, preset
from resnet_studio.core.catalogue import all_specs, clear_memo
from resnet_studio.core.catalogue.registry import evaluate, plan_of
from resnet_studio.core.commands import Command
from resnet_studio.core.params import Params
from resnet_studio.core.shapes import TensorInfo

from .fuzzing import random_edits
from .strategies import block_stacks

EDITS: dict[str, list[tuple[str, str, object]]] = {
    "resnet18": [
        ("layer2.0", "stride", 1),
        ("layer3.1", "skip", False),
        ("stem", "out_channels", 32),
        ("layer4.0", "shortcut", "zero-pad"),
        ("head", "num_classes", 10),
        ("input", "height", 97),
    ],
    "resnet152": [
        ("layer3.0", "stride", 1),
        ("layer3.17", "skip", False),
        ("layer2.0", "groups", 2),
        ("layer4.2", "width", 256),
        ("head", "dropout", 0.5),
        ("input", "width", 161),
    ],
    "seresnet50": [("layer2.0", "stride", 1), ("layer3.2", "se_reduction", 4), ("layer1.0", "norm", "none")],
    "preact_resnet18": [
        ("layer2.0", "stride", 1),
        ("layer1.1", "skip", False),
        ("layer3.0", "shortcut", "zero-pad"),
    ],
    "resnet50d": [("layer2.0", "stride", 1), ("layer4.0", "shortcut", "projection"), ("input", "height", 33)],
}


def assert_same(incremental: Analysis, cold: Analysis) -> None:
    """Every figure equal (not `recomputed`, which says what the incremental run redid)."""
    assert incremental.order == cold.order
    assert dict(incremental.nodes) == dict(cold.nodes)
    assert incremental.diagnostics == cold.diagnostics
    assert incremental.totals == cold.totals


def cold_analysis(graph: Graph, run: RunSettings | None = None) -> Analysis:
    clear_memo()
    return analyze(graph.copy(), settings=run)


def test_each_edit_and_its_undo_match_a_cold_analysis() -> None:
    for name, edits in EDITS.items():
        graph = preset(name)
        analyzer = Analyzer(graph)
        analyzer.analyze()
        for node_id, param, value in edits:
            old = graph.node(node_id).params[param]
            for state in (value, old, value):  # the second visit of a state hits the memo
                graph.set_param(node_id, param, state)  # type: ignore[arg-type]
                assert_same(analyzer.analyze(), cold_analysis(graph))
            graph.set_param(node_id, param, old)


def test_an_edit_after_the_memo_was_cleared_matches_a_cold_analysis() -> None:
    graph = preset("resnet152")
    analyzer = Analyzer(graph)
    analyzer.analyze()
    clear_memo()  # the analyzer keeps its rows; the rules and plans must run again for the new shapes
    graph.set_param("layer3.0", "stride", 1)
    assert_same(analyzer.analyze(), cold_analysis(graph))


def test_settings_changes_match_a_cold_analysis() -> None:
    graph = preset("resnet50")
    analyzer = Analyzer(graph)
    analyzer.analyze()
    for run in (
        RunSettings(batch_size=8),
        RunSettings(batch_size=8, dtype="bfloat16"),
        RunSettings((3, 64, 48), 8, "bfloat16"),
        RunSettings((3, 64, 48), 1, "float32", training=True),
        RunSettings(),
    ):
        assert_same(analyzer.analyze(run), cold_analysis(graph, run))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=block_stacks(), data=st.data())
def test_random_edits_on_random_stacks_match_a_cold_analysis(graph: Graph, data: st.DataObject) -> None:
    analyzer = Analyzer(graph)
    analyzer.analyze()
    blocks = [n for n in graph.nodes if n.type in ("BasicBlock", "Bottleneck", "Stage")]
    for _ in range(data.draw(st.integers(1, 4))):
        if not blocks:
            break
        node = data.draw(st.sampled_from(blocks))
        param, value = data.draw(
            st.sampled_from(
                [("stride", 1), ("stride", 2), ("skip", False), ("skip", True), ("shortcut", "projection")]
            )
        )
        graph.set_param(node.id, param, value)
        assert_same(analyzer.analyze(), cold_analysis(graph))


@pytest.mark.parametrize("seed", range(8))
def test_random_structural_edits_and_their_undo_match_a_cold_analysis(seed: int) -> None:
    """The analyzer keeps per-node facts (its input's source, whether its output is used) between analyses: every
    kind of edit (connect, disconnect, insert, delete, rename, explode...) and its undo must refresh them."""
    rng = random.Random(seed)
    graph = preset(rng.choice(["resnet18", "resnet20", "seresnet50"]))
    analyzer = Analyzer(graph)
    analyzer.analyze()
    done: list[Command] = []
    for command in random_edits(rng, graph, analyzer, 25):
        done.append(command)
        assert_same(analyzer.analyze(), cold_analysis(graph))
    for command in reversed(done):
        command.undo(graph)
        assert_same(analyzer.analyze(), cold_analysis(graph))
    analyzer.close()


def test_a_plan_depends_on_its_input_channels_only() -> None:
    """plan_of keeps one plan per (parameters, input channels): every plan must read nothing else."""
    for spec in all_specs():
        if spec.plan is None:
            continue
        params = spec.default_params()
        for channels in (3, 64, 256):
            clear_memo()
            kept = plan_of(spec, params, (TensorInfo((channels, 56, 56)),))
            for height, width in ((56, 56), (7, 9), (1, 1), (224, 97)):
                shape = (channels, height, width)
                assert spec.plan(params, (TensorInfo(shape),)) == kept
                assert plan_of(spec, params, (TensorInfo(shape, 5, 2),)) is kept


def test_rows_make_each_node_analysis_once_and_equal_to_a_fresh_one() -> None:
    analysis = analyze(preset("resnet18"), batch_size=4)
    first = analysis["layer2.0"]
    assert analysis["layer2.0"] is first
    assert first.output_bytes == 128 * 28 * 28 * 4 * 4
    assert set(analysis.nodes) == set(analysis.order) and len(analysis.nodes) == len(analysis.order)
    assert "layer2.0" in analysis.nodes and "nowhere" not in analysis.nodes


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "stride"]),
        st.one_of(st.integers(-3, 3), st.booleans(), st.just("x")),
        max_size=3,
    ),
    st.dictionaries(
        st.sampled_from(["a", "b", "stride"]),
        st.one_of(st.integers(-3, 3), st.booleans(), st.just("x")),
        max_size=3,
    ),
)
def test_memo_keys_are_equal_exactly_when_params_are(
    left: dict[str, object], right: dict[str, object]
) -> None:
    a, b = Params(left), Params(right)  # type: ignore[arg-type]
    assert (a.memo_key == b.memo_key) == (a == b)
    if a == b:
        assert hash(a.memo_key) == hash(b.memo_key) and hash(a) == hash(b)


def chain(*layers: tuple[str, dict[str, object]]) -> Graph:
    """Input (16x32x32) -> the layers in a row -> Output."""
    graph = Graph()
    specs = [("Input", {"channels": 16, "height": 32, "width": 32}), *layers, ("Output", {})]
    ids = []
    for i, (block, params) in enumerate(specs):
        node = graph.make_node(block, params, name=f"n{i}", node_id=f"n{i}")  # type: ignore[arg-type]
        graph.add_node(node)
        ids.append(node.id)
    for a, b in pairwise(ids):
        graph.connect(Edge(a, "out", b, "x"))
    return graph


def node_by_node(graph: Graph) -> dict[str, tuple[object, ...]]:
    """Each node's figures from its own evaluation on its input, without the analysis loop or its shortcuts."""
    outputs: dict[str, TensorInfo] = {}
    figures: dict[str, tuple[object, ...]] = {}
    for node_id in graph.topological_order():
        node = graph.node(node_id)
        incoming = [e.src for e in graph.wiring()[1][node_id].values()]
        cost = evaluate(node.type, node.params, tuple(outputs[src] for src in incoming))
        outputs[node_id] = cost.output
        figures[node_id] = (cost.output.shape, cost.output.rf, cost.params, cost.macs, cost.kept)
    return figures


def analysed(graph: Graph) -> dict[str, tuple[object, ...]]:
    nodes = analyze(graph).nodes
    return {
        node_id: (n.output_shape, n.receptive_field, n.params, n.macs, n.training_bytes // 4)
        for node_id, n in nodes.items()
    }


@pytest.mark.parametrize(
    "graph",
    [
        # Different blocks with the same (empty) parameters on the same shape, one after another.
        chain(("ReLU", {}), ("Sigmoid", {}), ("ReLU", {}), ("Sigmoid", {})),
        # The same block again and again, each on a smaller map than the last.
        chain(*[("Conv2d", {"out_channels": 16, "stride": 2})] * 4),
        # The same block on the same shape: only the receptive field grows.
        chain(*[("Conv2d", {"out_channels": 16, "kernel_size": 5, "padding": 2})] * 5),
    ],
    ids=["equal-params-other-type", "strided-run", "same-shape-run"],
)
def test_runs_of_equal_blocks_give_each_node_its_own_figures(graph: Graph) -> None:
    clear_memo()
    assert analysed(graph) == node_by_node(graph)
    assert analysed(graph) == node_by_node(graph)  # and with the memo warm


def test_a_deep_network_s_runs_of_equal_blocks_give_each_node_its_own_figures() -> None:
    graph = preset("resnet152")
    clear_memo()
    assert analysed(graph) == node_by_node(graph)
    analyzer = Analyzer(graph)
    analyzer.analyze()
    graph.set_param("layer3.0", "stride", 1)  # every block downstream meets a new shape
    assert analyzer.analyze().nodes == analyze(graph.copy()).nodes
    assert analysed(graph) == node_by_node(graph)
