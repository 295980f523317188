"""open_checkpoint(): a state-dict file -> the ResNet it holds, as a graph with its weights attached."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from torch import Tensor

from ...core.catalogue import COUNTERS
from ...core.graph import Graph
from ...core.presets import PRESETS
from ...core.shapes import format_shape
from ...results.checkpoint import OpenedCheckpoint
from ...results.weights import AttachedWeights, NodeArrays
from ..assembly import build
from .attach import node_tensors, to_array
from .errors import CheckpointError, IncompleteCheckpointError, InconsistentCheckpointError, NotAResNetError
from .graph import architecture_graph, matching_preset
from .infer import recognise
from .keys import CheckpointTensors, read_checkpoint


def open_checkpoint(path: str | Path) -> OpenedCheckpoint:
    """The network in a checkpoint (.pt/.pth/.safetensors) with its weights, ready to edit and run.

    Only tensors are read (torch.load with weights_only=True). Raises WeightsError when the file cannot be
    read, and a CheckpointError naming the first key that does not fit when it holds no ResNet-family network,
    is missing tensors, or has shapes that do not fit together."""
    path = Path(path)
    read = read_checkpoint(path)
    try:
        architecture = recognise({key: tuple(value.shape) for key, value in read.tensors.items()})
        graph = architecture_graph(architecture)
        weights = AttachedWeights(path.name, split_by_node(graph, read.tensors))
    except CheckpointError as error:
        raise _in_file_terms(error, read) from None
    preset = matching_preset(graph)
    title = f"{PRESETS[preset].title} (the {preset} preset's layout)" if preset else "ResNet-family network"
    notes = []
    if read.prefix:
        notes.append(f"the prefix {read.prefix!r} dropped from every key")
    if read.renamed:
        notes.append(f"{read.renamed} keys renamed to torchvision's names")
    extra = f" ({'; '.join(notes)})" if notes else ""
    description = f"{title}: {architecture.describe()}{extra}"
    return OpenedCheckpoint(graph.snapshot(), weights, path.name, description, preset)


def _in_file_terms(error: CheckpointError, read: CheckpointTensors) -> CheckpointError:
    """The same refusal, naming the key as the file spells it ('module.layer1.0.shortcut.0.weight')."""
    if error.key is None or read.file_key(error.key) == error.key:
        return error
    spelled = read.file_key(error.key)
    return type(error)(str(error).replace(error.key, spelled, 1), spelled)


def split_by_node(graph: Graph, tensors: Mapping[str, Tensor]) -> Mapping[str, NodeArrays]:
    """The tensors as numpy arrays by node id and local key, after checking that every one fits the graph.

    Raises a CheckpointError naming the first key, in file order, that the graph has no place for or that has
    another shape there, or else the first tensor the graph needs that the file lacks."""
    expected = {item.key: item for item in node_tensors(build(graph, device="meta"))}
    for key, tensor in tensors.items():
        item = expected.get(key)
        if item is None:
            raise NotAResNetError(
                f"{key} does not fit: the ResNet recognised from the other tensors has no such tensor, so this "
                "is not a network the catalogue can express (or not a ResNet-family network)",
                key,
            )
        if tuple(tensor.shape) != tuple(item.tensor.shape):
            raise InconsistentCheckpointError(
                f"{key} has shape {format_shape(tuple(tensor.shape)) or 'scalar'}, but the ResNet recognised "
                f"from the other tensors needs {format_shape(tuple(item.tensor.shape)) or 'a scalar'} there",
                key,
            )
    by_node: dict[str, dict[str, object]] = {}
    for key, item in expected.items():
        if key not in tensors:
            if item.local.rsplit(".", 1)[-1] in COUNTERS:
                continue
            raise IncompleteCheckpointError(
                f"{key} is missing: the ResNet recognised from the other tensors needs it (the checkpoint "
                "looks truncated or cut down)",
                key,
            )
        by_node.setdefault(item.node.id, {})[item.local] = to_array(tensors[key])
    return MappingProxyType({node: MappingProxyType(arrays) for node, arrays in by_node.items()})  # type: ignore[arg-type]
