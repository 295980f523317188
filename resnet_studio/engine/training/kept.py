"""Weights from a race: back into torch tensors, into a network, or to a file (.safetensors or .pt)."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn
from torch import Tensor

from ...results.training import TrainedWeights
from ..errors import WeightsError
from ..weights import WeightsReport, check_weights, save_state_dict


def state_dict(weights: TrainedWeights) -> dict[str, Tensor]:
    """The weights as a torch state dict (CPU tensors sharing the arrays' memory: copy before changing them)."""
    return {key: torch.from_numpy(value) for key, value in weights.tensors.items()}


def load_trained_weights(network: nn.Module, weights: TrainedWeights) -> WeightsReport:
    """Load race weights into a network built from the same graph; WeightsError (nothing loaded) unless every
    tensor fits."""
    state = state_dict(weights)
    report = check_weights(network, state, f"the weights after {weights.step} steps")
    if not report.ok:
        raise WeightsError(report.describe())
    network.load_state_dict(state)
    return report


def save_trained_weights(weights: TrainedWeights, path: str | Path) -> Path:
    """Write the weights as .safetensors (when the name ends so) or a torch state dict, atomically (a failed
    save keeps the old file); WeightsError for a folder that does not exist."""
    path = Path(path)
    if not path.parent.is_dir():
        raise WeightsError(f"cannot write {path}: the folder {str(path.parent)!r} does not exist")
    return save_state_dict(state_dict(weights), path)
