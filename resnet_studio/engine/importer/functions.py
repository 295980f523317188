"""Functions and tensor methods in a traced forward as catalogue blocks: relu, the residual addition, flatten,
global average pooling. Anything else is refused, naming the submodule whose forward calls it."""

from __future__ import annotations

import operator
from collections.abc import Callable

import torch
import torch.fx as fx
import torch.nn.functional as F

from ...core.params import ParamValue
from .errors import UnsupportedModuleError
from .layers import ADD_FUNCTIONS, FLATTEN_FUNCTIONS, RELU_FUNCTIONS, RELU_METHODS

HELPER = "helper"
"""A value that only feeds another operation's arguments (x.size(0) in x.view(x.size(0), -1))."""

Blocks = tuple[tuple[str, dict[str, ParamValue]], ...]
"""The blocks one operation becomes, in order (mean over H and W without keepdim: pool, then flatten)."""

_ADD_METHODS = frozenset({"add", "add_", "__add__", "__iadd__"})
_RESHAPES = frozenset({"view", "reshape"})
_MEANS = ({2, 3}, {-2, -1})


def enclosing(node: fx.Node) -> tuple[str, str]:
    """(path, class name) of the innermost module whose forward made this node ('' for the model itself)."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return "", ""
    path, (_, kind) = list(stack.items())[-1]
    return str(path), getattr(kind, "__name__", str(kind))


def refuse(node: fx.Node, what: str, model_type: str) -> UnsupportedModuleError:
    """The refusal of an operation, naming the submodule (or the model) whose forward uses it."""
    path, kind = enclosing(node)
    where = f"{path} ({kind})" if path else f"the model ({model_type})"
    return UnsupportedModuleError(
        f"{where} uses {what}, which no catalogue block expresses", path, kind or model_type
    )


def _name(node: fx.Node) -> str:
    target = node.target
    if isinstance(target, str):
        return f"tensor.{target}()"
    module = (getattr(target, "__module__", "") or "").replace("torch._C._nn", "torch.nn.functional")
    return f"{module.lstrip('_')}.{getattr(target, '__name__', target)}()"


def function_blocks(node: fx.Node, kinds: Callable[[fx.Node], str], model_type: str) -> Blocks | str:
    """The blocks a call_function/call_method node becomes, or HELPER; `kinds` says what an argument is
    ('tensor' or HELPER)."""
    target, args = node.target, node.args
    tensor_args = [a for a in args if isinstance(a, fx.Node) and kinds(a) != HELPER]
    if node.op == "call_method" and target == "size":
        return HELPER
    if target is getattr and args[1:] == ("shape",):
        return HELPER
    if target is operator.getitem and isinstance(args[0], fx.Node) and kinds(args[0]) == HELPER:
        return HELPER
    if target in RELU_FUNCTIONS or (node.op == "call_method" and target in RELU_METHODS):
        return (("ReLU", {}),)
    is_add = target in ADD_FUNCTIONS or (node.op == "call_method" and target in _ADD_METHODS)
    if is_add and not node.kwargs and len(args) == 2 and len(tensor_args) == 2:
        return (("Add", {"inputs": 2}),)
    if target in FLATTEN_FUNCTIONS or (node.op == "call_method" and target == "flatten"):
        start = args[1] if len(args) > 1 else node.kwargs.get("start_dim", 0)
        end = args[2] if len(args) > 2 else node.kwargs.get("end_dim", -1)
        if start == 1 and end == -1:
            return (("Flatten", {}),)
    if node.op == "call_method" and target in _RESHAPES and len(args) == 3:
        size = args[1]
        if isinstance(size, fx.Node) and size.target == "size" and size.args[1:] == (0,) and args[2] == -1:
            return (("Flatten", {}),)
    if target is F.adaptive_avg_pool2d and len(args) == 2 and args[1] in (1, (1, 1)):
        return (("GlobalAvgPool", {}),)
    if target is F.avg_pool2d and _covers_all(node, kinds):
        return (("GlobalAvgPool", {}),)
    if (node.op == "call_method" and target == "mean") or target is torch.mean:
        dims = args[1] if len(args) > 1 else node.kwargs.get("dim")
        keep = node.kwargs.get("keepdim", args[2] if len(args) > 2 else False)
        if isinstance(dims, (tuple, list)) and set(dims) in _MEANS:
            return (("GlobalAvgPool", {}),) if keep else (("GlobalAvgPool", {}), ("Flatten", {}))
    raise refuse(node, _name(node), model_type)


def _covers_all(node: fx.Node, kinds: Callable[[fx.Node], str]) -> bool:
    """avg_pool2d whose window is the whole map (the CIFAR scripts' F.avg_pool2d(x, x.size(3)))."""
    source = node.args[0]
    before = source.meta.get("shape") if isinstance(source, fx.Node) else None
    after = node.meta.get("shape")
    if before is None or after is None or len(before) != 4 or len(node.args) < 2:
        return False
    kernel, side = node.args[1], before[2]
    helper = isinstance(kernel, fx.Node) and kinds(kernel) == HELPER
    sized = helper or kernel == side or kernel == (side, side)
    return sized and before[3] == side and tuple(after[2:]) == (1, 1)
