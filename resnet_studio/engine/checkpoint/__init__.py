"""Opening checkpoints: a state-dict file -> the ResNet-family network it holds, with its weights by node.

opened = open_checkpoint("resnet50.pth")     # torch.load(weights_only=True) or safetensors
graph = opened.graph()                       # editable; weights stay with their nodes
net = build(graph); attach_weights(net, opened.weights)   # every layer whose shape still fits
"""

from .attach import MergeReport, attach_weights, node_tensors
from .errors import (
    CheckpointError,
    IncompleteCheckpointError,
    InconsistentCheckpointError,
    NotAResNetError,
)
from .infer import Architecture, recognise
from .keys import CHECKPOINT_SUFFIXES, is_checkpoint_file, read_checkpoint
from .opener import open_checkpoint, split_by_node
from .weights import apply_weights

__all__ = [
    "CHECKPOINT_SUFFIXES",
    "Architecture",
    "CheckpointError",
    "IncompleteCheckpointError",
    "InconsistentCheckpointError",
    "MergeReport",
    "NotAResNetError",
    "apply_weights",
    "attach_weights",
    "is_checkpoint_file",
    "node_tensors",
    "open_checkpoint",
    "read_checkpoint",
    "recognise",
    "split_by_node",
]
