"""Columns of cards and the route of a connection climbing into the next one, without a scene."""

from __future__ import annotations

from resnet_studio.core.layout import CARD_HEIGHT, CARD_WIDTH, COLUMN_GAP
from resnet_studio.ui.canvas.columns import (
    SIDE_GAP,
    WRAP_CLEARANCE,
    Column,
    find_columns,
    may_climb,
    wrap_route,
)


def test_cards_side_by_side_make_one_column_and_a_label_raises_its_route() -> None:
    row = CARD_HEIGHT + 46.0
    branch = CARD_WIDTH + COLUMN_GAP
    positions = [(0.0, 0.0), (0.0, row), (branch, row), (1000.0, 100.0), (1000.0, 100.0 + row)]
    columns = find_columns(positions, {1000.0: 20.0})
    assert columns == [
        Column(0.0, branch + CARD_WIDTH, 0.0, 0.0),
        Column(1000.0, 1000.0 + CARD_WIDTH, 100.0, 20.0),
    ]


def test_a_connection_climbs_into_the_next_column_over_its_top_or_down_its_side() -> None:
    columns = [Column(0.0, CARD_WIDTH, 0.0, 0.0), Column(500.0, 500.0 + CARD_WIDTH, 100.0, 20.0)]
    asked: list[int] = []

    def found() -> list[Column]:
        asked.append(1)
        return columns

    bottom = (CARD_WIDTH / 2, 600.0)
    top_card, lower_card = (500.0, 100.0), (500.0, 400.0)
    gap_x = (CARD_WIDTH + 500.0) / 2
    assert wrap_route(bottom, (620.0, 100.0), top_card, found) == (gap_x, 20.0 - WRAP_CLEARANCE, None)
    side = 500.0 + CARD_WIDTH + SIDE_GAP
    assert wrap_route(bottom, (620.0, 400.0), lower_card, found) == (gap_x, 20.0 - WRAP_CLEARANCE, side)
    asked.clear()
    # Down its own column: no route to find, and the columns are not even asked for (a drag step routes these).
    assert wrap_route((120.0, 118.0), (120.0, 164.0), (0.0, 164.0), found) is None and not asked
    assert may_climb((0.0, 600.0), (500.0, 100.0)) and not may_climb((0.0, 0.0), (0.0, 164.0))
