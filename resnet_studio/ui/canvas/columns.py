"""The columns the canvas's cards stand in, and the route of a connection that climbs into a later one (the next
stage): over the top of that column, and down its right side to a card lower in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from ...core.layout import CARD_HEIGHT, CARD_WIDTH, COLUMN_GAP
from ...core.model import Position

WRAP_CLEARANCE = 12.0
"""How far above a column's first card (or its stage label) a connection from the previous column runs."""
SIDE_GAP = 20.0
"""How far right of a column a connection into one of its lower cards runs down."""

Wrap = tuple[float, float, "float | None"]
"""Where a connection climbs (x), how high it crosses over (y), and the x it comes down at (None: at the top)."""


class Column(NamedTuple):
    """Where a column of cards stands: its sides, its first card's top, and the top of its stage label."""

    left: float
    right: float
    card_top: float
    route_top: float


def find_columns(positions: Iterable[Position], label_tops: Mapping[float, float]) -> list[Column]:
    """The columns of cards at these top-left corners, left to right (cards side by side in a column are one
    column); `label_tops`: the top of the stage label above a card, by the card's left x.

    One sort of the model's positions: read after every edit that moves cards, on networks of hundreds."""
    columns: list[Column] = []
    left = right = card_top = route_top = 0.0
    for x, y in sorted(positions):
        top = min(y, label_tops.get(x, y))
        if columns and x <= right + COLUMN_GAP + 1.0:
            right = max(right, x + CARD_WIDTH)
            card_top, route_top = min(card_top, y), min(route_top, top)
            continue
        if columns:
            columns[-1] = Column(left, right, card_top, route_top)
        left, right, card_top, route_top = x, x + CARD_WIDTH, y, top
        columns.append(Column(left, right, card_top, route_top))
    if columns:
        columns[-1] = Column(left, right, card_top, route_top)
    return columns


def may_climb(src: Position, dst: Position) -> bool:
    """Whether a connection between cards at these corners can climb into another column (up and to the right):
    the ones whose route changes when the columns do."""
    return dst[0] > src[0] and dst[1] < src[1] + CARD_HEIGHT


def wrap_route(
    start: tuple[float, float], end: tuple[float, float], dst: Position, columns: Callable[[], list[Column]]
) -> Wrap | None:
    """The route of a connection from an output at `start` up into an input at `end` of the card at `dst` in a
    column further right; None when it does not climb into another column. `columns` is asked only then: most
    connections run down their own column, and a drag step should not find the columns for them."""
    if end[1] > start[1] - CARD_HEIGHT or end[0] - start[0] < CARD_WIDTH * 0.75:
        return None
    found = columns()
    index = next((i for i, c in enumerate(found) if c.left - 1.0 <= dst[0] <= c.right), None)
    if index is None or index == 0 or start[0] >= found[index].left:
        return None
    column = found[index]
    gap_x = (found[index - 1].right + column.left) / 2
    side = column.right + SIDE_GAP if dst[1] > column.card_top + 1.0 else None
    return gap_x, column.route_top - WRAP_CLEARANCE, side
