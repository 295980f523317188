"""CUDA code paths: devices, event timing, max_memory_allocated, 16-bit formats, real out-of-memory handling.

Marked `cuda`; skipped (with the reason) where PyTorch sees no CUDA device.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import torch

from resnet_studio.core import analyze, preset
from resnet_studio.engine import Fault, build, compare_gradient_flow, list_devices, run_forward
from resnet_studio.engine.run import readback as readback_module
from resnet_studio.engine.run.capture import statistics
from resnet_studio.engine.run.memory import estimate, suggest_batch
from resnet_studio.engine.run.readback import Readback
from resnet_studio.engine.run.stats import exact_statistics
from resnet_studio.engine.run.timing import NodeTimer

from .compare import assert_same_run
from .graphs import chain

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (PyTorch sees none)"),
]


def test_cuda_devices_are_listed_with_name_and_memory() -> None:
    cuda = [d for d in list_devices() if d.kind == "cuda"]
    assert [d.name for d in cuda] == [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    assert cuda[0].title == torch.cuda.get_device_name(0) and cuda[0].total_memory > 2**30


def test_a_forward_pass_on_cuda_matches_the_cpu_with_event_timing_and_device_memory() -> None:
    graph = preset("resnet50")
    cpu = run_forward(graph, input_shape=(3, 64, 64), batch_size=2)
    gpu = run_forward(graph, device="cuda:0", input_shape=(3, 64, 64), batch_size=2)
    assert gpu.ok, gpu.error
    assert gpu.device == "cuda:0" and gpu.device_title == torch.cuda.get_device_name(0)
    assert all(r.time_ms is not None and r.time_ms >= 0 for r in gpu.nodes)
    assert sum(r.time_ms for r in gpu.nodes) <= gpu.total_ms * 1.5
    assert gpu.memory_measure == "CUDA max_memory_allocated"
    assert gpu.peak_memory_bytes >= 25_557_032 * 4  # the weights live on the device
    # cuDNN may use TF32 and other algorithms: close, not identical
    assert np.abs(gpu.outputs[0] - cpu.outputs[0]).max() <= 0.01 * np.abs(cpu.outputs[0]).max()
    stem_cpu, stem_gpu = cpu.node("stem").activation.stats, gpu.node("stem").activation.stats
    assert stem_gpu.mean == pytest.approx(stem_cpu.mean, rel=0.01)


def test_the_cuda_timer_measures_with_events() -> None:
    timer = NodeTimer(torch.device("cuda:0"))
    x = torch.randn(2048, 2048, device="cuda:0")
    timer.start()
    for _ in range(10):
        x = x @ x / 2048
    timer.stop(0)
    assert timer.cuda and timer.times()[0] > 0


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_16_bit_formats_run_on_cuda_with_channels_last(dtype: str) -> None:
    if dtype == "bfloat16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16")
    result = run_forward(
        preset("resnet18"),
        device="cuda:0",
        dtype=dtype,
        input_shape=(3, 64, 64),
        batch_size=4,
        channels_last=True,
    )
    assert result.ok, result.error
    assert result.dtype == dtype and np.isfinite(result.outputs[0]).all()


def test_a_real_out_of_memory_is_a_result_and_the_device_stays_usable() -> None:
    # One 1x1 convolution to 65 536 channels on 64x64 maps: 1 GiB of output per sample in float32.
    graph = chain([("Conv2d", {"out_channels": 65536, "kernel_size": 1, "padding": 0})], (3, 64, 64))
    capacity = torch.cuda.get_device_properties(0).total_memory
    batch = int(2 * capacity / 2**30) + 1
    result = run_forward(graph, device="cuda:0", batch_size=batch, capture_nodes=())
    assert result.status == "error" and result.error.kind == "out_of_memory", result.error
    memory = estimate(analyze(graph), batch, "float32")
    capture = result.error.estimated_bytes - memory.total  # the held input's concatenation, at most
    assert 0 <= capture <= batch * 3 * 64 * 64 * 4
    memory = replace(memory, capture=capture)
    assert result.error.suggested_batch == suggest_batch(memory, capacity)
    assert 1 <= result.error.suggested_batch < batch
    assert f"Batch {result.error.suggested_batch} should fit" in result.error.message
    after = run_forward(graph, device="cuda:0", batch_size=2)
    assert after.ok, after.error


def test_gradient_flow_runs_on_cuda() -> None:
    comparison = compare_gradient_flow(preset("resnet20"), device="cuda:0", batch_size=8)
    assert comparison.network.ok and comparison.plain.ok
    assert comparison.network.device == "cuda:0" and all(g.grad_norm > 0 for g in comparison.network.layers)


# --- deferred read-back: the default on CUDA ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"dtype": "bfloat16", "channels_last": True},
        {"faults": [Fault("nan", "layer2.0")]},
        {"capture_nodes": ["stem", "layer1.0.bn1", "layer3.1"]},
    ],
    ids=["float32", "bfloat16 channels last", "nan", "inner layers"],
)
def test_a_deferred_pass_on_cuda_gives_what_an_eager_one_gives(kwargs: dict[str, Any]) -> None:
    if kwargs.get("dtype") == "bfloat16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16")
    net = build(preset("resnet18"), (3, 64, 64))
    eager = run_forward(net, device="cuda:0", batch_size=4, deferred=False, **kwargs)
    deferred = run_forward(net, device="cuda:0", batch_size=4, **kwargs)  # deferred by default on CUDA
    assert_same_run(eager, deferred, exact=False, same_values=False)
    assert all(r.time_ms is not None and r.time_ms >= 0 for r in deferred.nodes)
    if "faults" in kwargs:
        assert deferred.error is not None and deferred.error.node == "layer2.0"
        assert deferred.node("layer2.0").activation.stats.nan_count >= 1


def test_a_deferred_pass_waits_for_the_gpu_once_not_at_every_node(monkeypatch: pytest.MonkeyPatch) -> None:
    net = build(preset("resnet50"), (3, 64, 64))
    x = torch.randn(2, 3, 64, 64, device="cuda:0")
    run_forward(net, device="cuda:0", input=x)  # warm-up: cuDNN, allocator, pinned memory, events
    waits: list[torch.device] = []

    def counted(device: torch.device) -> None:
        waits.append(device)
        torch.cuda.synchronize(device)

    monkeypatch.setattr(readback_module, "synchronize", counted)

    def run(**kwargs: Any) -> tuple[int, int]:
        """(explicit waits for the read-back, implicit ones such as .item() that PyTorch warns about)"""
        waits.clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")
            try:
                result = run_forward(net, device="cuda:0", input=x, **kwargs)
            finally:
                torch.cuda.set_sync_debug_mode("default")
        assert result.ok, result.error
        return len(waits), sum("synchroniz" in str(w.message) for w in caught)

    waits_deferred, implicit = run()
    # One wait for everything; no .item()/.tolist()/copy that waits on its own (a few at most, should PyTorch
    # count the explicit waits before and after the pass too).
    assert waits_deferred == 1 and implicit <= 3
    waits_eager, _ = run(deferred=False)
    assert waits_eager == len(net.info.nodes)  # eager: one per node


def test_the_readback_fetches_numbers_and_copies_with_one_wait() -> None:
    device = torch.device("cuda:0")
    readback = Readback(device)
    x = torch.arange(24.0, device=device).reshape(2, 3, 4)
    at = readback.add_numbers([x.sum(), torch.count_nonzero(x), x[0, 0].clone(), x[1, 2].double()])
    now = readback.add_copy(x[:, :2])
    later = readback.add_copy(x[1].to(torch.bfloat16), now=False)
    x.zero_()  # queued after the copy taken now: it does not see this
    readback.fetch()
    assert at == 0 and readback.numbers == [276.0, 23, 0.0, 1.0, 2.0, 3.0, 20.0, 21.0, 22.0, 23.0]
    assert np.array_equal(readback.arrays[now], np.arange(24.0).reshape(2, 3, 4)[:, :2])
    assert readback.arrays[later].dtype == np.float32 and readback.arrays[later].shape == (3, 4)


def test_large_copies_go_straight_to_host_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readback_module, "DIRECT_COPY_ELEMENTS", 10)
    readback = Readback(torch.device("cuda:0"))
    x = torch.randn(5, 7, device="cuda:0")
    index = readback.add_copy(x)
    readback.fetch()
    assert np.array_equal(readback.arrays[index], x.cpu().numpy())


@pytest.mark.parametrize("chunk", [1000, None])
def test_statistics_on_cuda_match_the_exact_ones(chunk: int | None) -> None:
    x = torch.relu(torch.randn(8, 64, 30, 30, device="cuda:0"))
    x[3, 2, 1, 0] = float("nan")
    clean = torch.relu(torch.randn(8, 64, 30, 30, device="cuda:0"))
    for tensor in (x, clean):
        stats, reference = statistics(tensor, chunk=chunk), exact_statistics(tensor.cpu())
        assert (stats.count, stats.min, stats.max, stats.zero_fraction) == (
            reference.count,
            reference.min,
            reference.max,
            reference.zero_fraction,
        )
        assert (stats.nan_count, stats.inf_count) == (reference.nan_count, reference.inf_count)
        assert stats.mean == pytest.approx(reference.mean, rel=1e-5)
        assert stats.std == pytest.approx(reference.std, rel=1e-5)


def test_timing_events_are_shared_between_idle_nodes_and_reused_across_runs() -> None:
    timer = NodeTimer(torch.device("cuda:0"), nodes=3)
    x = torch.randn(1024, 1024, device="cuda:0")
    for slot in range(3):
        timer.start(idle=slot > 0)
        for _ in range(5):
            x = x @ x / 1024
        timer.stop(slot)
    times = timer.times()
    assert sorted(times) == [0, 1, 2] and all(t > 0 for t in times.values())
    again = NodeTimer(torch.device("cuda:0"), nodes=3)
    again.start()
    again.stop(0)
    assert again.times()[0] >= 0
