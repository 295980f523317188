"""Gradient flow through a network and its plain twin."""

from __future__ import annotations

import math

import pytest
import torch

from resnet_studio.core import analyze, preset
from resnet_studio.engine import Fault, compare_gradient_flow, gradient_flow
from resnet_studio.engine.run.memory import estimate

from .graphs import chain, small_cnn


def test_every_weight_layer_and_block_output_gets_a_gradient_norm() -> None:
    flow = gradient_flow(preset("resnet20"), batch_size=4)
    assert flow.ok and flow.loss is not None and flow.loss > 0
    assert flow.layers[0].path == "conv1" and flow.layers[0].node == "stem" and flow.layers[-1].path == "fc"
    assert len(flow.layers) == 1 + 1 + 9 * 4 + 1  # stem conv+bn, 9 blocks of conv/bn x2, fc
    assert all(math.isfinite(g.grad_norm) and g.grad_norm > 0 for g in flow.layers)
    assert {g.type for g in flow.layers} == {"Conv2d", "BatchNorm2d", "Linear"}
    assert [b.node for b in flow.blocks] == [
        "stem",
        *(f"layer{s}.{i}" for s in (1, 2, 3) for i in range(3)),
        "head",
    ]
    assert [g.depth for g in flow.layers] == list(range(len(flow.layers)))


def test_the_gradient_reaching_a_block_output_is_the_one_autograd_computes() -> None:
    from resnet_studio.engine import build
    from resnet_studio.engine.run.inputs import InputSource, make_input

    flow = gradient_flow(small_cnn(), batch_size=3, labels=[1, 2, 3])
    net = build(small_cnn(), inplace=False).train()
    x = make_input(InputSource("random", seed=0), (3, 20, 18), 3)
    outputs = {}
    for slot, value in net.iterate(x):
        outputs[net.info.nodes[slot].name] = value
        if value.requires_grad and net.info.nodes[slot].type not in ("Input", "Output"):
            value.retain_grad()
    loss = torch.nn.functional.cross_entropy(outputs["output"], torch.tensor([1, 2, 3]))
    loss.backward()
    torch.testing.assert_close(flow.loss, loss.item())
    for block in flow.blocks:
        expected = outputs[block.node].grad.norm().item()
        torch.testing.assert_close(block.grad_norm, expected, rtol=1e-5, atol=1e-7)


def test_the_plain_twin_has_no_shortcut_layers_and_different_gradients() -> None:
    comparison = compare_gradient_flow(preset("resnet18"), batch_size=2, input_shape=(3, 32, 32))
    network, plain = comparison.network, comparison.other
    assert network.ok and plain.ok and plain.label == "plain twin"
    assert any("downsample" in g.path for g in network.layers)
    assert not any("downsample" in g.path for g in plain.layers)
    assert [b.node for b in network.blocks] == [b.node for b in plain.blocks]
    assert network.layers[0].grad_norm != plain.layers[0].grad_norm


def test_random_labels_are_seeded_and_given_labels_are_checked() -> None:
    a = gradient_flow(small_cnn(), batch_size=2, seed=3)
    b = gradient_flow(small_cnn(), batch_size=2, seed=3)
    assert a.loss == b.loss and [g.grad_norm for g in a.layers] == [g.grad_norm for g in b.layers]
    bad = gradient_flow(small_cnn(), batch_size=2, labels=[0, 10])
    assert bad.error.kind == "input" and "0 to 9" in bad.error.message


def test_a_network_without_a_classifier_output_is_explained() -> None:
    flow = gradient_flow(chain([("Conv2d", {"out_channels": 4})]), batch_size=2)
    assert flow.status == "error" and "classifier output" in flow.error.message


def test_failures_are_results() -> None:
    training = estimate(analyze(small_cnn()), 4, "float32", training=True)
    capacity = int((training.fixed + 2.5 * training.per_sample) / 0.9)
    oom = gradient_flow(
        small_cnn(), batch_size=4, faults=[Fault("out_of_memory", "block", capacity=capacity)]
    )
    assert oom.error.kind == "out_of_memory" and oom.error.node == "block"
    assert oom.error.estimated_bytes == training.total and oom.error.suggested_batch == 2
    assert "Batch 2 should fit" in oom.error.message
    assert gradient_flow(small_cnn(), device="cuda:5").error.kind == "device"
    assert gradient_flow(chain([("Linear", {})])).error.kind == "build"
    assert gradient_flow(small_cnn(), cancel=lambda: True).status == "cancelled"


def test_any_two_networks_compare_on_the_same_batch_and_labels() -> None:
    comparison = compare_gradient_flow(
        preset("resnet20"), preset("resnet32"), names=("shallow", "deeper"), batch_size=2, labels=[3, 4]
    )
    shallow, deeper = comparison.network, comparison.other
    assert comparison.ok and (shallow.label, deeper.label) == ("shallow", "deeper")
    assert len(deeper.layers) - len(shallow.layers) == 6 * 4  # two more blocks per stage
    alone = gradient_flow(preset("resnet32"), batch_size=2, labels=[3, 4])
    # The comparison runs single-threaded operations: the same numbers up to the order of their sums.
    assert deeper.loss == pytest.approx(alone.loss, rel=1e-6)
    assert [g.grad_norm for g in deeper.layers] == pytest.approx(
        [g.grad_norm for g in alone.layers], rel=1e-4
    )
    assert "deeper: first-layer gradient" in comparison.describe()


def test_a_built_network_is_used_as_it_is_and_gives_the_same_numbers_twice() -> None:
    from resnet_studio.engine import build

    net = build(small_cnn(), seed=5)  # in-place ReLUs, as a default build has
    first = gradient_flow(net, batch_size=2, seed=5)
    again = gradient_flow(net, batch_size=2, seed=5)  # old gradients must not add up
    fresh = gradient_flow(small_cnn(), batch_size=2, seed=5)
    assert first.ok and [g.grad_norm for g in first.layers] == [g.grad_norm for g in again.layers]
    assert [g.grad_norm for g in first.layers] == [g.grad_norm for g in fresh.layers]
    assert len(first.blocks) == len(fresh.blocks)


def test_the_first_to_last_ratio_reads_in_words() -> None:
    from resnet_studio.results.gradients import GradientFlow, LayerGradient, ratio_text

    def flow(first: float, last: float) -> GradientFlow:
        layers = tuple(
            LayerGradient(f"l{i}", "n", "Conv2d", i, 1, 1.0, g) for i, g in enumerate((first, 5.0, last))
        )
        return GradientFlow("ok", "plain twin", "cpu", "float32", 1, 1.0, layers)

    assert flow(600.0, 1.0).first_to_last() == 600.0
    assert flow(600.0, 1.0).describe() == "plain twin: first-layer gradient 600x the last"
    assert flow(0.0, 2.0).first_to_last() == 0.0 and flow(1.0, 0.0).first_to_last() == math.inf
    assert math.isnan(flow(0.0, 0.0).first_to_last()) and ratio_text(0.01) == "1/100 of"


def test_a_comparison_reports_the_mean_progress_and_gives_the_threads_back() -> None:
    seen: list[float] = []
    threads = torch.get_num_threads()
    comparison = compare_gradient_flow(small_cnn(), batch_size=2, progress=lambda f, _: seen.append(f))
    assert comparison.ok and torch.get_num_threads() == threads
    # Each network reports 6 nodes and the backward pass; the mean reaches 1 only when both are done.
    assert len(seen) == 2 * (6 + 1) and all(0 < f <= 1 for f in seen)
    assert max(seen) == 1.0 and seen.count(1.0) == 1 and min(seen) <= 0.5 / 6
