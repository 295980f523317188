"""Weights by node: which state tensors of a built network belong to which node, and merging attached weights in.

A node's tensors are keyed locally ('conv1.weight' for a block, 'weight' for a single layer), so weights follow
the node through renames, and an exploded block's layers find theirs (results.weights.AttachedWeights).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ...core.catalogue import COUNTERS, get_spec
from ...core.model import Node
from ...core.shapes import TensorInfo
from ...results.weights import AttachedWeights, NodeArrays
from ..assembly import Network


@dataclass(frozen=True)
class NodeTensor:
    """One state tensor of a built network: the node it belongs to, its local and full keys, and the tensor."""

    node: Node
    local: str
    key: str
    tensor: Tensor


def node_tensors(network: Network) -> Iterator[NodeTensor]:
    """Every state tensor of the network (parameters and buffers), with the node it belongs to."""
    nodes = {node.id: node for node in network.info.snapshot.nodes}
    for info in network.info.nodes:
        if not info.layer_paths:
            continue  # Input and Output
        node = nodes[info.node_id]
        for local_prefix, path in _module_prefixes(network, info.module_path, info.layer_paths, node):
            module = network.get_submodule(path)
            for key, tensor in module.state_dict(prefix=f"{path}.", keep_vars=False).items():
                yield NodeTensor(node, local_prefix + key[len(path) + 1 :], key, tensor)


def _module_prefixes(
    network: Network, module_path: str | None, layer_paths: tuple[str, ...], node: Node
) -> list[tuple[str, str]]:
    """(local prefix, module path) pairs: the node's own module, or a flat block's layers (stem, head)."""
    if module_path is not None:
        return [("", module_path)]
    shapes = network.info.analysis.nodes[node.id].input_shapes
    spec = get_spec(node.type)
    assert spec.plan is not None and shapes
    steps = spec.plan(node.params, (TensorInfo(shapes[0]),))
    return [(f"{step.name}.", path) for step, path in zip(steps, layer_paths)]


@dataclass(frozen=True)
class MergeReport:
    """What merging attached weights into a network did: tensors loaded, and those left at random."""

    source: str
    loaded: int
    new: tuple[str, ...] = ()
    """Keys of the network's tensors that kept their random values (no array, or one of another shape)."""

    def describe(self) -> str:
        """One line: 'loaded 320 tensors from resnet50.pth' (and how many stayed random)."""
        text = f"loaded {self.loaded} tensors from {self.source}"
        if self.new:
            shown = ", ".join(self.new[:3]) + (", ..." if len(self.new) > 3 else "")
            text += f"; {len(self.new)} new, randomly initialised ({shown})"
        return text


def attach_weights(network: Network, weights: AttachedWeights) -> MergeReport:
    """Copy every attached array whose node and shape still fit into the network; the rest stay as built."""
    loaded = 0
    new: list[str] = []
    cache: dict[str, NodeArrays] = {}
    with torch.no_grad():
        for item in node_tensors(network):
            arrays = cache.get(item.node.id)
            if arrays is None:
                arrays = cache[item.node.id] = weights.arrays_for(item.node)
            array = arrays.get(item.local)
            if array is not None and tuple(array.shape) == tuple(item.tensor.shape):
                item.tensor.copy_(torch.from_numpy(array))
                loaded += 1
            elif item.local.rsplit(".", 1)[-1] not in COUNTERS:
                new.append(item.key)
    return MergeReport(weights.source, loaded, tuple(new))


def to_array(tensor: Tensor) -> np.ndarray:
    """A CPU numpy copy-free view of a tensor (bfloat16, which numpy lacks, as float32)."""
    tensor = tensor.detach().to("cpu")
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    return tensor.numpy()
