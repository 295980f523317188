"""run_forward(): one forward pass on a chosen device, node by node, with capture, timing, progress and cancel.

Every failure comes back as a result with a message (never an exception): a graph with errors, a missing
device or unsupported dtype, unreadable input or weights, out of memory (with the analysis' estimate and a
batch that would fit), NaN or Inf (the first node where it appears), or a device lost mid-run.

On a GPU the pass never waits for the device between nodes: statistics, kept copies, finite flags and timing
events are queued as the nodes run and read back together at the end (see recorder.py). Progress reports a node
when it has been queued, and cancelling stops before the next node is queued.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.hooks import RemovableHandle

from ...core.catalogue import Role, role_of
from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...results.run import ForwardResult, RunError, Status
from ...results.run_request import RunRequest
from ..assembly import Network
from ..errors import BuildError, DeviceError, InputError, WeightsError
from .capture import CaptureOptions
from .control import Cancel, Fault, Faults, ProgressCallback
from .devices import check_dtype, device_title, resolve_device, synchronize
from .failures import classify, refuse_if_too_big
from .inputs import InputSource
from .memory import MemoryEstimate, PeakMemory
from .plan import LayerHook, capture_targets, overwritten_slots, run_memory
from .prepare import Weights, first_inputs, prepared_network, run_error
from .recorder import PassRecorder, Recorded
from .timing import NodeTimer


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
    weights: Weights | None = None,
    capture_nodes: Sequence[str] | None = None,
    options: CaptureOptions | None = None,
    train: bool = False,
    progress: ProgressCallback | None = None,
    cancel: Cancel | None = None,
    faults: Sequence[Fault] = (),
    deferred: bool | None = None,
) -> ForwardResult:
    """Run one forward pass and return per-node shapes, statistics, times and captured activations.

    `capture_nodes`: node names (or module paths inside blocks, such as 'layer1.0.conv1') whose outputs to
    capture; None captures every node but Input and Output, () none. `input`: 'random' (seeded normal),
    'sample', an image path, or a tensor (batch x C x H x W; `batch_size` then defaults to its batch). A graph
    is built from an immutable snapshot with weights seeded by `seed`; a Network is used as it is (moved to the
    device and dtype). `deferred`: read statistics, copies and times back once at the end of the pass (True) or
    after every node (False, where a device fault is then seen at its node); by default deferred on CUDA outside
    training. A deferred pass that meets NaN or Inf repeats eagerly to give its figures exactly; training passes
    are never repeated (BatchNorm would count the batch twice), so they always read back eagerly.
    """
    source = InputSource.parse(input, seed)
    batch_size = source.batch_size(batch_size, default=1)

    def failed(name: str, title: str, error: RunError) -> ForwardResult:
        return ForwardResult(
            "error", name, title, dtype, batch_size, channels_last, source.describe(), error=error
        )

    try:
        torch_device = resolve_device(device)
    except DeviceError as error:
        return failed(str(device), str(device), run_error(error))
    name, title = str(torch_device), device_title(torch_device)
    try:
        torch_dtype = check_dtype(torch_device, dtype)
    except DeviceError as error:
        return failed(name, title, run_error(error))
    result = ForwardResult("error", name, title, dtype, batch_size, channels_last, source.describe())
    try:
        net = prepared_network(
            network, input_shape=input_shape, seed=seed, batch_size=batch_size, train=train, weights=weights
        )
        inputs = first_inputs(source, net, batch_size)
    except (BuildError, InputError, WeightsError) as error:
        return replace(result, error=run_error(error))
    options = options or CaptureOptions()
    hooks: list[LayerHook] = []
    handles: list[RemovableHandle] = []
    try:
        targets = capture_targets(net, capture_nodes, hooks, handles)
    except InputError as error:
        for handle in handles:
            handle.remove()
        return replace(result, error=run_error(error))
    deferred = (torch_device.type == "cuda" if deferred is None else deferred) and not train
    memory = run_memory(net, targets, len(hooks), options, batch_size, dtype, torch_device, deferred)
    too_big = refuse_if_too_big(memory, torch_device)
    if too_big is not None:
        for handle in handles:
            handle.remove()
        return replace(result, error=too_big, estimated_memory_bytes=memory.total)
    runner = _Runner(net, torch_device, targets, options, hooks, cancel, Faults(faults))
    try:
        return runner.run(result, inputs, torch_dtype, channels_last, train, memory, progress, deferred)
    finally:
        for handle in handles:
            handle.remove()


def run_request(
    request: RunRequest,
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel | None = None,
) -> ForwardResult:
    """Run a request as the app makes it: every node but the outputs captured (first sample), the request kept
    with the result. Its derived views (histograms, previews) are computed here, so a worker thread does that
    work and not the one showing the result."""
    settings, options = request.settings, request.options
    names = [n.name for n in request.snapshot.nodes if role_of(n.type) is not Role.OUTPUT]
    result = run_forward(
        request.snapshot,
        device=options.device,
        batch_size=settings.batch_size,
        dtype=settings.dtype,
        input=options.input.engine_value(),
        seed=options.input.seed,
        input_shape=settings.input_shape,
        weights=options.trained.weights
        if options.trained is not None
        else options.weights or request.weights,
        capture_nodes=names,
        options=CaptureOptions(max_samples=1, max_channels=request.max_channels, max_size=request.max_size),
        progress=progress,
        cancel=cancel,
    )
    result = replace(result, request=request)
    if result.status != "cancelled":  # a cancelled pass is not shown: its cancel should not wait for this
        result.settle()
    return result


class _Runner:
    """The executor loop of one run: prepares the network and the batch, runs the pass, repeats it eagerly when
    a deferred pass needs exact figures."""

    def __init__(
        self,
        net: Network,
        device: torch.device,
        targets: set[int],
        options: CaptureOptions,
        hooks: list[LayerHook],
        cancel: Cancel | None,
        faults: Faults,
    ) -> None:
        self.net, self.device, self.targets, self.options = net, device, targets, options
        self.hooks, self.cancel, self.faults = hooks, cancel, faults
        self.outputs = set(net.info.outputs)

    def run(
        self,
        result: ForwardResult,
        inputs: list[Tensor],
        dtype: torch.dtype,
        channels_last: bool,
        train: bool,
        memory: MemoryEstimate,
        progress: ProgressCallback | None,
        deferred: bool,
    ) -> ForwardResult:
        """Run the pass (twice when a deferred one met NaN or Inf) and build its result."""
        try:
            batch = self._prepare(inputs, dtype, channels_last, train)
        except Exception as error:  # moving the weights can run out of memory too
            first = self.net.info.nodes[0].name if self.net.info.nodes else ""
            failure = classify(error, first, self.device, memory, self.faults)
            return replace(result, error=failure, estimated_memory_bytes=memory.total)
        done, exact_needed = self._pass(result, batch, memory, progress, deferred=deferred)
        if exact_needed:
            # The figures over NaN/Inf values need the tensors themselves, gone by the end of a deferred pass.
            done, _ = self._pass(result, batch, memory, None, deferred=False)
        return done

    def _pass(
        self,
        result: ForwardResult,
        batch: list[Tensor],
        memory: MemoryEstimate,
        progress: ProgressCallback | None,
        *,
        deferred: bool,
    ) -> tuple[ForwardResult, bool]:
        """One pass over the nodes; returns its result and whether its figures need an eager repeat."""
        info, device = self.net.info, self.device
        recorder = PassRecorder(
            device, self.options, deferred=deferred, overwritten=overwritten_slots(self.net)
        )
        for hook in self.hooks:
            hook.recorder = recorder
        timer = NodeTimer(device, len(info.nodes))
        peak = PeakMemory(device)
        current = info.nodes[0].name if info.nodes else ""
        status: Status = "ok"
        # Nothing queued on the device between two nodes (no hooks, no injected faults, the output only held):
        # the end of one node is the start of the next, and one timing event does for both.
        faults = self.faults if self.faults.faults else None
        idle, may_be_idle = False, not self.hooks and faults is None
        sample = None if peak.cuda else peak.sample
        targets, outputs, count = self.targets, self.outputs, len(info.nodes)
        started = time.perf_counter()
        try:
            with torch.no_grad(), _on(device):
                steps = self.net.iterate(*batch)
                for position, node in enumerate(info.nodes):
                    if self.cancel is not None and self.cancel():
                        status = "cancelled"
                        break
                    current = node.name
                    if faults is not None:
                        faults.before(current)
                    timer.start(idle=idle)
                    slot, value = next(steps)
                    timer.stop(slot)
                    if faults is not None:
                        faults.after(current, value)
                    queued = recorder.node(node, value, captured=slot in targets, output=slot in outputs)
                    idle = may_be_idle and not queued
                    if sample is not None:
                        sample()
                    if progress is not None:
                        progress((position + 1) / count, current)
                recorded = recorder.finish(timer, complete=status == "ok")
            total_ms = (time.perf_counter() - started) * 1000
        except Exception as error:  # every failure becomes a result
            failure = classify(error, current, device, memory, self.faults)
            return _stopped(result, _salvage(recorder, timer), failure, peak, memory), False
        if status == "cancelled":
            return _stopped(result, recorded, None, peak, memory), False
        done = _finished(result, recorded, info.outputs, total_ms, peak, memory)
        return done, recorded.exact_needed

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


def _on(device: torch.device) -> AbstractContextManager[object]:
    """CUDA events and streams belong to the current device: make it the run's."""
    return torch.cuda.device(device) if device.type == "cuda" else nullcontext()


def _salvage(recorder: PassRecorder, timer: NodeTimer) -> Recorded:
    """What a failed pass recorded up to the failure; shapes alone when the device cannot be read any more."""
    try:
        return recorder.finish(timer, complete=False)
    except Exception:  # a lost device fails again when read: keep what the host knows
        return recorder.unread()


def _stopped(
    result: ForwardResult,
    recorded: Recorded,
    error: RunError | None,
    peak: PeakMemory,
    memory: MemoryEstimate,
) -> ForwardResult:
    """The result of a pass that was cancelled (no error) or failed, with the nodes that ran."""
    return replace(
        result,
        status="error" if error is not None else "cancelled",
        nodes=tuple(recorded.nodes),
        error=error,
        layers=recorded.layers,
        peak_memory_bytes=peak.result(),
        memory_measure=peak.measure,
        estimated_memory_bytes=memory.total,
    )


def _finished(
    result: ForwardResult,
    recorded: Recorded,
    outputs: Sequence[int],
    total_ms: float,
    peak: PeakMemory,
    memory: MemoryEstimate,
) -> ForwardResult:
    """The result of a complete pass: an error naming the first node with NaN or Inf, if one had them."""
    records = tuple(recorded.nodes)
    bad = next((r for r in records if not r.finite), None)
    problem = None
    if bad is not None:
        problem = RunError(
            "non_finite",
            f"NaN or Inf first appears in the output of {bad.name} ({bad.type}); every node before it gave "
            "finite values. Check its weights and the input scale, or use float32 if you run in 16 bits.",
            node=bad.name,
        )
    return replace(
        result,
        status="ok" if problem is None else "error",
        nodes=records,
        outputs=tuple(recorded.outputs[i] for i in outputs),
        total_ms=total_ms,
        error=problem,
        layers=recorded.layers,
        peak_memory_bytes=peak.result(),
        memory_measure=peak.measure,
        estimated_memory_bytes=memory.total,
    )


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
