"""The built module agrees with the analysis: parameters, every node's shape, FLOPs, torchinfo, and validity."""

from __future__ import annotations

import pytest
import torch
import torchinfo
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from resnet_studio.core import Analysis, Graph, analyze, preset, preset_names
from resnet_studio.engine import BuildError, build
from resnet_studio.engine.assembly import LayerBuildError

from .graphs import block_graphs, primitive_graphs

BIG = {"resnet101", "resnet152", "wide_resnet101_2", "resnext101_32x8d", "resnext101_64x4d"}
PRESETS = [
    pytest.param(n, marks=pytest.mark.slow) if n.removesuffix("_plain") in BIG else n for n in preset_names()
]


def node_shapes(net: torch.nn.Module, *inputs: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """The shape (without batch) every node's output has in a real forward pass."""
    with torch.no_grad():
        return {net.info.nodes[slot].node_id: tuple(v.shape[1:]) for slot, v in net.iterate(*inputs)}


def conv_linear_flops(net: torch.nn.Module, *inputs: torch.Tensor) -> int:
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(*inputs)
    return int(counter.get_total_flops())


def check_parity(graph: Graph, batch: int = 2, device: str = "cpu") -> None:
    """Parameters, buffers, every node's shape and the conv + linear FLOPs of the built module match the analysis."""
    analysis = analyze(graph)
    net = build(graph, device=device).eval()
    assert sum(p.numel() for p in net.parameters()) == analysis.totals.params
    assert sum(b.numel() for b in net.buffers()) == analysis.totals.buffers
    inputs = [torch.randn(batch, *net.info.nodes[i].output_shape, device=device) for i in net.info.inputs]
    shapes = node_shapes(net, *inputs)
    assert shapes == {node_id: analysis[node_id].output_shape for node_id in analysis.order}
    # FlopCounterMode counts convolutions and matrix products only: 2 x the analysis' MACs.
    assert conv_linear_flops(net, *inputs) == 2 * analysis.totals.macs * batch


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_matches_its_analysis_at_full_size(name: str) -> None:
    # On the meta device: real shapes and FLOP counts at 224x224 without computing anything.
    check_parity(preset(name), batch=2, device="meta")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
@given(block_graphs())
def test_random_block_graphs_match_their_analysis(graph: Graph) -> None:
    assume(analyze(graph).ok)
    check_parity(graph, batch=2)


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet20", "resnext50_32x4d", "resnet18_plain"])
def test_torchinfo_totals_agree_with_the_analysis(name: str) -> None:
    graph = preset(name)
    size = (3, 32, 32) if name == "resnet20" else (3, 64, 64)
    analysis = analyze(graph, size)
    net = build(graph, size).eval()
    summary = torchinfo.summary(net, input_size=(2, *size), verbose=0)
    assert summary.total_params == analysis.totals.params
    # torchinfo also counts BatchNorm parameters and Linear biases as mult-adds; the analysis (torchvision's
    # convention) counts the weights of convolutions and linear layers only.
    macs = sum(layer.macs for layer in summary.summary_list if layer.class_name in ("Conv2d", "Linear"))
    biases = sum(
        m.bias.numel() for m in net.modules() if isinstance(m, torch.nn.Linear) and m.bias is not None
    )
    assert macs - biases * 2 == analysis.totals.macs * 2


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(primitive_graphs(blocks=True))
def test_invalid_per_analysis_exactly_when_pytorch_refuses(graph: Graph) -> None:
    """An unchecked build (shape-inferring layers) runs in PyTorch exactly when the analysis finds no error, and
    PyTorch fails at the first node the analysis flags (residual blocks whose width rounds down to 0 included)."""
    analysis = analyze(graph)
    flagged = [node_id for node_id in analysis.order if analysis[node_id].has_error]
    event("valid" if analysis.ok else f"invalid at a {analysis[flagged[0]].type}")
    check_validity_parity(graph, analysis, batch=2, train=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(primitive_graphs(max_layers=4, blocks=True), st.integers(1, 2))
def test_training_pass_invalid_exactly_when_pytorch_refuses(graph: Graph, batch: int) -> None:
    """In training BatchNorm needs more than one value per channel: the analysis with the training flag calls a
    graph invalid exactly when a training-mode forward pass fails, at the same node."""
    analysis = analyze(graph, batch_size=batch, training=True)
    event(f"batch {batch}: " + ("valid" if analysis.ok else "invalid"))
    check_validity_parity(graph, analysis, batch=batch, train=True)


def test_resnet18_at_32x32_cannot_train_at_batch_1_and_the_engine_says_so_up_front() -> None:
    from resnet_studio.engine import run_forward
    from resnet_studio.engine.gradflow import gradient_flow

    assert not analyze(preset("resnet18"), (3, 32, 32), 1, training=True).ok
    assert analyze(preset("resnet18"), (3, 32, 32), 2, training=True).ok
    flow = gradient_flow(preset("resnet18"), batch_size=1, input_shape=(3, 32, 32))
    run = run_forward(preset("resnet18"), batch_size=1, input_shape=(3, 32, 32), train=True)
    for result in (flow, run):
        assert result.status == "error" and result.error is not None
        assert "more than one value per channel" in result.error.message


def test_a_block_whose_width_rounds_down_to_zero_is_an_error() -> None:
    from .graphs import chain

    for block, params in (
        ("Bottleneck", {"width": 1, "width_per_group": 32}),
        ("BasicBlock", {"out_channels": 2, "width_per_group": 16, "groups": 2}),
        ("Stage", {"block": "bottleneck", "width": 2, "width_per_group": 16, "groups": 3}),
    ):
        graph = chain([(block, params)], (4, 8, 8))
        analysis = analyze(graph)
        assert not analysis.ok, block
        assert "0 output channels" in str(analysis.errors[0])
        with pytest.raises(BuildError):
            build(graph)
        check_validity_parity(graph, analysis, batch=2, train=False)


def check_validity_parity(graph: Graph, analysis: Analysis, *, batch: int, train: bool) -> None:
    """The unchecked build runs exactly when `analysis` is free of errors, else fails at its first flagged node."""
    failed_at = None
    try:
        net = build(graph, check=False).train(train)
        x = torch.randn(batch, *analysis[net.info.nodes[net.info.inputs[0]].node_id].output_shape)
        with torch.no_grad():
            for _slot, _value in _guarded(net, x):
                failed_at = None
    except _NodeFailed as failure:
        failed_at = failure.node_id
    except LayerBuildError as failure:  # PyTorch refused to create the layer
        failed_at = failure.node_id
    flagged = [node_id for node_id in analysis.order if analysis[node_id].has_error]
    if analysis.ok:
        assert failed_at is None, f"PyTorch failed at {failed_at} but the analysis found no error"
    else:
        assert failed_at is not None, f"PyTorch ran a graph the analysis rejects: {analysis.errors}"
        assert failed_at == flagged[0]


class _NodeFailed(Exception):
    def __init__(self, node_id: str) -> None:
        super().__init__(node_id)
        self.node_id = node_id


def _guarded(net: torch.nn.Module, x: torch.Tensor):  # type: ignore[no-untyped-def]
    steps = net.iterate(x)
    for node in net.info.nodes:
        try:
            yield next(steps)
        except (RuntimeError, ValueError, IndexError) as error:
            raise _NodeFailed(node.node_id) from error


def test_unchecked_build_is_refused_for_a_composite_with_unknown_input() -> None:
    from .graphs import chain

    graph = chain([("Flatten", {}), ("Conv2d", {}), ("BasicBlock", {})])
    with pytest.raises(BuildError, match="input shape is unknown"):
        build(graph, check=False)
