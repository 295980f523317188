"""Automatic layout: topological layers from top to bottom, as in the paper's figures."""

from __future__ import annotations

from .graph import Graph
from .model import Position

CARD_WIDTH = 240.0
CARD_HEIGHT = 118.0
COLUMN_GAP = 40.0
ROW_GAP = 46.0


def layered_layout(graph: Graph, origin: Position = (0.0, 0.0)) -> dict[str, Position]:
    """Positions (top-left corners) that put every node below its inputs; side branches go to the right."""
    order = graph.topological_order()
    index = {node_id: i for i, node_id in enumerate(order)}
    layer: dict[str, int] = {}
    for node_id in order:
        preds = graph.predecessors(node_id)
        layer[node_id] = max((layer[p] + 1 for p in preds), default=0)
    rows: dict[int, list[str]] = {}
    for node_id in order:
        rows.setdefault(layer[node_id], []).append(node_id)
    column: dict[str, float] = {}
    for depth in sorted(rows):
        members = rows[depth]

        def barycentre(node_id: str) -> float:
            preds = graph.predecessors(node_id)
            return sum(column[p] for p in preds) / len(preds) if preds else 0.0

        members.sort(key=lambda n: (barycentre(n), index[n]))
        taken: set[int] = set()
        for node_id in members:
            slot = round(barycentre(node_id))
            while slot in taken:
                slot += 1
            taken.add(slot)
            column[node_id] = float(slot)
    x0, y0 = origin
    return {
        node_id: (
            x0 + column[node_id] * (CARD_WIDTH + COLUMN_GAP),
            y0 + layer[node_id] * (CARD_HEIGHT + ROW_GAP),
        )
        for node_id in order
    }
