"""Before any step: check that each network can learn the data set's classes, then build it on the device."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ..assembly import Network, build
from ..datasets import ImageDataset
from ..errors import BuildError, DeviceError
from ..run.devices import check_dtype, resolve_device
from .errors import TrainingError

MAX_NETWORKS = 4
"""A race shows at most this many curves (more would be unreadable, and each costs a full training)."""


def snapshots(networks: Mapping[str, Graph | GraphSnapshot]) -> dict[str, GraphSnapshot]:
    """Immutable copies of the networks, by label; refuses an empty or too large race."""
    if not networks:
        raise TrainingError("there is no network to train", "networks")
    if len(networks) > MAX_NETWORKS:
        raise TrainingError(
            f"a race trains at most {MAX_NETWORKS} networks side by side, not {len(networks)}; drop some",
            "networks",
        )
    return {label: g.snapshot() if isinstance(g, Graph) else g for label, g in networks.items()}


def device_for(name: str) -> torch.device:
    """The torch device, or TrainingError naming the devices that exist."""
    try:
        device = resolve_device(name)
        check_dtype(device, "float32")
    except DeviceError as error:
        raise TrainingError(str(error), "device") from None
    return device


def check_classifier(label: str, snapshot: GraphSnapshot, data: ImageDataset) -> Network:
    """The network's structure (on the meta device: no memory, no weights) once it is known to take the data
    set's images and give one score per class; TrainingError saying what to change otherwise."""
    shape = data.image_shape
    try:
        structure = build(snapshot, shape, device="meta")
    except BuildError as error:
        raise TrainingError(f"{label}: {error}", "build", label) from None
    info = structure.info
    if len(info.inputs) != 1:
        raise TrainingError(
            f"{label} has {len(info.inputs)} Input nodes; training feeds images to exactly one",
            "input",
            label,
        )
    if len(info.outputs) != 1:
        raise TrainingError(
            f"{label} has {len(info.outputs)} Output nodes; training needs exactly one, giving a score per class",
            "not_a_classifier",
            label,
        )
    out = info.nodes[info.outputs[0]].output_shape
    classes = data.classes
    if out is None or len(out) != 1:
        found = "x".join(map(str, out)) if out else "an unknown shape"
        raise TrainingError(
            f"{label} outputs {found}, not one score per class; end it with a Head (or GlobalAvgPool, Flatten "
            f"and Linear) with {classes} classes",
            "not_a_classifier",
            label,
        )
    if out[0] != classes:
        raise TrainingError(
            f"{label} outputs {out[0]} class scores but the data set has {classes} classes; set the Head's "
            f"classes to {classes}",
            "classes",
            label,
        )
    return structure


def build_for_training(
    snapshot: GraphSnapshot, data: ImageDataset, seed: int, device: torch.device
) -> Network:
    """The network with its seeded initial weights, on the device, in training mode."""
    net = build(snapshot, data.image_shape, seed=seed)
    return net.to(device).train()
