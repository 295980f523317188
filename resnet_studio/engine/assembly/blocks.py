"""Composite blocks (Stem, BasicBlock, Bottleneck, Stage, Head) built from their catalogue plan.

The plan is the one source of truth shared with the analysis and the canvas expansion. A plan of the residual
shape (a main chain from the input, a shortcut chain, an Add, then a tail) becomes a ResidualBlock, whose
forward is the straight-line code of torchvision's BasicBlock/Bottleneck; a plain chain becomes a Sequential.
Modules are registered under the plan's local names (conv1, bn1, downsample.0, ...), so state_dict keys are
torchvision's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch.nn as nn
from torch import Tensor

from ...core.catalogue import Role, Step, evaluate, get_spec
from ...core.params import Params
from ...core.shapes import Shape, TensorInfo
from .layers import make_layer


def attach(parent: nn.Module, dotted: str, module: nn.Module) -> None:
    """Register `module` under a dotted path ('downsample.0'), creating Sequential containers on the way."""
    *outer, leaf = dotted.split(".")
    for part in outer:
        child = parent._modules.get(part)
        if child is None:
            child = nn.Sequential()
            parent.add_module(part, child)
        parent = child
    parent.add_module(leaf, module)


class ResidualBlock(nn.Module):
    """A residual block: the main chain, plus the shortcut added to it (unless the skip is off), then the tail.

    With torchvision's plan this computes exactly BasicBlock/Bottleneck.forward:
    out = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)).
    """

    def __init__(
        self, main: Sequence[nn.Module], shortcut: Sequence[nn.Module] | None, tail: Sequence[nn.Module]
    ):
        super().__init__()
        # Plain tuples of references to the registered children: a straight loop, no name lookups per call.
        self._main = tuple(main)
        self._shortcut = None if shortcut is None else tuple(shortcut)
        self._tail = tuple(tail)

    def forward(self, x: Tensor) -> Tensor:
        out = x
        for layer in self._main:
            out = layer(out)
        if self._shortcut is not None:
            identity = x
            for layer in self._shortcut:
                identity = layer(identity)
            if out is x:
                out = out + identity
            else:
                out += identity  # in place, as torchvision does: saves one feature map
        for layer in self._tail:
            out = layer(out)
        return out

    @property
    def has_skip(self) -> bool:
        """True when the block adds a shortcut (False for the plain twin)."""
        return self._shortcut is not None


class PlanModule(nn.Module):
    """Any other plan, run step by step (only for plans that are neither a chain nor a residual block)."""

    def __init__(self, steps: Sequence[tuple[nn.Module, tuple[int, ...]]]) -> None:
        super().__init__()
        self._steps = tuple(steps)

    def forward(self, x: Tensor) -> Tensor:
        values = [x]
        for layer, sources in self._steps:
            values.append(layer(*[values[i] for i in sources]))
        return values[-1]


@dataclass(frozen=True)
class BlockOrigin:
    """What a composite block's module was built from: its type, parameters and input shape."""

    type: str
    params: Params
    input_shape: Shape


@dataclass(frozen=True)
class BuiltStep:
    """One built step of a plan: its local name, module and output."""

    step: Step
    module: nn.Module
    output: TensorInfo


def build_steps(steps: Sequence[Step], block_input: TensorInfo, *, inplace: bool = True) -> list[BuiltStep]:
    """Modules of every step of a plan, with the shapes the analysis gives them."""
    env: dict[str, TensorInfo] = {"": block_input}
    built: list[BuiltStep] = []
    users: dict[str, int] = {}
    for step in steps:
        for source in step.inputs:
            users[source] = users.get(source, 0) + 1
    for step in steps:
        inputs = tuple(env[name] for name in step.inputs)
        output = evaluate(step.type, step.params, inputs).output  # raises LayerProblem when it cannot run
        # An in-place ReLU is safe when it alone reads a tensor the block made (never the block's own input).
        safe_inplace = inplace and step.inputs[0] != "" and users.get(step.inputs[0], 0) == 1
        module = build_module(step.type, step.params, tuple(i.shape for i in inputs), inplace=safe_inplace)
        env[step.name] = output
        built.append(BuiltStep(step, module, output))
    return built


def build_module(
    type_name: str, params: Params, in_shapes: tuple[Shape, ...], *, inplace: bool = False
) -> nn.Module:
    """The module of a block (primitive or composite) on inputs of known shapes."""
    spec = get_spec(type_name)
    if spec.plan is None:
        return make_layer(spec.type_name, params, in_shapes, inplace=inplace)
    return build_block(spec.type_name, params, in_shapes[0])


def build_block(type_name: str, params: Params, in_shape: Shape) -> nn.Module:
    """A composite block from its catalogue plan: ResidualBlock, Sequential or (for other shapes) PlanModule."""
    spec = get_spec(type_name)
    assert spec.plan is not None
    block_input = TensorInfo(in_shape)
    steps = spec.plan(params, (block_input,))
    built = build_steps(steps, block_input)
    # A residual block with its skip off is still a block (ResidualBlock without a shortcut), not a Sequential.
    residual = spec.role is Role.RESIDUAL and not any(get_spec(b.step.type).is_composite for b in built)
    module = assemble(built, block=residual)
    # A plain attribute (not a parameter or module), for exporting the block as readable code.
    object.__setattr__(module, "origin", BlockOrigin(spec.type_name, params, in_shape))
    return module


def assemble(built: Sequence[BuiltStep], *, block: bool = False) -> nn.Module:
    """Pick the fastest module that runs these steps exactly as the plan says (`block`: a residual block)."""
    chain = chain_order(built)
    if chain is not None and block:
        return _registered(ResidualBlock([b.module for b in built], None, []), built)
    if chain is not None:
        module: nn.Module = nn.Sequential()
        for item in built:
            attach(module, item.step.name, item.module)
        if all("." not in item.step.name for item in built):
            return module
        return _registered(ResidualBlock([b.module for b in built], None, []), built)
    residual = residual_parts(built)
    if residual is not None:
        main, shortcut, tail = residual
        # The block's forward does the addition itself (in place), so the Add step needs no module.
        merged = [b for b in built if get_spec(b.step.type).role is not Role.MERGE]
        return _registered(ResidualBlock(main, shortcut, tail), merged)
    index = {item.step.name: i + 1 for i, item in enumerate(built)}
    index[""] = 0
    plan = PlanModule([(item.module, tuple(index[s] for s in item.step.inputs)) for item in built])
    return _registered(plan, built)


def _registered(block: nn.Module, built: Sequence[BuiltStep]) -> nn.Module:
    for item in built:
        attach(block, item.step.name, item.module)
    return block


def chain_order(built: Sequence[BuiltStep]) -> list[BuiltStep] | None:
    """The steps when they form one chain from the block input (each reads the previous one), else None."""
    previous = ""
    for item in built:
        if item.step.inputs != (previous,):
            return None
        previous = item.step.name
    return list(built)


def residual_parts(
    built: Sequence[BuiltStep],
) -> tuple[list[nn.Module], list[nn.Module], list[nn.Module]] | None:
    """(main, shortcut, tail) modules when the plan is chain + shortcut chain -> Add(2) -> chain, else None."""
    adds = [i for i, item in enumerate(built) if get_spec(item.step.type).role is Role.MERGE]
    if len(adds) != 1 or len(built[adds[0]].step.inputs) != 2:
        return None
    add = built[adds[0]].step
    by_name = {item.step.name: item for item in built}

    def chain_to(end: str) -> list[BuiltStep] | None:
        path: list[BuiltStep] = []
        while end != "":
            item = by_name.get(end)
            if item is None or len(item.step.inputs) != 1:
                return None
            path.append(item)
            end = item.step.inputs[0]
        return path[::-1]

    main, shortcut = chain_to(add.inputs[0]), chain_to(add.inputs[1])
    if not main or shortcut is None:
        return None
    tail: list[BuiltStep] = []
    previous = add.name
    for item in built[adds[0] + 1 :]:
        if item.step.inputs != (previous,):
            return None
        tail.append(item)
        previous = item.step.name
    used = {id(item) for item in (*main, *shortcut, *tail)} | {id(built[adds[0]])}
    if len(used) != len(built):
        return None  # a step the three chains do not account for
    if {id(item) for item in main} & {id(item) for item in shortcut}:
        return None  # the shortcut branches off the main chain (pre-activation): each step must run once
    return [m.module for m in main], [s.module for s in shortcut], [t.module for t in tail]


__all__ = ["BlockOrigin", "ResidualBlock", "assemble", "attach", "build_block", "build_module", "build_steps"]
