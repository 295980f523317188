"""Gradient flow: one backward pass on a batch, recording the gradient norm of every layer's weights and of
every block's output, for a network and for its plain twin (every skip connection off)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ..core.catalogue import Role, role_of
from ..core.graph import Graph
from ..core.model import GraphSnapshot
from ..core.presets import plain_twin
from ..results.run import RunError, Status
from ..results.weights import AttachedWeights
from .assembly import Network, build, check_training
from .errors import BuildError, DeviceError, InputError, WeightsError
from .run.control import Cancel, Fault, Faults, ProgressCallback
from .run.devices import check_dtype, resolve_device
from .run.failures import classify
from .run.inputs import InputSource, make_input
from .run.memory import estimate


@dataclass(frozen=True)
class LayerGradient:
    """The weights of one layer after backward."""

    path: str
    """Module path, as in the state dict: 'layer1.0.conv1'."""
    node: str
    """Name of the graph node the layer belongs to: 'layer1.0'."""
    type: str
    """'Conv2d', 'BatchNorm2d' or 'Linear'."""
    depth: int
    """Position among the layers with weights, 0 nearest the input."""
    params: int
    weight_norm: float
    grad_norm: float


@dataclass(frozen=True)
class BlockGradient:
    """The output of one graph node (a block or layer) and the gradient that reached it."""

    node: str
    type: str
    depth: int
    """Position among the recorded nodes, 0 nearest the input."""
    output_norm: float
    grad_norm: float


@dataclass(frozen=True)
class GradientFlow:
    """One backward pass: the loss and per-layer and per-block gradient norms; or why it stopped."""

    status: Status
    label: str
    """'network' or 'plain twin'."""
    device: str
    dtype: str
    batch_size: int
    loss: float | None = None
    layers: tuple[LayerGradient, ...] = ()
    blocks: tuple[BlockGradient, ...] = ()
    error: RunError | None = None

    @property
    def ok(self) -> bool:
        """True when the backward pass ran."""
        return self.status == "ok"


@dataclass(frozen=True)
class GradientFlowComparison:
    """The same batch through a network and through its plain twin."""

    network: GradientFlow
    plain: GradientFlow


def gradient_flow(
    network: Graph | GraphSnapshot,
    *,
    device: str = "cpu",
    batch_size: int | None = None,
    dtype: str = "float32",
    input: str | Path | InputSource | Tensor = "random",
    seed: int = 0,
    labels: Sequence[int] | None = None,
    input_shape: tuple[int, int, int] | None = None,
    weights: str | Path | AttachedWeights | None = None,
    train: bool = True,
    label: str = "network",
    progress: ProgressCallback | None = None,
    cancel: Cancel | None = None,
    faults: Sequence[Fault] = (),
) -> GradientFlow:
    """Cross-entropy of the first output against `labels` (or seeded random classes), one backward pass, and
    the gradient norms. BatchNorm uses batch statistics (`train=True`), as in training."""
    source = InputSource.parse(input, seed)
    batch_size = source.batch_size(batch_size, default=8)
    result = GradientFlow("error", label, str(device), dtype, batch_size)
    try:
        torch_device = resolve_device(device)
        torch_dtype = check_dtype(torch_device, dtype)
        if batch_size < 1:
            raise InputError(f"the batch size must be at least 1, not {batch_size}")
        net = build(network, input_shape, seed=seed, inplace=False)  # hooks need every node output intact
        if train:
            check_training(net, batch_size)
        if weights is not None:
            from .checkpoint import apply_weights

            apply_weights(net, weights)
        inputs = [
            make_input(source, net.info.nodes[i].output_shape or (), batch_size) for i in net.info.inputs
        ]
    except (DeviceError, BuildError, InputError, WeightsError) as error:
        return _failed(result, error)
    result = GradientFlow("error", label, str(torch_device), dtype, batch_size)
    memory = estimate(net.info.analysis, batch_size, dtype, training=True)
    faults_ = Faults(faults)
    current = net.info.nodes[0].name
    try:
        net.to(device=torch_device, dtype=torch_dtype).train(train)
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
        return _failed(result, error)
    except Exception as error:  # every failure becomes a result
        return GradientFlow(
            "error",
            label,
            str(torch_device),
            dtype,
            batch_size,
            error=classify(error, current, torch_device, memory, faults_),
        )


def compare_gradient_flow(network: Graph | GraphSnapshot, **options: object) -> GradientFlowComparison:
    """gradient_flow() of the network and of its plain twin, with the same seed, batch and labels."""
    graph = network if isinstance(network, Graph) else Graph(network)
    first = gradient_flow(graph.snapshot(), **options)  # type: ignore[arg-type]
    second = gradient_flow(plain_twin(graph).snapshot(), label="plain twin", **options)  # type: ignore[arg-type]
    return GradientFlowComparison(first, second)


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


def _failed(result: GradientFlow, error: Exception) -> GradientFlow:
    kinds = {DeviceError: "device", BuildError: "build", InputError: "input", WeightsError: "weights"}
    kind = next(k for cls, k in kinds.items() if isinstance(error, cls))
    if kind == "device" and "not supported" in str(error):
        kind = "dtype"
    diagnostics = error.diagnostics if isinstance(error, BuildError) else ()
    return GradientFlow(
        "error",
        result.label,
        result.device,
        result.dtype,
        result.batch_size,
        error=RunError(kind, str(error), diagnostics=diagnostics),  # type: ignore[arg-type]
    )
