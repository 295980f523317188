"""What a run works out about a network before its pass: which nodes and layers to capture, the memory it needs
with capture, and which outputs a later node overwrites in place. The last two depend only on the network and the
run's settings, so they are kept per network (a pass on a small network lasts milliseconds: recomputing them
would cost a visible share of it)."""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import replace

import torch
from torch import Tensor
from torch.utils.hooks import RemovableHandle

from ...core.catalogue import Role, role_of
from ...core.shapes import DTYPE_BYTES
from ..assembly import Network
from ..errors import InputError
from .capture import CaptureOptions
from .memory import MemoryEstimate, capture_bytes, estimate
from .recorder import HELD_BYTES, HELD_ELEMENTS, PassRecorder


class LayerHook:
    """Records a layer's output the moment it is made (before an in-place ReLU can overwrite it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.recorder: PassRecorder | None = None

    def __call__(self, module: torch.nn.Module, args: object, output: object) -> None:
        if isinstance(output, Tensor) and self.recorder is not None:
            self.recorder.layer(self.name, output)


def capture_targets(
    net: Network, names: Sequence[str] | None, hooks: list[LayerHook], handles: list[RemovableHandle]
) -> set[int]:
    """Node slots to capture in the loop; layers inside blocks get forward hooks (added to `hooks`); None
    captures every node but Input and Output. Raises InputError for a name that is neither."""
    if names is None:
        return {n.index for n in net.info.nodes if role_of(n.type) not in (Role.INPUT, Role.OUTPUT)}
    slots: set[int] = set()
    layers: dict[str, torch.nn.Module] = {}
    for name in names:
        node = net.info.find(name)
        if node is not None:
            slots.add(node.index)
            continue
        layers = layers or dict(net.named_modules())
        if name and name in layers:
            hooks.append(LayerHook(name))
            handles.append(layers[name].register_forward_hook(hooks[-1]))
        else:
            raise InputError(f"there is no node or layer named {name!r} to capture")
    return slots


class _Facts:
    """What is known about one built network: its overwritten slots, and memory estimates by run settings."""

    def __init__(self, net: Network) -> None:
        self.overwritten = _find_overwritten(net)
        self.memory: dict[tuple[object, ...], MemoryEstimate] = {}


_FACTS: weakref.WeakKeyDictionary[Network, _Facts] = weakref.WeakKeyDictionary()


def _facts(net: Network) -> _Facts:
    facts = _FACTS.get(net)
    if facts is None:
        facts = _FACTS[net] = _Facts(net)
    return facts


def overwritten_slots(net: Network) -> frozenset[int]:
    """Slots whose output a later node overwrites in place (a top-level ReLU built to work on its input): their
    figures must be taken before that node runs."""
    return _facts(net).overwritten


def run_memory(
    net: Network,
    targets: set[int],
    layers: int,
    options: CaptureOptions,
    batch_size: int,
    dtype: str,
    device: torch.device,
    deferred: bool,
) -> MemoryEstimate:
    """The analysis' estimate for the pass, with what capturing adds."""
    key = (frozenset(targets), layers, options, batch_size, dtype, device.type, deferred)
    cache = _facts(net).memory
    found = cache.get(key)
    if found is None:
        found = cache[key] = _run_memory(net, targets, layers, options, batch_size, dtype, device, deferred)
    return found


def _run_memory(
    net: Network,
    targets: set[int],
    layers: int,
    options: CaptureOptions,
    batch_size: int,
    dtype: str,
    device: torch.device,
    deferred: bool,
) -> MemoryEstimate:
    nodes = net.info.nodes
    captured = [nodes[i].output_shape for i in sorted(targets)]
    outputs = [nodes[i].output_shape for i in net.info.outputs]
    extra = capture_bytes(
        [s for s in captured if s is not None],
        [s for s in outputs if s is not None],
        layers,
        options,
        batch_size,
        dtype,
        device.type,
    )
    if deferred:  # held outputs are concatenated at the end of the pass (and made float32 when 16-bit)
        element = DTYPE_BYTES[dtype]
        sizes = [batch_size * math.prod(n.output_shape) for n in nodes if n.output_shape is not None]
        held = min(HELD_BYTES, element * sum(size for size in sizes if size <= HELD_ELEMENTS))
        extra += held + (held * 4 // element if element < 4 else 0)
    return replace(estimate(net.info.analysis, batch_size, dtype), capture=extra)


def _find_overwritten(net: Network) -> frozenset[int]:
    slots: set[int] = set()
    for node in net.info.nodes:
        if node.module_path and node.inputs:
            try:
                module = net.get_submodule(node.module_path)
            except AttributeError:
                continue
            if getattr(module, "inplace", False):
                slots.update(node.inputs)
    return frozenset(slots)
