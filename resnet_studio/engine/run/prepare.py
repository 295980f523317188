"""What every pass does before its first layer (a forward run, a gradient-flow pass): the network built or taken
as it is, checked for training, its weights loaded, its inputs made; and typed failures turned into the
RunError a result carries."""

from __future__ import annotations

from pathlib import Path

import torch.nn as nn
from torch import Tensor

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...results.run import ErrorKind, RunError
from ...results.training import TrainedWeights
from ...results.weights import AttachedWeights
from ..assembly import Network, build, check_training
from ..errors import BuildError, DeviceError, DTypeError, InputError, WeightsError
from .inputs import InputSource, make_input

Weights = str | Path | AttachedWeights | TrainedWeights
"""A weights file, the weights that came with an opened checkpoint, or the weights a race reached."""


def prepared_network(
    network: Graph | GraphSnapshot | Network,
    *,
    input_shape: tuple[int, int, int] | None,
    seed: int,
    batch_size: int,
    train: bool,
    weights: Weights | None,
    inplace: bool = True,
) -> Network:
    """The network a pass runs: built from a graph (weights seeded by `seed`) or taken as it is, checked for a
    training pass, with `weights` loaded. `inplace=False` keeps every node's output intact (for hooks that
    read them in the backward pass). Raises InputError, BuildError or WeightsError."""
    if batch_size < 1:
        raise InputError(f"the batch size must be at least 1, not {batch_size}")
    if isinstance(network, Network):
        net = network
        if not inplace:
            for module in net.modules():
                if isinstance(module, nn.ReLU):
                    module.inplace = False
    else:
        net = build(network, input_shape, seed=seed, inplace=inplace)
    if train:
        check_training(net, batch_size)
    if isinstance(weights, TrainedWeights):
        from ..training.kept import load_trained_weights

        load_trained_weights(net, weights)
    elif weights is not None:
        from ..checkpoint import apply_weights

        apply_weights(net, weights)
    return net


def first_inputs(source: InputSource, net: Network, batch_size: int) -> list[Tensor]:
    """One batch for each of the network's inputs, shaped as the analysis says (InputError when it cannot)."""
    return [make_input(source, net.info.nodes[i].output_shape or (), batch_size) for i in net.info.inputs]


def run_error(error: DeviceError | BuildError | InputError | WeightsError) -> RunError:
    """The result's account of a failure before the first layer, of the kind the error's type says."""
    kind: ErrorKind
    if isinstance(error, DTypeError):
        kind = "dtype"
    elif isinstance(error, DeviceError):
        kind = "device"
    elif isinstance(error, BuildError):
        return RunError("build", str(error), diagnostics=error.diagnostics)
    elif isinstance(error, WeightsError):
        kind = "weights"
    else:
        kind = "input"
    return RunError(kind, str(error))
