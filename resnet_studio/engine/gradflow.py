"""Gradient flow: one backward pass on a batch, recording the gradient norm of every layer's weights and of
every block's output, for one network or for two on the same batch (a network and its plain twin, or any two).

The result types live in resnet_studio.results.gradients (plain data for the app and the command line); they are
re-exported here.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ..core.catalogue import Role, role_of
from ..core.graph import Graph
from ..core.model import GraphSnapshot
from ..core.presets import plain_twin
from ..results.gradients import BlockGradient, GradientFlow, GradientFlowComparison, LayerGradient
from .assembly import Network
from .errors import BuildError, DeviceError, InputError, WeightsError
from .run.control import Cancel, Fault, Faults, ProgressCallback
from .run.devices import check_dtype, resolve_device
from .run.failures import classify
from .run.inputs import InputSource
from .run.memory import estimate
from .run.prepare import Weights, first_inputs, prepared_network, run_error
from .threads import side_by_side

__all__ = [
    "BlockGradient",
    "GradientFlow",
    "GradientFlowComparison",
    "LayerGradient",
    "compare_gradient_flow",
    "gradient_flow",
]


def gradient_flow(
    network: Graph | GraphSnapshot | Network,
    *,
    device: str = "cpu",
    batch_size: int | None = None,
    dtype: str = "float32",
    input: str | Path | InputSource | Tensor = "random",
    seed: int = 0,
    labels: Sequence[int] | None = None,
    input_shape: tuple[int, int, int] | None = None,
    weights: Weights | None = None,
    train: bool = True,
    label: str = "network",
    progress: ProgressCallback | None = None,
    cancel: Cancel | None = None,
    faults: Sequence[Fault] = (),
) -> GradientFlow:
    """Cross-entropy of the first output against `labels` (or seeded random classes), one backward pass, and
    the gradient norms. BatchNorm uses batch statistics (`train=True`), as in training.

    `network` may be a graph, a snapshot of one, or a network already built (used as it is, weights included,
    with its ReLUs no longer in place: hooks need every node's output intact).
    """
    source = InputSource.parse(input, seed)
    batch_size = source.batch_size(batch_size, default=8)
    result = GradientFlow("error", label, str(device), dtype, batch_size)
    try:
        torch_device = resolve_device(device)
        torch_dtype = check_dtype(torch_device, dtype)
        net = prepared_network(
            network,
            input_shape=input_shape,
            seed=seed,
            batch_size=batch_size,
            train=train,
            weights=weights,
            inplace=False,  # hooks need every node's output intact
        )
        inputs = first_inputs(source, net, batch_size)
    except (DeviceError, BuildError, InputError, WeightsError) as error:
        return replace(result, error=run_error(error))
    result = GradientFlow("error", label, str(torch_device), dtype, batch_size)
    memory = estimate(net.info.analysis, batch_size, dtype, training=True)
    faults_ = Faults(faults)
    current = net.info.nodes[0].name
    try:
        first = next(net.parameters(), None)
        if first is None or first.device != torch_device or first.dtype != torch_dtype:
            net.to(device=torch_device, dtype=torch_dtype)  # walks every module: skipped when not needed
        net.train(train)
        net.zero_grad(set_to_none=True)  # a network used before must not add up old gradients
        batch = [x.to(torch_device, torch_dtype) for x in inputs]
        grads: dict[int, Tensor] = {}
        outputs: dict[int, Tensor] = {}
        norms: dict[int, Tensor] = {}
        steps = net.iterate(*batch)
        total = len(net.info.nodes)
        for position, node in enumerate(net.info.nodes):
            if cancel is not None and cancel():
                return GradientFlow("cancelled", label, str(torch_device), dtype, batch_size)
            current = node.name
            faults_.before(node.name)
            slot, value = next(steps)
            faults_.after(node.name, value)
            if slot in net.info.outputs:
                outputs[slot] = value
            elif role_of(node.type) is not Role.INPUT and value.requires_grad:
                norms[slot] = value.detach().float().norm()
                value.register_hook(_Store(grads, slot))  # type: ignore[no-untyped-call]
            if progress is not None:
                progress(0.5 * (position + 1) / total, node.name)
        current = "the loss"
        logits = outputs[net.info.outputs[0]]
        target = _labels(labels, logits, batch_size, seed, torch_device)
        loss = F.cross_entropy(logits.float(), target)
        current = "the backward pass"
        loss.backward()  # type: ignore[no-untyped-call]
        if progress is not None:
            progress(1.0, "backward")
        layers = _layer_gradients(net)
        blocks = tuple(
            BlockGradient(n.name, n.type, depth, float(norms[n.index]), float(grads[n.index]))
            for depth, n in enumerate(x for x in net.info.nodes if x.index in grads)
        )
        return GradientFlow("ok", label, str(torch_device), dtype, batch_size, loss.item(), layers, blocks)
    except InputError as error:
        return replace(result, error=run_error(error))
    except Exception as error:  # every failure becomes a result
        return GradientFlow(
            "error",
            label,
            str(torch_device),
            dtype,
            batch_size,
            error=classify(error, current, torch_device, memory, faults_),
        )


def compare_gradient_flow(
    network: Graph | GraphSnapshot | Network,
    other: Graph | GraphSnapshot | Network | None = None,
    *,
    names: tuple[str, str] | None = None,
    other_weights: str | Path | None = None,
    **options: Any,
) -> GradientFlowComparison:
    """gradient_flow() of two networks on the same batch with the same labels: `network` and `other`, or, without
    `other`, the network and its plain twin (every skip off). `names` label the two ('network' and 'plain twin'
    or 'other' by default); `other_weights` go into the second network (default: the same `weights`).

    On the CPU the two run side by side, one core each with single-threaded operations (engine.threads): on two
    cores that is twice as fast as one after the other, and on a busy machine far faster than both cores per
    operation. Single-threaded operations also make the numbers the same on any number of cores. `progress` hears
    the mean of the two.
    """
    twin = other is None
    if other is None:
        graph = Graph(network.info.snapshot if isinstance(network, Network) else _snapshot(network))
        other = plain_twin(graph).snapshot()
    first_name, second_name = names or ("network", "plain twin" if twin else "other")
    second_options = dict(options)
    if other_weights is not None:
        second_options["weights"] = other_weights
    progress = options.pop("progress", None)
    second_options.pop("progress", None)
    shared = _SharedProgress(progress, 2) if callable(progress) else None
    jobs = [
        partial(
            gradient_flow, network, label=first_name, progress=shared.part(0) if shared else None, **options
        ),
        partial(
            gradient_flow,
            other,
            label=second_name,
            progress=shared.part(1) if shared else None,
            **second_options,
        ),
    ]
    if str(options.get("device", "cpu")).startswith("cpu"):
        first, second = side_by_side(jobs)
    else:
        first, second = (job() for job in jobs)
    return GradientFlowComparison(first, second)


class _SharedProgress:
    """One progress callback for several jobs: it hears the mean of their fractions."""

    def __init__(self, progress: ProgressCallback, jobs: int) -> None:
        self.progress, self.fractions, self.lock = progress, [0.0] * jobs, threading.Lock()

    def part(self, job: int) -> ProgressCallback:
        def report(fraction: float, node: str) -> None:
            with self.lock:
                self.fractions[job] = fraction
                mean = sum(self.fractions) / len(self.fractions)
            self.progress(mean, node)

        return report


def _snapshot(network: Graph | GraphSnapshot) -> GraphSnapshot:
    return network.snapshot() if isinstance(network, Graph) else network


class _Store:
    """A tensor hook that keeps the norm of the gradient reaching a node's output."""

    def __init__(self, grads: dict[int, Tensor], slot: int) -> None:
        self.grads, self.slot = grads, slot

    def __call__(self, grad: Tensor) -> None:
        self.grads[self.slot] = grad.detach().float().norm()


def _labels(
    labels: Sequence[int] | None, logits: Tensor, batch: int, seed: int, device: torch.device
) -> Tensor:
    if logits.dim() != 2:
        raise InputError(
            "gradient flow needs a classifier output (one score per class), but the network outputs "
            + "x".join(map(str, logits.shape[1:]))
            + "; end it with a Head or Flatten + Linear"
        )
    classes = logits.shape[1]
    if labels is None:
        generator = torch.Generator().manual_seed(seed + 1)
        return torch.randint(0, classes, (batch,), generator=generator).to(device)
    if len(labels) != batch or any(not 0 <= int(c) < classes for c in labels):
        raise InputError(f"labels must be {batch} class numbers from 0 to {classes - 1}")
    return torch.tensor([int(c) for c in labels], device=device)


def _layer_gradients(net: Network) -> tuple[LayerGradient, ...]:
    owners = {path: node.name for node in net.info.nodes for path in node.layer_paths}
    layers: list[LayerGradient] = []
    for path, module in net.named_modules():
        weight = getattr(module, "weight", None)
        if not isinstance(weight, nn.Parameter) or weight.grad is None:
            continue
        owner = next((owners[p] for p in _prefixes(path) if p in owners), path)
        layers.append(
            LayerGradient(
                path,
                owner,
                type(module).__name__,
                len(layers),
                sum(p.numel() for p in module.parameters(recurse=False)),
                float(weight.detach().float().norm()),
                float(weight.grad.detach().float().norm()),
            )
        )
    return tuple(layers)


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
