"""Reading a checkpoint's tensors and bringing their keys to torchvision's names.

The file is read with torch.load(weights_only=True) (or safetensors), through the same reader as weights files:
a training checkpoint's nested state dict ('state_dict', 'model') and DataParallel's 'module.' prefixes are
undone there. Here, a prefix shared by every key ('model.', 'backbone.') is dropped, and two common spellings of
CIFAR ResNets are renamed: 'shortcut' for torchvision's 'downsample' and 'linear' for 'fc'. A classifier under
another name (a fine-tuned model's 'classifier', 'head.fc', 'last_linear') is found as what it must be: the one
Linear layer, the only two-dimensional weight in a ResNet, and named 'fc'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from torch import Tensor

from ...results.checkpoint_files import CHECKPOINT_SUFFIXES, is_checkpoint_file
from ..weights import read_state_dict

__all__ = ["CHECKPOINT_SUFFIXES", "CheckpointTensors", "is_checkpoint_file", "read_checkpoint"]

_STEM_KEY = "conv1.weight"
_RENAMES = ((".shortcut.", ".downsample."),)
_HEAD_RENAMES = (("linear.", "fc."),)
_MAX_PREFIX_DEPTH = 3


@dataclass(frozen=True)
class CheckpointTensors:
    """A checkpoint's tensors under torchvision's names, in file order, and how many keys were renamed."""

    tensors: dict[str, Tensor]
    renamed: int = 0
    prefix: str = ""
    """The prefix dropped from every key ('model.'), or ''."""
    original: dict[str, str] = field(default_factory=dict)
    """Each key as the file spells it, by its name here (only the keys that differ)."""

    def file_key(self, key: str) -> str:
        """A key as the file spells it."""
        return self.original.get(key, key)


def read_checkpoint(path: str | Path) -> CheckpointTensors:
    """The tensors of a checkpoint, keyed as torchvision names them; raises WeightsError when unreadable."""
    state = read_state_dict(path)
    prefix = ""
    for _ in range(_MAX_PREFIX_DEPTH):
        shared = _shared_prefix(state)
        if shared is None:
            break
        prefix += shared
        state = {key[len(shared) :]: value for key, value in state.items()}
    renamed = 0
    normalised: dict[str, Tensor] = {}
    original: dict[str, str] = {}
    head = _classifier_name(state)
    for key, value in state.items():
        new = _rename(key, state)
        if head and key.startswith(head):
            new = "fc." + key[len(head) :]
        renamed += new != key
        normalised[new] = value
        if prefix or new != key:
            original[new] = prefix + key
    return CheckpointTensors(normalised, renamed, prefix, original)


def _classifier_name(state: dict[str, Tensor]) -> str:
    """'classifier.' when the classifier is there under another name than fc (or linear), else ''.

    It is the only two-dimensional weight of a ResNet (convolutions have four dimensions, BatchNorm one), and
    nothing but its weight and bias may carry its name: anything else and the keys are left as they are."""
    if "fc.weight" in state or "linear.weight" in state:
        return ""
    linear = [key for key, value in state.items() if key.endswith(".weight") and value.dim() == 2]
    if len(linear) != 1:
        return ""
    head = linear[0][: -len("weight")]
    own = {key for key in state if key.startswith(head)}
    return head if own <= {head + "weight", head + "bias"} else ""


def _shared_prefix(state: dict[str, Tensor]) -> str | None:
    """'model.' when every key starts with it and the stem is under it, else None."""
    if _STEM_KEY in state or any(key.startswith("layer1.") for key in state):
        return None
    first = next(iter(state)).split(".", 1)[0] + "."
    if first == "." or not all(key.startswith(first) and len(key) > len(first) for key in state):
        return None
    return first if first + _STEM_KEY in state else None


def _rename(key: str, state: dict[str, Tensor]) -> str:
    new = key
    for old, canonical in _RENAMES:
        new = new.replace(old, canonical)
    for old, canonical in _HEAD_RENAMES:
        if new.startswith(old):
            new = canonical + new[len(old) :]
    return key if new in state and new != key else new
