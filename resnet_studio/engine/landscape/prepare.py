"""The network a landscape is computed around: built, weights loaded, BatchNorm statistics settled, eval mode,
and checked to end in a classifier whose classes cover the batch's labels."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...results.landscape import Statistics
from ...results.training import TrainedWeights
from ..assembly import Network, build
from ..errors import InputError, WeightsError
from ..weights import check_weights, load_weights

Weights = str | Path | Mapping[str, Any] | TrainedWeights
"""A weights file, a state dict of tensors or numpy arrays, or the weights a training run reached."""


def prepare_network(
    network: Graph | GraphSnapshot | Network,
    images: Tensor,
    labels: Tensor,
    *,
    weights: Weights | None = None,
    statistics: Statistics = "recompute",
    device: torch.device,
    seed: int = 0,
) -> Network:
    """A network of its own on `device` in eval mode, ready for points to be evaluated on (images, labels).

    With statistics='recompute' the BatchNorm running statistics become those of the batch under the current
    weights (one pass in training mode), so eval mode normalises as the weights themselves would; 'keep' keeps
    the statistics the weights came with. Raises BuildError, WeightsError or InputError with a message to act on.
    """
    check_batch(images, labels)
    if isinstance(network, Network):
        net = copy_network(network)  # the caller's network is left as it is
    else:
        net = build(network, tuple(images.shape[1:]), seed=seed)  # type: ignore[arg-type]
    if weights is not None:
        _load(net, weights)
    net.to(device)
    images, labels = images.to(device), labels.to(device)
    check_classifier(net, images[:2], labels)
    if statistics == "recompute":
        recompute_statistics(net, images)
    return net.eval()


def check_batch(images: Tensor, labels: Tensor) -> None:
    """A batch of images (N x C x H x W, floating point) and as many whole-number class labels."""
    if images.dim() != 4 or not images.is_floating_point():
        raise InputError(
            f"the landscape needs a batch of images (N x C x H x W, floating point), not a "
            f"{'x'.join(map(str, images.shape))} {str(images.dtype).replace('torch.', '')} tensor"
        )
    if labels.dim() != 1 or labels.shape[0] != images.shape[0] or labels.is_floating_point():
        raise InputError(
            f"the landscape needs one whole-number class label per image ({images.shape[0]}), "
            f"not a {'x'.join(map(str, labels.shape))} {str(labels.dtype).replace('torch.', '')} tensor"
        )


def check_classifier(net: Network, images: Tensor, labels: Tensor) -> None:
    """The first output must be one score per class, with a class for every label."""
    with torch.inference_mode():
        output = net.eval()(images)
    logits = output[0] if isinstance(output, tuple) else output
    if logits.dim() != 2:
        shape = "x".join(map(str, logits.shape[1:]))
        raise InputError(
            f"the loss landscape needs a classifier output (one score per class), but the network outputs "
            f"{shape}; end it with a Head or Flatten + Linear"
        )
    classes = logits.shape[1]
    if int(labels.min()) < 0 or int(labels.max()) >= classes:
        raise InputError(
            f"the labels run from {int(labels.min())} to {int(labels.max())}, but the network has "
            f"{classes} classes (0 to {classes - 1}); use a data set with at most {classes} classes"
        )


def recompute_statistics(net: nn.Module, images: Tensor) -> None:
    """BatchNorm running statistics := the batch's statistics under the current weights (one training pass)."""
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average: after one batch, exactly that batch's statistics
    net.train()
    with torch.no_grad():
        net(images)
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    net.eval()


def _load(net: Network, weights: Weights) -> None:
    if isinstance(weights, (str, Path)):
        load_weights(net, weights, strict=True)
        return
    tensors = weights.tensors if isinstance(weights, TrainedWeights) else weights
    state = {str(k): torch.as_tensor(v) for k, v in tensors.items()}
    report = check_weights(net, state, "the given weights")
    if not report.ok:
        raise WeightsError(report.describe())
    net.load_state_dict(state, strict=False)


def copy_network(net: Network) -> Network:
    """Another network with the same graph, weights and statistics, on the same device, in eval mode."""
    settings = net.info.analysis.settings
    copy = build(net.info.snapshot, settings.input_shape, seed=None, device="meta")
    device = next(net.parameters()).device
    copy.to_empty(device=device)
    copy.load_state_dict(net.state_dict())
    return copy.eval() if not net.training else copy.train()
