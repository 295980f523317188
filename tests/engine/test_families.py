"""The families after ResNet run exactly as their reference code: timm-style resnet50d and seresnet50, the
pre-activation ResNets of He et al. 2016, with the same names (their state dicts load as they are), the same
parameter counts and the same outputs; stochastic depth only acts while training."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from resnet_studio.core import Graph, analyze, preset
from resnet_studio.core.commands import SetParam
from resnet_studio.core.model import Edge
from resnet_studio.engine import build
from resnet_studio.engine.assembly.blocks import build_block

from .reference_families import PreActResNet, TimmStyleResNet
from .reference_resnet import randomise

CASES = {
    "preact_resnet110": (lambda: PreActResNet(False, False, [18, 18, 18]), (3, 32, 32)),
    "preact_resnet164": (lambda: PreActResNet(False, True, [18, 18, 18]), (3, 32, 32)),
    "preact_resnet18": (lambda: PreActResNet(True, False, [2, 2, 2, 2]), (3, 64, 64)),
    "preact_resnet34": (lambda: PreActResNet(True, False, [3, 4, 6, 3]), (3, 64, 64)),
    "resnet50d": (lambda: TimmStyleResNet([3, 4, 6, 3], deep=True), (3, 64, 64)),
    "seresnet50": (lambda: TimmStyleResNet([3, 4, 6, 3], se=True), (3, 64, 64)),
}
SLOW = {"preact_resnet34", "resnet50d", "seresnet50"}


def same_as_reference(graph: Graph, model: nn.Module, shape: tuple[int, int, int]) -> None:
    randomise(model, seed=7)
    net = build(graph, shape).eval()
    net.load_state_dict(model.state_dict(), strict=True)  # the reference's names and shapes, exactly
    assert sum(p.numel() for p in net.parameters()) == sum(p.numel() for p in model.parameters())
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.allclose(net(x), model(x), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES])
def test_each_family_preset_is_its_reference(name: str) -> None:
    make, shape = CASES[name]
    same_as_reference(preset(name), make(), shape)


def test_the_new_parts_together_at_small_size() -> None:
    # One block per stage: deep stem, average-pool shortcuts and SE blocks, against the same reference code.
    deep = preset("resnet50d")
    se = preset("seresnet50")
    for graph in (deep, se):
        for node in list(graph.nodes):
            if node.name.startswith("layer") and not node.name.endswith(".0"):
                prev, nxt = graph.predecessors(node.id)[0], graph.successors(node.id)[0]
                graph.remove_node(node.id)
                graph.connect(Edge(prev, "out", nxt, "x"))
    same_as_reference(deep, TimmStyleResNet([1, 1, 1, 1], deep=True), (3, 32, 32))
    same_as_reference(se, TimmStyleResNet([1, 1, 1, 1], se=True), (3, 32, 32))


def test_drop_path_changes_no_figure_and_acts_only_while_training() -> None:
    graph = preset("resnet20")
    before = analyze(graph).totals
    for node in graph.nodes:
        if node.name.startswith("layer"):
            SetParam(node.id, "drop_path", 0.5).do(graph)
    after = analyze(graph).totals
    assert (after.params, after.macs, after.training_bytes) == (
        before.params,
        before.macs,
        before.training_bytes,
    )
    block = build_block("BasicBlock", graph.node("layer1.1").params.replace(drop_path=0.9), (16, 8, 8))
    plain = build_block("BasicBlock", graph.node("layer1.1").params.replace(drop_path=0.0), (16, 8, 8))
    plain.load_state_dict(block.state_dict())
    x = torch.randn(256, 16, 8, 8)
    with torch.no_grad():
        assert torch.equal(block.eval()(x), plain.eval()(x))  # inference: nothing is dropped
        torch.manual_seed(0)
        trained = block.train()(x)
    dropped = sum(torch.equal(trained[i], torch.relu(x[i])) for i in range(len(x)))
    assert 180 <= dropped <= 250  # about 90 % of the samples pass only their shortcut
