"""run_forward(): inputs, capture, timing, progress, cancel, devices and dtypes; failures come back as results."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from resnet_studio.core import analyze, preset
from resnet_studio.engine import (
    CancelToken,
    CaptureOptions,
    Fault,
    InputSource,
    build,
    list_devices,
    run_forward,
)
from resnet_studio.engine.run import devices as devices_module
from resnet_studio.engine.run.inputs import IMAGENET_MEAN, IMAGENET_STD, make_input
from resnet_studio.engine.run.memory import capture_bytes, device_capacity, estimate, suggest_batch
from resnet_studio.engine.run.stats import ZERO_BUFFER_ELEMENTS

from .graphs import chain, small_cnn, two_branch


def test_every_node_is_recorded_with_its_real_and_analysed_shape_time_and_statistics() -> None:
    graph = small_cnn()
    result = run_forward(graph, batch_size=3)
    assert result.ok and result.error is None
    analysis = analyze(graph)
    assert [r.node_id for r in result.nodes] == list(analysis.order)
    for record in result.nodes:
        assert record.shape == record.expected_shape == analysis[record.node_id].output_shape
        assert record.time_ms is not None and record.time_ms >= 0
    captured = [r.name for r in result.nodes if r.activation is not None]
    assert captured == [r.name for r in result.nodes if r.type not in ("Input", "Output")]
    head = result.node("head").activation
    assert head is not None and head.shape == (3, 10) and head.values.shape == (1, 10)
    assert result.outputs[0].shape == (3, 10)
    assert np.allclose(result.outputs[0][:1], head.values)
    assert result.total_ms > 0 and result.peak_memory_bytes is not None
    assert result.memory_measure == "growth of resident memory (RSS)"
    captured = [
        analysis[i].output_shape for i in analysis.order if graph.node(i).type not in ("Input", "Output")
    ]
    extra = capture_bytes(captured, [(10,)], 0, CaptureOptions(), 3, "float32", "cpu")
    assert extra > 0 and result.estimated_memory_bytes == estimate(analysis, 3, "float32").total + extra


def test_statistics_describe_the_whole_batch_as_it_was_produced() -> None:
    graph = small_cnn()
    net = build(graph).eval()
    x = make_input(InputSource("random", seed=5), (3, 20, 18), 2)
    with torch.no_grad():
        expected = {net.info.nodes[i].name: v.clone() for i, v in net.iterate(x)}
    result = run_forward(net, batch_size=2, seed=5)
    for name in ("stem", "block", "bottleneck"):
        stats = result.node(name).activation.stats
        tensor = expected[name].double()
        assert stats.mean == pytest.approx(tensor.mean().item(), rel=1e-5)
        assert stats.max == pytest.approx(tensor.max().item())
        assert stats.zero_fraction == pytest.approx((tensor == 0).double().mean().item())


def test_inner_layers_are_captured_before_an_in_place_relu_overwrites_them() -> None:
    result = run_forward(preset("resnet20"), capture_nodes=["layer1.0.bn1", "layer1.0.relu1", "stem"])
    assert result.ok
    assert set(result.layers) == {"layer1.0.bn1", "layer1.0.relu1"}
    assert result.layers["layer1.0.bn1"].stats.min < 0  # BatchNorm output, copied before ReLU ran in place
    assert result.layers["layer1.0.relu1"].stats.min == 0
    assert [r.name for r in result.nodes if r.activation is not None] == ["stem"]


def test_capture_is_bounded_per_node() -> None:
    options = CaptureOptions(max_samples=1, max_channels=4, max_size=8)
    result = run_forward(preset("resnet18"), input_shape=(3, 64, 64), batch_size=2, options=options)
    stem = result.node("stem").activation
    assert stem.shape == (2, 64, 16, 16) and stem.values.shape == (1, 4, 8, 8) and stem.stride == 2


def test_the_same_seed_gives_the_same_run() -> None:
    a = run_forward(small_cnn(), seed=7).outputs[0]
    b = run_forward(small_cnn(), seed=7).outputs[0]
    c = run_forward(small_cnn(), seed=8).outputs[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_inputs_from_the_sample_image_and_an_image_file(tmp_path: Path) -> None:
    sample = make_input(InputSource("sample"), (3, 224, 224), 2)
    assert sample.shape == (2, 3, 224, 224) and torch.equal(sample[0], sample[1])
    assert -3 < sample.min() < sample.max() < 3  # normalised with ImageNet's mean and deviation
    picture = tmp_path / "stripes.png"
    pixels = np.zeros((40, 100, 3), dtype=np.uint8)
    pixels[:, 50:] = 255
    Image.fromarray(pixels).save(picture)
    x = make_input(InputSource.parse(str(picture)), (3, 16, 24), 1)
    assert x.shape == (1, 3, 16, 24)
    # centre crop of a black | white image: left half black, right half white, normalised per channel
    black = (0 - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    white = (1 - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    assert np.allclose(x[0, :, 8, 0].numpy(), black, atol=1e-5)
    assert np.allclose(x[0, :, 8, -1].numpy(), white, atol=1e-5)
    grey = make_input(InputSource.parse(str(picture)), (1, 8, 8), 1)
    assert grey.shape == (1, 1, 8, 8)
    result = run_forward(preset("resnet20"), input=picture)
    assert result.ok and result.input == "stripes.png"


def test_bad_inputs_come_back_as_results(tmp_path: Path) -> None:
    missing = run_forward(small_cnn(), input=tmp_path / "none.png")
    assert missing.error.kind == "input" and "none.png" in missing.error.message
    (tmp_path / "text.png").write_text("not an image")
    unreadable = run_forward(small_cnn(), input=tmp_path / "text.png")
    assert unreadable.error.kind == "input" and "Pillow" in unreadable.error.message
    four = run_forward(chain([("Conv2d", {})], (4, 8, 8)), input="sample")
    assert four.error.kind == "input" and "4" in four.error.message
    unknown = run_forward(small_cnn(), capture_nodes=["nope"])
    assert unknown.error.kind == "input" and "nope" in unknown.error.message
    assert run_forward(small_cnn(), batch_size=0).error.kind == "input"


def test_a_graph_with_errors_comes_back_with_its_diagnostics() -> None:
    result = run_forward(chain([("Linear", {})]))
    assert result.status == "error" and result.error.kind == "build"
    assert result.error.diagnostics and result.error.diagnostics[0].node_name == "fc"


def test_progress_reports_every_node_in_order_up_to_one() -> None:
    seen: list[tuple[float, str]] = []
    result = run_forward(small_cnn(), progress=lambda fraction, name: seen.append((fraction, name)))
    assert [name for _, name in seen] == [r.name for r in result.nodes]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_run_can_be_cancelled_between_layers() -> None:
    token = CancelToken()

    def progress(fraction: float, name: str) -> None:
        if name == "block":
            token.cancel()

    result = run_forward(small_cnn(), progress=progress, cancel=token)
    assert result.status == "cancelled" and result.error is None
    assert [r.name for r in result.nodes] == ["input", "stem", "block"]
    assert run_forward(small_cnn(), cancel=lambda: True).nodes == ()


def test_out_of_memory_reports_the_estimate_and_a_computed_smaller_batch() -> None:
    graph = preset("resnet18")
    analysis = analyze(graph)
    memory = estimate(analysis, 64, "float32")
    capacity = memory.fixed + memory.per_sample * 30  # room for about 30 samples by the estimate
    result = run_forward(graph, batch_size=64, faults=[Fault("out_of_memory", "layer2.0", capacity=capacity)])
    assert result.status == "error" and result.error.kind == "out_of_memory"
    # Capture adds its copies and temporaries to the estimate, and the suggestion leaves room for them.
    capture = result.error.estimated_bytes - memory.total
    assert 0 < capture < memory.total // 10
    expected = (int(capacity * 0.9) - memory.fixed - capture) // memory.per_sample
    with_capture = replace(memory, capture=capture)
    assert result.error.suggested_batch == expected == suggest_batch(with_capture, capacity)
    assert 0 < expected < 64
    assert f"Batch {expected} should fit" in result.error.message
    assert "layer2.0" in result.error.message and result.error.node == "layer2.0"
    assert result.error.estimated_bytes == with_capture.total and "per sample" in result.error.message
    assert [r.name for r in result.nodes] == ["input", "stem", "layer1.0", "layer1.1"]


def test_the_estimate_counts_what_capture_adds() -> None:
    shapes = [(64, 56, 56), (256, 56, 56)]
    narrow = capture_bytes(shapes, [(1000,)], 0, CaptureOptions(max_channels=8), 4, "float32", "cuda")
    wide = capture_bytes(shapes, [(1000,)], 0, CaptureOptions(max_channels=64), 4, "float32", "cuda")
    assert wide - narrow == 4 * 2 * (2 * 56 * 56 * 56)  # two nodes, one sample kept, copied twice on CUDA
    half = capture_bytes(shapes, [(1000,)], 0, CaptureOptions(), 4, "bfloat16", "cuda")
    assert half - wide == 4 * (4 * 256 * 56 * 56)  # the float32 copy of the largest output (one chunk)
    layers = capture_bytes([], [(1000,)], 2, CaptureOptions(), 4, "float32", "cuda")
    assert layers == 4 * 2 * (2 * 64 * 64 * 64 + 4 * 1000)  # unanalysed layers at the bound, and the outputs
    cpu = capture_bytes(shapes, [], 0, CaptureOptions(), 4, "float32", "cpu")
    assert cpu == 4 * (2 * 64 * 56 * 56 + ZERO_BUFFER_ELEMENTS)  # kept once, and the sign buffer


def test_out_of_memory_at_batch_one_says_what_else_to_try() -> None:
    result = run_forward(small_cnn(), faults=[Fault("out_of_memory", "block", capacity=1000)])
    assert result.error.suggested_batch is None and "smaller input size" in result.error.message


def test_the_first_node_with_nan_or_inf_is_named() -> None:
    result = run_forward(small_cnn(), faults=[Fault("nan", "block")])
    assert result.status == "error" and result.error.kind == "non_finite" and result.error.node == "block"
    assert result.node("stem").finite and not result.node("block").finite and not result.node("head").finite
    assert result.node("block").activation.stats.nan_count >= 1
    inf = run_forward(small_cnn(), capture_nodes=(), faults=[Fault("inf", "stem")])
    assert inf.error.node == "stem"


def test_a_lost_device_mid_run_keeps_what_ran() -> None:
    result = run_forward(small_cnn(), faults=[Fault("device_lost", "bottleneck")])
    assert result.error.kind == "device_lost" and result.error.node == "bottleneck"
    assert "restart" in result.error.message
    assert [r.name for r in result.nodes] == ["input", "stem", "block"]


def test_a_device_that_is_not_here_is_a_clear_error() -> None:
    names = {d.name for d in list_devices()}
    assert "cpu" in names
    result = run_forward(small_cnn(), device="cuda:7")
    assert (
        result.error.kind == "device"
        and "not available" in result.error.message
        and "cpu" in result.error.message
    )
    assert run_forward(small_cnn(), device="banana").error.kind == "device"


def test_an_unsupported_dtype_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(devices_module._SUPPORT, ("cpu", "float16"), "no half-precision convolution here")
    result = run_forward(small_cnn(), dtype="float16")
    assert result.error.kind == "dtype"
    assert "float16 is not supported on cpu" in result.error.message and "use float32" in result.error.message


@pytest.mark.parametrize("dtype", ["bfloat16", "float64"])
def test_other_number_formats_run_where_supported(dtype: str) -> None:
    if devices_module.dtype_problem(torch.device("cpu"), dtype) is not None:
        pytest.skip(f"{dtype} is not supported by this PyTorch build on the CPU")
    result = run_forward(small_cnn(), dtype=dtype)
    assert result.ok and result.dtype == dtype
    reference = run_forward(small_cnn()).outputs[0]
    assert np.allclose(result.outputs[0], reference, rtol=0.1, atol=0.1)


def test_channels_last_gives_the_same_outputs() -> None:
    plain = run_forward(preset("resnet20"), batch_size=2)
    channels_last = run_forward(preset("resnet20"), batch_size=2, channels_last=True)
    assert channels_last.ok and channels_last.channels_last
    assert np.allclose(plain.outputs[0], channels_last.outputs[0], atol=1e-4)


def test_several_inputs_and_outputs() -> None:
    result = run_forward(two_branch(), batch_size=2)
    assert result.ok and len(result.outputs) == 2 and result.outputs[0].shape == (2, 4, 9, 7)


def test_weights_are_loaded_strictly_before_the_run(tmp_path: Path) -> None:
    from resnet_studio.engine import save_weights

    net = build(small_cnn(), seed=11)
    save_weights(net, tmp_path / "w.pt")
    loaded = run_forward(small_cnn(), seed=0, weights=tmp_path / "w.pt")
    direct = run_forward(net)
    assert np.array_equal(loaded.outputs[0], direct.outputs[0])
    wrong = run_forward(preset("resnet20"), weights=tmp_path / "w.pt")
    assert wrong.error.kind == "weights" and "do not fit" in wrong.error.message


def test_a_built_network_can_be_run_again_and_in_training_mode() -> None:
    net = build(small_cnn())
    first = run_forward(net)
    trained = run_forward(net, train=True, batch_size=4)
    assert first.ok and trained.ok and net.training


def test_a_given_tensor_is_the_input_and_sets_the_batch_size() -> None:
    net = build(small_cnn())
    x = torch.randn(3, 3, 20, 18)
    result = run_forward(net, input=x)
    assert result.ok and result.batch_size == 3 and result.input == "given tensor 3x3x20x18"
    with torch.no_grad():
        assert np.allclose(result.outputs[0], net.eval()(x).numpy(), atol=1e-6)
    wrong = run_forward(net, input=torch.randn(2, 3, 8, 8))
    assert wrong.error.kind == "input" and "2x3x20x18" in wrong.error.message


def test_a_pass_bigger_than_the_free_memory_is_refused_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from resnet_studio.engine.run import failures

    graph = small_cnn()
    one, eight = run_forward(graph, batch_size=1), run_forward(graph, batch_size=8)
    assert one.estimated_memory_bytes is not None and eight.estimated_memory_bytes is not None
    per_sample = (eight.estimated_memory_bytes - one.estimated_memory_bytes) // 7
    free = one.estimated_memory_bytes + 3 * per_sample  # room for about four samples
    monkeypatch.setattr(failures, "available_memory", lambda device: free)
    started: list[str] = []
    result = run_forward(graph, batch_size=8, progress=lambda _f, node: started.append(node))
    assert result.status == "error" and result.error is not None and result.error.kind == "out_of_memory"
    assert started == [] and result.nodes == ()  # nothing ran
    assert "was not started" in result.error.message and "free on this machine" in result.error.message
    batch = result.error.suggested_batch
    assert batch is not None and 1 <= batch < 8 and f"Batch {batch} should fit" in result.error.message
    assert run_forward(graph, batch_size=batch).ok  # the advice is sound by the same estimate
    monkeypatch.setattr(failures, "available_memory", lambda device: None)
    assert run_forward(graph, batch_size=8).ok  # nothing known: never refused


def test_the_free_memory_of_the_cpu_is_known_here() -> None:
    import torch

    from resnet_studio.engine.run.memory import available_memory

    free = available_memory(torch.device("cpu"))
    assert free is not None and 0 < free <= device_capacity(torch.device("cpu"))  # type: ignore[operator]


@pytest.mark.parametrize("kind", ["nan", "inf"])
def test_without_capture_nan_or_inf_from_a_middle_block_is_reported_at_that_block(kind: str) -> None:
    net = build(preset("resnet18"), (3, 32, 32))
    result = run_forward(net, capture_nodes=(), faults=[Fault(kind, "layer2.1")])  # type: ignore[arg-type]
    assert result.error is not None and result.error.kind == "non_finite" and result.error.node == "layer2.1"
    names = [r.name for r in result.nodes]
    at = names.index("layer2.1")
    assert all(r.finite for r in result.nodes[:at]) and not result.nodes[at].finite
    assert all(r.activation is None for r in result.nodes)
