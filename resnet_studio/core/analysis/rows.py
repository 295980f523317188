"""What the analysis keeps per node (a row), and the read-only mapping that turns rows into NodeAnalysis values
when a view first asks for one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from math import prod

from ..catalogue import LayerCost
from ..catalogue.registry import Placed
from ..frozen import builder
from ..shapes import Shape
from .results import Diagnostic, NodeAnalysis

Row = tuple[str, tuple[Shape | None, ...], LayerCost | None, Placed | None, tuple[Diagnostic, ...], bool]
"""One node's figures as the analysis computes them: (block type, input shapes, the cost of the block on those
shapes or None when unknown, what its output carries, diagnostics, whether its output is a tensor of its own).
A NodeAnalysis (a dozen fields) is made from it only when read: a deep network's re-analysis then costs a
tuple per node, not an object."""

_node_analysis = builder(NodeAnalysis)


def node_analysis(node_id: str, row: Row, scale: int) -> NodeAnalysis:
    """The NodeAnalysis of a row, with memory figures for `scale` bytes per element of the whole batch."""
    block_type, input_shapes, cost, info, diagnostics, keeps_output = row
    if cost is None or info is None:
        return _node_analysis(node_id, block_type, input_shapes, None, diagnostics=diagnostics)
    shape, rf, jump = info
    return _node_analysis(
        node_id,
        block_type,
        input_shapes,
        shape,
        cost.params,
        cost.buffers,
        cost.macs,
        prod(shape) * scale if keeps_output else 0,
        cost.kept * scale,
        rf if shape else None,
        jump,
        diagnostics,
    )


class NodeResults(Mapping[str, NodeAnalysis]):
    """The per-node results of one analysis, by node id: immutable, each NodeAnalysis made on its first read."""

    __slots__ = ("_made", "_rows", "_scale")

    def __init__(self, rows: dict[str, Row], scale: int) -> None:
        self._rows = rows
        self._scale = scale
        self._made: dict[str, NodeAnalysis] = {}

    def __getitem__(self, node_id: str) -> NodeAnalysis:
        made = self._made.get(node_id)
        if made is None:
            # setdefault is atomic: threads that read the same node at once all get the first value made.
            made = self._made.setdefault(node_id, node_analysis(node_id, self._rows[node_id], self._scale))
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._rows

    def __repr__(self) -> str:
        return f"NodeResults({len(self._rows)} nodes)"
