"""Diagnostics, incremental re-analysis, and an analysis that never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import Analyzer, Edge, Graph, RunSettings, analyze, get_spec, preset
from resnet_studio.core.analysis import Severity, connection_problem
from resnet_studio.core.catalogue import registry

from .strategies import PRIMITIVES, random_value


def hand_wired(stride: int = 1) -> Graph:
    """input -> conv -> bn -> relu -> conv2 -> bn2 -> add(+input skip) -> relu2 -> output."""
    g = Graph()
    spec = [
        ("input", "Input", {"channels": 64, "height": 56, "width": 56}),
        ("conv1", "Conv2d", {"out_channels": 64 * stride, "stride": stride}),
        ("bn1", "BatchNorm2d", {}),
        ("relu1", "ReLU", {}),
        ("conv2", "Conv2d", {"out_channels": 64 * stride}),
        ("bn2", "BatchNorm2d", {}),
        ("add", "Add", {}),
        ("relu2", "ReLU", {}),
        ("output", "Output", {}),
    ]
    for node_id, block, params in spec:
        g.add_node(g.make_node(block, params, name=node_id, node_id=node_id))
    for a, b in [
        ("input", "conv1"),
        ("conv1", "bn1"),
        ("bn1", "relu1"),
        ("relu1", "conv2"),
        ("conv2", "bn2"),
        ("add", "relu2"),
        ("relu2", "output"),
    ]:
        g.connect(Edge(a, "out", b, "x"))
    g.connect(Edge("bn2", "out", "add", "in1"))
    g.connect(Edge("input", "out", "add", "in2"))
    return g


def test_hand_wired_skip_connection_is_valid() -> None:
    analysis = analyze(hand_wired())
    assert analysis.ok and not analysis.warnings
    assert analysis["add"].output_shape == (64, 56, 56)


def test_add_mismatch_names_both_shapes_and_suggests_a_projection_on_the_shortcut() -> None:
    analysis = analyze(hand_wired(stride=2))
    (error,) = analysis.errors
    assert error.node_id == "add" and error.port == "in2"
    assert error.message.startswith("Add: input 2 is 64x56x56 but input 1 is 128x28x28")
    assert (error.expected, error.actual) == ("128x28x28", "64x56x56")
    assert error.fix is not None and error.fix.port == "in2"
    conv = error.fix.insert[0][1]
    assert (conv["out_channels"], conv["stride"], conv["kernel_size"]) == (128, 2, 1)


def test_fix_of_add_mismatch_makes_the_network_valid() -> None:
    from resnet_studio.core.edits import apply_fix

    graph = hand_wired(stride=2)
    command = apply_fix(graph, analyze(graph).errors[0])
    command.do(graph)
    assert analyze(graph).ok
    command.undo(graph)
    assert graph == hand_wired(stride=2)


def test_errors_do_not_cascade_downstream() -> None:
    graph = preset("resnet18")
    graph.set_param("layer2.0", "shortcut", "identity")
    analysis = analyze(graph)
    assert [d.node_id for d in analysis.errors] == ["layer2.0"]
    assert analysis["layer3.0"].output_shape is None  # unknown, not wrong


def test_disconnected_and_unused_nodes_warn() -> None:
    graph = hand_wired()
    graph.add_node(graph.make_node("ReLU", name="stray", node_id="stray"))
    graph.disconnect(Edge("relu2", "out", "output", "x"))
    analysis = analyze(graph)
    warnings = {d.node_id: d.message for d in analysis.warnings}
    assert "not connected to anything" in warnings["stray"]
    assert "output is not used" in warnings["relu2"]
    assert any(d.node_id == "output" and d.is_error for d in analysis.errors)


def test_half_connected_add_is_an_error_on_its_free_port() -> None:
    graph = hand_wired()
    graph.disconnect(Edge("input", "out", "add", "in2"))
    (error,) = analyze(graph).errors
    assert (error.node_id, error.port) == ("add", "in2")
    assert "'in2' is not connected" in error.message


def test_spatial_size_reaching_zero_is_an_error() -> None:
    graph = preset("resnet18")
    analysis = analyze(graph, input_shape=(3, 8, 8))
    assert analysis.ok  # 8 -> 2 -> 1 -> 1 ... still runs
    graph.set_param("stem", "out_channels", 64)
    graph.add_node(graph.make_node("Conv2d", {"kernel_size": 3, "padding": 0}, node_id="valid_conv"))
    graph.disconnect(Edge("layer4.1", "out", "head", "x"))
    graph.connect(Edge("layer4.1", "out", "valid_conv", "x"))
    graph.connect(Edge("valid_conv", "out", "head", "x"))
    analysis = analyze(graph, input_shape=(3, 64, 64))  # layer4 gives 2x2: a 3x3 window does not fit
    (error,) = analysis.errors
    assert error.node_id == "valid_conv" and "vanishes" in error.message


def test_memory_scales_with_batch_and_dtype() -> None:
    graph = preset("resnet18")
    one = analyze(graph)
    eight_half = analyze(graph, batch_size=8, dtype="float16")
    assert eight_half.totals.training_bytes == one.totals.training_bytes * 8 // 2
    assert one["layer1.0"].output_bytes == 64 * 56 * 56 * 4


def test_incremental_reanalysis_recomputes_only_downstream() -> None:
    graph = preset("resnet50")
    analyzer = Analyzer(graph)
    analyzer.analyze()
    before = registry.rule_calls
    graph.set_param("layer4.2", "skip", False)  # last block: only it and the head change
    analysis = analyzer.analyze()
    assert analysis.recomputed == frozenset({"layer4.2"})
    assert registry.rule_calls - before <= 12  # the block's own plan steps, at most
    assert analysis.totals == analyze(graph).totals


def test_incremental_matches_full_analysis_after_shape_changes() -> None:
    graph = preset("resnet18")
    analyzer = Analyzer(graph)
    analyzer.analyze()
    graph.set_param("stem", "out_channels", 32)
    analysis = analyzer.analyze()
    # layer1.0 gains a projection and outputs 64 channels again, so nothing further down changes
    assert analysis.recomputed == {"stem", "layer1.0"}
    assert analysis.totals == analyze(graph).totals
    graph.set_param("input", "height", 160)
    analysis = analyzer.analyze()
    assert analysis["layer4.1"].output_shape == (512, 5, 7)
    assert "head" in analysis.recomputed and "output" not in analysis.recomputed  # (1000,) either way
    assert analysis.totals == analyze(graph).totals
    assert analyzer.analyze() is analysis  # nothing changed: the same result object


def test_settings_change_updates_bytes_and_input() -> None:
    graph = preset("resnet18")
    analyzer = Analyzer(graph)
    analyzer.analyze()
    analysis = analyzer.analyze(RunSettings((3, 32, 32), 4, "bfloat16"))
    reference = analyze(graph, (3, 32, 32), 4, "bfloat16")
    assert analysis.totals == reference.totals
    assert analysis["output"].output_shape == (1000,)


def test_connection_preview_explains_shape_mismatch() -> None:
    graph = hand_wired()
    graph.disconnect(Edge("input", "out", "add", "in2"))
    analysis = analyze(graph)
    assert connection_problem(graph, analysis, Edge("relu1", "out", "add", "in2")) is None
    graph.set_param("conv2", "stride", 2)
    analysis = analyze(graph)
    reason = connection_problem(graph, analysis, Edge("input", "out", "add", "in2"))
    assert reason is not None and "64x56x56" in reason
    taken = connection_problem(graph, analysis, Edge("relu2", "out", "conv1", "x"))
    assert taken is not None and "already connected to input" in taken


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_analysis_never_raises_on_any_graph_the_editor_can_hold(data: st.DataObject) -> None:
    graph = Graph()
    graph.add_node(
        graph.make_node(
            "Input",
            {
                "channels": data.draw(st.integers(1, 8)),
                "height": data.draw(st.integers(1, 24)),
                "width": data.draw(st.integers(1, 24)),
            },
        )
    )
    for _ in range(data.draw(st.integers(0, 10))):
        block = data.draw(st.sampled_from(PRIMITIVES))
        spec = get_spec(block)
        params = {p.name: random_value(data, p) for p in spec.params if data.draw(st.booleans())}
        graph.add_node(graph.make_node(block, params))
    ids = [n.id for n in graph.nodes]
    for _ in range(data.draw(st.integers(0, 14))):
        src, dst = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
        outs, ins = graph.output_ports(src), graph.input_ports(dst)
        if outs and ins:
            _try_connect(graph, Edge(src, outs[0], dst, data.draw(st.sampled_from(ins))))
    analysis = analyze(graph, batch_size=data.draw(st.integers(1, 4)))
    assert set(analysis.order) == {n.id for n in graph.nodes}
    for diagnostic in analysis.diagnostics:
        assert diagnostic.severity in (Severity.ERROR, Severity.WARNING) and diagnostic.message
    assert analysis.totals.errors == len(analysis.errors)


def _try_connect(graph: Graph, edge: Edge) -> None:
    if graph.can_connect(edge) is None:
        graph.connect(edge)
