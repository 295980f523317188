"""The weights a run or an export starts from: a weights file (every tensor must fit) or attached weights."""

from __future__ import annotations

from pathlib import Path

from ...results.weights import AttachedWeights
from ..assembly import Network
from ..weights import WeightsReport, load_weights
from .attach import MergeReport, attach_weights


def apply_weights(network: Network, weights: str | Path | AttachedWeights) -> WeightsReport | MergeReport:
    """Load a weights file strictly (WeightsError unless every tensor fits), or merge attached weights by node."""
    if isinstance(weights, AttachedWeights):
        return attach_weights(network, weights)
    return load_weights(network, weights, strict=True)
