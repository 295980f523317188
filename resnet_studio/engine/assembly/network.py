"""The top-level module: runs the graph's nodes in topological order (Input nodes in, Output nodes out)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch.nn as nn
from torch import Tensor

from ...core.analysis import Analysis
from ...core.model import GraphSnapshot
from ...core.shapes import Shape

INPUT, PASS, CALL = 0, 1, 2
"""What a program entry does: nothing (an Input's value is given), pass its input on (Output), call a module."""


@dataclass(frozen=True)
class NodeInfo:
    """How one graph node became part of the module."""

    node_id: str
    name: str
    type: str
    index: int
    """Position in topological order (the node's slot in a run)."""
    module_path: str | None
    """Dotted path of the node's module ('layer1.0'); None for Input/Output and for flat-named blocks."""
    layer_paths: tuple[str, ...]
    """Every module path that belongs to this node (the stem's conv1, bn1, relu, maxpool)."""
    inputs: tuple[int, ...]
    """Indices of the nodes feeding this one, in port order."""
    output_shape: Shape | None
    """The analysed output shape, without the batch dimension."""
    is_block: bool
    """True for composite blocks (Stem, residual blocks, Stage, Head)."""


@dataclass(frozen=True)
class NetworkInfo:
    """What a built network was built from: the graph snapshot, its analysis and the node table."""

    snapshot: GraphSnapshot
    analysis: Analysis
    nodes: tuple[NodeInfo, ...]
    inputs: tuple[int, ...]
    """Indices of the Input nodes: the order of forward()'s arguments."""
    outputs: tuple[int, ...]
    """Indices of the Output nodes: the order of forward()'s results."""

    def find(self, name_or_id: str) -> NodeInfo | None:
        """The node with this name (or id), or None."""
        for node in self.nodes:
            if node.name == name_or_id:
                return node
        for node in self.nodes:
            if node.node_id == name_or_id:
                return node
        return None


class FlatChain:
    """Runs layers registered elsewhere (a flat-named Stem or Head) one after the other."""

    def __init__(self, layers: Sequence[nn.Module]) -> None:
        self.layers = tuple(layers)

    def __call__(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


Program = tuple[tuple[int, object, int, tuple[int, ...], tuple[int, ...]], ...]
"""Entries (kind, callable, slot, input slots, slots to free afterwards), one per node in topological order."""


class Network(nn.Module):
    """A graph as a torch module. forward(x, *more) takes one tensor per Input node, returns one per Output."""

    def __init__(self, info: NetworkInfo) -> None:
        super().__init__()
        self.info = info
        self._program: Program = ()

    def set_program(self, program: Program) -> None:
        """Install the execution plan (the builder calls this once every module is registered)."""
        self._program = program

    def forward(self, x: Tensor, *more: Tensor) -> Tensor | tuple[Tensor, ...]:
        values: list[Tensor | None] = [None] * len(self._program)
        for slot, value in zip(self.info.inputs, (x, *more)):
            values[slot] = value
        for kind, fn, slot, args, free in self._program:
            if kind == CALL:
                if len(args) == 1:
                    values[slot] = fn(values[args[0]])  # type: ignore[operator]
                else:
                    values[slot] = fn(*[values[a] for a in args])  # type: ignore[operator]
            elif kind == PASS:
                values[slot] = values[args[0]]
            for f in free:
                values[f] = None
        outputs = tuple(values[i] for i in self.info.outputs)
        return outputs[0] if len(outputs) == 1 else outputs  # type: ignore[return-value]

    def iterate(self, *inputs: Tensor) -> Iterator[tuple[int, Tensor]]:
        """Run node by node, yielding (node index, output) after each: for capture, timing, progress and cancel.

        Every node is yielded, Input and Output nodes included. Stopping early is cancelling the run.
        """
        if len(inputs) != len(self.info.inputs):
            raise TypeError(f"the network takes {len(self.info.inputs)} input(s), got {len(inputs)}")
        values: list[Tensor | None] = [None] * len(self._program)
        for slot, value in zip(self.info.inputs, inputs):
            values[slot] = value
        for kind, fn, slot, args, free in self._program:
            if kind == CALL:
                values[slot] = fn(*[values[a] for a in args])  # type: ignore[operator]
            elif kind == PASS:
                values[slot] = values[args[0]]
            output = values[slot]
            assert output is not None
            for f in free:
                if f != slot:
                    values[f] = None
            yield slot, output
            if slot in free:
                values[slot] = None

    def outputs_of(self, values: dict[int, Tensor]) -> Tensor | tuple[Tensor, ...]:
        """forward()'s result from the values iterate() yielded."""
        outputs = tuple(values[i] for i in self.info.outputs)
        return outputs[0] if len(outputs) == 1 else outputs
