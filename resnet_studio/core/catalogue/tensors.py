"""What a layer stores: the named tensors of its module's state (weights, biases, running statistics).

These are the keys and shapes of the layer's state_dict, relative to the layer ('weight', 'running_mean'). A
composite block's tensors are its plan's, under each step's local name ('conv1.weight', 'downsample.1.bias'),
so weights from a file can be matched to the blocks of a graph without building anything.
"""

from __future__ import annotations

from collections.abc import Callable

from ..params import Params
from ..shapes import Shape, TensorInfo

TensorShapes = tuple[tuple[str, Shape], ...]
"""(local key, shape) pairs, in the order the module's state_dict lists them."""

TensorRule = Callable[[Params, tuple[TensorInfo, ...]], TensorShapes]


def conv2d_tensors(p: Params, inputs: tuple[TensorInfo, ...]) -> TensorShapes:
    """torch.nn.Conv2d: weight (out, in / groups, k, k) and the optional bias."""
    in_channels = inputs[0].shape[0]
    out, k, groups = p.as_int("out_channels"), p.as_int("kernel_size"), p.as_int("groups")
    weight: TensorShapes = (("weight", (out, in_channels // groups, k, k)),)
    return (*weight, ("bias", (out,))) if p.as_bool("bias") else weight


def batchnorm_tensors(p: Params, inputs: tuple[TensorInfo, ...]) -> TensorShapes:
    """torch.nn.BatchNorm2d: scale and shift, the running statistics and the batch counter."""
    c = inputs[0].shape[0]
    return (
        ("weight", (c,)),
        ("bias", (c,)),
        ("running_mean", (c,)),
        ("running_var", (c,)),
        ("num_batches_tracked", ()),
    )


def linear_tensors(p: Params, inputs: tuple[TensorInfo, ...]) -> TensorShapes:
    """torch.nn.Linear: weight (out, in) and the optional bias."""
    out = p.as_int("out_features")
    weight: TensorShapes = (("weight", (out, inputs[0].shape[0])),)
    return (*weight, ("bias", (out,))) if p.as_bool("bias") else weight


COUNTERS = frozenset({"num_batches_tracked"})
"""Tensor names that count rather than weigh: a file may lack them and nothing changes in the outputs."""
