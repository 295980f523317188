"""run_forward(): one forward pass on a chosen device, node by node, with capture, timing, progress and cancel.

Every failure comes back as a result with a message (never an exception): a graph with errors, a missing
device or unsupported dtype, unreadable input or weights, out of memory (with the analysis' estimate and a
batch that would fit), NaN or Inf (the first node where it appears), or a device lost mid-run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.hooks import RemovableHandle

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ..build import Network, build
from ..errors import BuildError, DeviceError, InputError, WeightsError
from .capture import Activation, CaptureOptions, capture, is_finite
from .control import Cancel, Fault, Faults, ProgressCallback
from .devices import check_dtype, device_title, resolve_device, synchronize
from .failures import classify
from .inputs import InputSource, make_input
from .memory import MemoryEstimate, PeakMemory, estimate
from .results import ErrorKind, ForwardResult, NodeRecord, RunError, Status
from .timing import NodeTimer

MAX_OUTPUT_SAMPLES = 64


def run_forward(
    network: Graph | GraphSnapshot | Network,
    *,
    device: str = "cpu",
    batch_size: int | None = None,
    dtype: str = "float32",
    channels_last: bool = False,
    input: str | Path | InputSource | Tensor = "random",
    seed: int = 0,
    input_shape: tuple[int, int, int] | None = None,
    weights: str | Path | None = None,
    capture_nodes: Sequence[str] | None = None,
    options: CaptureOptions | None = None,
    train: bool = False,
    progress: ProgressCallback | None = None,
    cancel: Cancel | None = None,
    faults: Sequence[Fault] = (),
) -> ForwardResult:
    """Run one forward pass and return per-node shapes, statistics, times and captured activations.

    `capture_nodes`: node names (or module paths inside blocks, such as 'layer1.0.conv1') whose outputs to
    capture; None captures every node but Input and Output, () none. `input`: 'random' (seeded normal),
    'sample', an image path, or a tensor (batch x C x H x W; `batch_size` then defaults to its batch). A graph
    is built from an immutable snapshot with weights seeded by `seed`; a Network is used as it is (moved to the
    device and dtype).
    """
    source = InputSource.parse(input, seed)
    batch_size = source.batch_size(batch_size, default=1)
    result = ForwardResult(
        "error", str(device), str(device), dtype, batch_size, channels_last, source.describe()
    )
    try:
        torch_device = resolve_device(device)
        result = replace(result, device=str(torch_device), device_title=device_title(torch_device))
        torch_dtype = check_dtype(torch_device, dtype)
    except DeviceError as error:
        kind: ErrorKind = (
            "dtype" if "not supported" in str(error) or "number format" in str(error) else "device"
        )
        return replace(result, error=RunError(kind, str(error)))
    if batch_size < 1:
        return replace(
            result, error=RunError("input", f"the batch size must be at least 1, not {batch_size}")
        )
    try:
        net = network if isinstance(network, Network) else build(network, input_shape, seed=seed)
    except BuildError as error:
        return replace(result, error=RunError("build", str(error), diagnostics=error.diagnostics))
    options = options or CaptureOptions()
    hooks: dict[str, _LayerHook] = {}
    handles: list[RemovableHandle] = []
    try:
        if weights is not None:
            from ..weights import load_weights

            load_weights(net, weights, strict=True)
        inputs = [
            make_input(source, net.info.nodes[i].output_shape or (), batch_size) for i in net.info.inputs
        ]
        targets = _capture_targets(net, capture_nodes, options, hooks, handles)
    except (InputError, WeightsError) as error:
        for handle in handles:
            handle.remove()
        return replace(
            result, error=RunError("weights" if isinstance(error, WeightsError) else "input", str(error))
        )
    memory = estimate(net.info.analysis, batch_size, dtype)
    result = replace(result, estimated_memory_bytes=memory.total)
    runner = _Runner(net, torch_device, targets, options, progress, cancel, Faults(faults))
    try:
        result = runner.run(result, inputs, torch_dtype, channels_last, train, memory)
    finally:
        for handle in handles:
            handle.remove()
    layers = {name: hook.activation for name, hook in hooks.items() if hook.activation is not None}
    return replace(result, layers=layers) if layers else result


def _capture_targets(
    net: Network,
    names: Sequence[str] | None,
    options: CaptureOptions,
    hooks: dict[str, _LayerHook],
    handles: list[RemovableHandle],
) -> set[int]:
    """Node slots to capture in the loop; layers inside blocks get forward hooks (added to `hooks`)."""
    if names is None:
        return {n.index for n in net.info.nodes if n.type not in ("Input", "Output")}
    slots: set[int] = set()
    layers: dict[str, torch.nn.Module] = {}
    for name in names:
        node = net.info.find(name)
        if node is not None:
            slots.add(node.index)
            continue
        layers = layers or dict(net.named_modules())
        if name and name in layers:
            hooks[name] = _LayerHook(options)
            handles.append(layers[name].register_forward_hook(hooks[name]))
        else:
            raise InputError(f"there is no node or layer named {name!r} to capture")
    return slots


class _LayerHook:
    """Captures a layer's output the moment it is made (before an in-place ReLU can overwrite it)."""

    def __init__(self, options: CaptureOptions) -> None:
        self.options = options
        self.activation: Activation | None = None

    def __call__(self, module: torch.nn.Module, args: object, output: object) -> None:
        if isinstance(output, Tensor):
            self.activation = capture(output, self.options)


class _Runner:
    """The executor loop of one run."""

    def __init__(
        self,
        net: Network,
        device: torch.device,
        targets: set[int],
        options: CaptureOptions,
        progress: ProgressCallback | None,
        cancel: Cancel | None,
        faults: Faults,
    ) -> None:
        self.net, self.device, self.targets, self.options = net, device, targets, options
        self.progress, self.cancel, self.faults = progress, cancel, faults
        self.records: list[NodeRecord] = []
        self.outputs: dict[int, Tensor] = {}

    def run(
        self,
        result: ForwardResult,
        inputs: list[Tensor],
        dtype: torch.dtype,
        channels_last: bool,
        train: bool,
        memory: MemoryEstimate,
    ) -> ForwardResult:
        info, device = self.net.info, self.device
        current = info.nodes[0].name if info.nodes else ""
        peak: PeakMemory | None = None
        timer = NodeTimer(device)
        try:
            batch = self._prepare(inputs, dtype, channels_last, train)
            peak = PeakMemory(device)
            started = time.perf_counter()
            # CUDA events and streams belong to the current device: make it the run's.
            with torch.no_grad(), torch.cuda.device(device) if device.type == "cuda" else nullcontext():
                steps = self.net.iterate(*batch)
                for position, node in enumerate(info.nodes):
                    if self.cancel is not None and self.cancel():
                        return _with_peak(replace(result, status="cancelled", nodes=self._timed(timer)), peak)
                    current = node.name
                    self.faults.before(node.name)
                    timer.start()
                    slot, value = next(steps)
                    timer.stop(slot)
                    self._record(node.index, value)
                    peak.sample()
                    if self.progress is not None:
                        self.progress((position + 1) / len(info.nodes), node.name)
            synchronize(device)
            total_ms = (time.perf_counter() - started) * 1000
        except Exception as error:  # every failure becomes a result
            failure = classify(error, current, device, memory, self.faults)
            return _with_peak(replace(result, nodes=self._timed(timer), error=failure), peak)
        records = self._timed(timer)
        outputs = tuple(self.outputs[i].numpy() for i in info.outputs)
        bad = next((r for r in records if not r.finite), None)
        problem = None
        if bad is not None:
            problem = RunError(
                "non_finite",
                f"NaN or Inf first appears in the output of {bad.name} ({bad.type}); every node before it gave "
                "finite values. Check its weights and the input scale, or use float32 if you run in 16 bits.",
                node=bad.name,
            )
        status: Status = "ok" if problem is None else "error"
        done = replace(
            result, status=status, nodes=records, outputs=outputs, total_ms=total_ms, error=problem
        )
        return _with_peak(done, peak)

    def _prepare(
        self, inputs: list[Tensor], dtype: torch.dtype, channels_last: bool, train: bool
    ) -> list[Tensor]:
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        if not _already(self.net, self.device, dtype, channels_last):
            self.net.to(device=self.device, dtype=dtype)
            self.net.to(memory_format=fmt)  # type: ignore[call-overload]
        if self.net.training != train:
            self.net.train(train)
        batch = [x.to(device=self.device, dtype=dtype).contiguous(memory_format=fmt) for x in inputs]
        synchronize(self.device)
        return batch

    def _record(self, slot: int, value: Tensor) -> None:
        node = self.net.info.nodes[slot]
        self.faults.after(node.name, value)
        activation = capture(value, self.options) if slot in self.targets else None
        finite = activation.stats.finite if activation is not None else is_finite(value)
        if slot in self.net.info.outputs:
            self.outputs[slot] = value[:MAX_OUTPUT_SAMPLES].to("cpu", torch.float32, copy=True)
        shape = tuple(value.shape[1:])
        self.records.append(
            NodeRecord(node.node_id, node.name, node.type, shape, node.output_shape, None, activation, finite)
        )

    def _timed(self, timer: NodeTimer) -> tuple[NodeRecord, ...]:
        times = timer.times()
        nodes = self.net.info.nodes
        by_id = {n.node_id: n.index for n in nodes}
        return tuple(replace(r, time_ms=times.get(by_id[r.node_id])) for r in self.records)


def _already(net: Network, device: torch.device, dtype: torch.dtype, channels_last: bool) -> bool:
    """True when the network already lives on the device, in the dtype and memory format. Moving a module moves
    all of it, so the first parameter and the first convolution weight tell (walking them all costs a millisecond
    a run on a ResNet-50)."""
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    first = next(net.parameters(), None)
    if first is None:
        return True
    if first.device != device or first.dtype != dtype:
        return False
    conv = next((p for p in net.parameters() if p.dim() == 4 and p.shape[2:] != (1, 1)), None)
    return conv is None or conv.is_contiguous(memory_format=fmt)


def _with_peak(result: ForwardResult, peak: PeakMemory | None) -> ForwardResult:
    """The result with the run's peak memory, when it got far enough to measure it."""
    if peak is None:
        return result
    return replace(result, peak_memory_bytes=peak.result(), memory_measure=peak.measure)
