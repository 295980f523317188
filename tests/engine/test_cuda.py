"""CUDA code paths: devices, event timing, max_memory_allocated, 16-bit formats, real out-of-memory handling.

Marked `cuda`; skipped (with the reason) where PyTorch sees no CUDA device.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from resnet_studio.core import analyze, preset
from resnet_studio.engine import compare_gradient_flow, list_devices, run_forward
from resnet_studio.engine.run.memory import estimate, suggest_batch
from resnet_studio.engine.run.timing import NodeTimer

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
    assert result.error.estimated_bytes == memory.total
    assert result.error.suggested_batch == suggest_batch(memory, capacity)
    assert 1 <= result.error.suggested_batch < batch
    assert f"Batch {result.error.suggested_batch} should fit" in result.error.message
    after = run_forward(graph, device="cuda:0", batch_size=2)
    assert after.ok, after.error


def test_gradient_flow_runs_on_cuda() -> None:
    comparison = compare_gradient_flow(preset("resnet20"), device="cuda:0", batch_size=8)
    assert comparison.network.ok and comparison.plain.ok
    assert comparison.network.device == "cuda:0" and all(g.grad_norm > 0 for g in comparison.network.layers)
