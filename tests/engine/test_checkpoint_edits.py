"""After edits, an opened checkpoint's weights stay with every layer whose shape is unchanged: renamed and
exploded blocks keep theirs, changed and new layers start random, and the status the inspector shows (from the
core's tensor shapes) agrees with what a run really loads; the merged weights export as one state dict."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from resnet_studio.core import analyze, preset
from resnet_studio.core.catalogue import layer_tensors
from resnet_studio.core.commands import Rename, SetParam
from resnet_studio.core.edits import collapse, explode
from resnet_studio.core.shapes import TensorInfo
from resnet_studio.engine import build, gradient_flow, run_forward, save_weights
from resnet_studio.engine.checkpoint import attach_weights, node_tensors, open_checkpoint
from resnet_studio.results.checkpoint import OpenedCheckpoint

from .reference_resnet import randomise, reference


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[torch.nn.Module, OpenedCheckpoint]:
    model = randomise(reference("resnet18", num_classes=10), seed=11)
    path = tmp_path_factory.mktemp("checkpoint") / "resnet18.pth"
    torch.save(model.state_dict(), path)
    return model, open_checkpoint(path)


def test_a_new_classifier_starts_random_and_everything_else_is_loaded(
    saved: tuple[torch.nn.Module, OpenedCheckpoint], tmp_path: Path
) -> None:
    model, opened = saved
    graph = opened.graph()
    SetParam("head", "num_classes", 5).do(graph)
    net = build(graph, seed=3)
    report = attach_weights(net, opened.weights)
    assert report.new == ("fc.weight", "fc.bias")
    reference_state = model.state_dict()
    merged = Path(save_weights(net, tmp_path / "merged.pt"))
    exported = torch.load(merged, weights_only=True)
    for key, tensor in exported.items():
        if key.startswith("fc."):
            assert tensor.shape[0] == 5
        else:
            assert torch.equal(tensor, reference_state[key]), key


def test_a_widened_block_and_what_follows_it_start_random(
    saved: tuple[torch.nn.Module, OpenedCheckpoint],
) -> None:
    _, opened = saved
    graph = opened.graph()
    SetParam("layer4.1", "out_channels", 256).do(graph)  # 512 -> 256: conv1, conv2 and the classifier change
    net = build(graph)
    report = attach_weights(net, opened.weights)
    new = set(report.new)
    assert {"layer4.1.conv1.weight", "layer4.1.downsample.0.weight", "fc.weight"} <= new
    assert not any(k.startswith(("layer1.", "layer2.", "layer3.", "layer4.0.", "conv1", "bn1")) for k in new)
    assert "fc.bias" not in new  # 10 classes still: the bias fits


def test_the_status_the_inspector_shows_agrees_with_what_a_run_loads(
    saved: tuple[torch.nn.Module, OpenedCheckpoint],
) -> None:
    _, opened = saved
    graph = opened.graph()
    SetParam("layer3.0", "out_channels", 128).do(graph)
    analysis = analyze(graph)
    net = build(graph)
    report = attach_weights(net, opened.weights)
    new_by_node: dict[str, set[str]] = {}
    for item in node_tensors(net):
        if item.key in report.new:
            new_by_node.setdefault(item.node.id, set()).add(item.local)
    for node in graph.nodes:
        status = opened.weights.status_in(node, analysis)
        if node.type in ("Input", "Output"):
            assert status is None or not status.has_tensors
            continue
        assert status is not None
        assert set(status.new) == new_by_node.get(node.id, set()), node.name
    changed = opened.weights.status_in(graph.node("layer3.0"), analysis)
    assert changed is not None and changed.state == "new"
    assert "conv1.weight is 128x128x3x3 here, 256x128x3x3 in resnet18.pth" in changed.describe()
    # layer3.1 now takes 128 channels: its conv1 changed and it needs a projection it never had.
    after = opened.weights.status_in(graph.node("layer3.1"), analysis)
    assert after is not None and after.state == "partly loaded"
    assert after.new[0] == "conv1.weight" and all(k.startswith("downsample.") for k in after.new[1:])
    stem = opened.weights.status_in(graph.node("stem"), analysis)
    assert stem is not None and stem.state == "loaded" and "resnet18.pth" in stem.describe()


def test_renamed_and_exploded_blocks_keep_their_weights(
    saved: tuple[torch.nn.Module, OpenedCheckpoint],
) -> None:
    model, opened = saved
    graph = opened.graph()
    Rename("layer2.0", "middle").do(graph)
    explode(graph, analyze(graph), "layer3.1").do(graph)
    explode(graph, analyze(graph), "stem").do(graph)
    x = torch.randn(2, 3, 32, 32)
    result = run_forward(graph, input=x, input_shape=(3, 32, 32), weights=opened.weights, capture_nodes=())
    assert result.ok, result.error
    with torch.no_grad():
        expected = model(x)
    assert torch.allclose(torch.as_tensor(result.outputs[0]), expected, rtol=1e-5, atol=1e-5)
    net = build(graph)
    assert not attach_weights(net, opened.weights).new
    assert torch.equal(net.state_dict()["middle.conv1.weight"], model.state_dict()["layer2.0.conv1.weight"])
    analysis = analyze(graph)
    exploded = [n for n in graph.nodes if n.expanded_from is not None and n.expanded_from.id == "layer3.1"]
    assert exploded and all(opened.weights.status_in(n, analysis).state in ("loaded", "") for n in exploded)  # type: ignore[union-attr]
    collapse(graph, analysis, "layer3.1").do(graph)
    assert opened.weights.status_in(graph.node("layer3.1"), analyze(graph)).state == "loaded"  # type: ignore[union-attr]


def test_gradient_flow_uses_the_attached_weights(saved: tuple[torch.nn.Module, OpenedCheckpoint]) -> None:
    _, opened = saved
    graph = opened.graph()
    a = gradient_flow(graph, input_shape=(3, 32, 32), batch_size=2, weights=opened.weights)
    b = gradient_flow(graph, input_shape=(3, 32, 32), batch_size=2)
    assert a.error is None and b.error is None
    assert a.loss != b.loss


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnext50_32x4d", "resnet20", "resnet50_plain"])
def test_the_cores_tensor_shapes_are_the_built_modules(name: str) -> None:
    graph = preset(name)
    analysis = analyze(graph)
    net = build(graph, device="meta")
    built: dict[str, dict[str, tuple[int, ...]]] = {}
    for item in node_tensors(net):
        built.setdefault(item.node.id, {})[item.local] = tuple(item.tensor.shape)
    for node in graph.nodes:
        shapes = analysis.nodes[node.id].input_shapes
        if not shapes:
            continue
        declared = layer_tensors(node.type, node.params, tuple(TensorInfo(s) for s in shapes if s))
        assert dict(declared) == built.get(node.id, {}), node.name
