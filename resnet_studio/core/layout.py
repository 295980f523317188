"""Automatic layout: a network drawn stage by stage, one column per stage, wrapped so it fills a 16:9 area.

Data flows top to bottom inside a column, as in the paper's figures; the next stage starts at the top of the next
column, under a band kept free for its label. A long stage is split over several columns between blocks (never
inside one, when that can be helped). A network without stages wraps its rows the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .graph import Graph
from .model import Position
from .shapes import Shape
from .stages import Stage, StagePlan, block_key, find_stages

CARD_WIDTH = 240.0
CARD_HEIGHT = 118.0
COLUMN_GAP = 40.0
"""Between branches side by side in one column (a projection shortcut beside its block's main path)."""
ROW_GAP = 46.0
STAGE_GAP = 130.0
"""Between columns: room for skip arcs and for the connection that climbs to the top of the next column."""
STAGE_BAND = 104.0
"""Room above a stage's first card for the stage's label."""
SLIDE = (1600.0, 900.0)
"""The 16:9 area, in scene units, a laid-out network should fill (a slide; the canvas when fitted)."""

_ROW = CARD_HEIGHT + ROW_GAP
_SLOT = CARD_WIDTH + COLUMN_GAP

Row = tuple[tuple[str, int], ...]
"""Nodes side by side: (node id, slot from the left)."""


@dataclass(frozen=True)
class Layout:
    """Where every card goes (top-left corners), the stages that decided it, and the size of the whole."""

    positions: dict[str, Position]
    plan: StagePlan
    width: float
    height: float


def layered_layout(graph: Graph, origin: Position = (0.0, 0.0)) -> dict[str, Position]:
    """Positions (top-left corners) that put every node below its inputs; side branches go to the right."""
    x0, y0 = origin
    return {
        node_id: (x0 + slot * _SLOT, y0 + depth * _ROW)
        for depth, row in enumerate(_rows(graph, graph.topological_order()))
        for node_id, slot in row
    }


def network_layout(
    graph: Graph, shapes: Mapping[str, Shape | None] | None = None, area: tuple[float, float] = SLIDE
) -> Layout:
    """Lay a network out stage by stage, choosing how many rows a column holds so the whole fills `area` best.

    `shapes` (output shape per node, from the analysis) lets a network without torchvision's names be cut into
    stages where its feature maps shrink.
    """
    plan = find_stages(graph, shapes)
    segments = _segments(graph, plan)
    total = sum(len(group) for _, groups in segments for group in groups)
    if total == 0:
        return Layout({}, plan, 0.0, 0.0)
    tallest_block = max(len(group) for _, groups in segments for group in groups)
    banded = bool(plan.stages)
    widths = {id(group): _width(group) for _, groups in segments for group in groups}
    longest = max(sum(len(g) for g in groups) for _, groups in segments)
    # beyond the longest segment plus what may share its column, more rows per column change nothing
    limits = range(min(tallest_block, total), min(total, longest + len(plan.lead) + len(plan.tail)) + 1)
    sizes = _Sizes(segments, banded, widths)

    def scale(limit: int) -> float:
        width, height = sizes.of(limit)
        return min(area[0] / width, area[1] / height, 1.0)

    limit = _best_limit(limits, scale, lambda limit: sizes.of(limit), area)
    return _place(_pack(segments, limit, banded, widths), plan)


_EVERY_LIMIT = 512
"""Up to this many candidate column heights each is tried; beyond, a bisection finds the best (big networks)."""


def _best_limit(
    limits: range,
    scale: Callable[[int], float],
    size: Callable[[int], tuple[float, float]],
    area: tuple[float, float],
) -> int:
    """The rows per column that give the largest scale; among equals, the most rows (the fewest wraps)."""
    if len(limits) <= _EVERY_LIMIT:
        best_scale, best = -1.0, limits[0]
        for limit in limits:
            value = scale(limit)
            if value >= best_scale - 1e-9:
                best_scale, best = max(value, best_scale), limit
        return best

    # Taller columns make the network narrower and taller: the scale the width allows grows with the limit,
    # the one the height allows shrinks, so the best limit is where they cross (found by bisection).
    def width_bound(limit: int) -> bool:
        width, height = size(limit)
        return area[0] / width < area[1] / height

    low, high = limits[0], limits[-1]
    while low < high:
        middle = (low + high) // 2
        if width_bound(middle):
            low = middle + 1
        else:
            high = middle
    best = max((c for c in (low - 1, low) if c in limits), key=lambda c: (scale(c), c))
    best_scale = scale(best)
    if best == limits[-1] or scale(best + 1) < best_scale - 1e-9:
        return best
    # the most rows that keep that scale (past the crossing the scale only falls as the limit grows)
    low, high = best, limits[-1]
    while low < high:
        middle = (low + high + 1) // 2
        if scale(middle) >= best_scale - 1e-9:
            low = middle
        else:
            high = middle - 1
    return low


class _Sizes:
    """Width and height of the packed columns for a limit, computed as _pack would place them without building
    the columns (big networks try dozens of limits)."""

    def __init__(self, segments: list[Segment], banded: bool, widths: dict[int, int]) -> None:
        self._banded = banded
        self._segments = [
            (
                stage is not None,
                sum(len(g) for g in groups),
                [(len(g), widths[id(g)], [row[-1][1] + 1 for row in g]) for g in groups],
            )
            for stage, groups in segments
        ]
        self._memo: dict[int, tuple[float, float]] = {}

    def of(self, limit: int) -> tuple[float, float]:
        """(width, height) of the layout with at most `limit` rows per column."""
        if limit not in self._memo:
            self._memo[limit] = self._measure(limit)
        return self._memo[limit]

    def _measure(self, limit: int) -> tuple[float, float]:
        columns = 1
        width = 0.0
        height = 0.0
        rows = bands = 0
        slots = 1
        staged = has_entries = False
        for is_stage, size, groups in self._segments:
            share = math.ceil(size / math.ceil(size / limit)) if is_stage else limit
            starting = is_stage
            in_column = 0
            for count, group_width, row_widths in groups:
                for start in range(0, count, limit) if count > limit else (0,):
                    piece = count - start if count - start < limit else limit
                    if rows and (
                        rows + piece > limit
                        or (is_stage and in_column + piece > share)
                        or (starting and staged)
                    ):
                        width += slots * _SLOT - COLUMN_GAP
                        column_height = rows * _ROW - ROW_GAP + bands * STAGE_BAND
                        if column_height > height:
                            height = column_height
                        columns += 1
                        rows = bands = in_column = 0
                        slots = 1
                        staged = has_entries = False
                    if starting or (not has_entries and self._banded):
                        bands += 1
                        starting = False
                    has_entries = True
                    rows += piece
                    piece_width = group_width if piece == count else max(row_widths[start : start + piece])
                    if piece_width > slots:
                        slots = piece_width
                    in_column += piece
                    staged = staged or is_stage
        width += slots * _SLOT - COLUMN_GAP
        height = max(height, rows * _ROW - ROW_GAP + bands * STAGE_BAND)
        return width + STAGE_GAP * (columns - 1), height


# --- rows and blocks ----------------------------------------------------------------------------------------


def _rows(graph: Graph, order: Sequence[str]) -> list[Row]:
    """Topological layers of these nodes (edges from outside them ignored), each ordered by its inputs' slots."""
    members = set(order)
    index = {node_id: i for i, node_id in enumerate(order)}
    depth: dict[str, int] = {}
    for node_id in order:
        preds = [p for p in graph.predecessors(node_id) if p in members]
        depth[node_id] = max((depth[p] + 1 for p in preds), default=0)
    layers: dict[int, list[str]] = {}
    for node_id in order:
        layers.setdefault(depth[node_id], []).append(node_id)
    slot_of: dict[str, int] = {}
    rows: list[Row] = []
    for level in sorted(layers):
        level_members = layers[level]

        def barycentre(node_id: str) -> float:
            preds = [p for p in graph.predecessors(node_id) if p in members]
            return sum(slot_of[p] for p in preds) / len(preds) if preds else 0.0

        wanted = {n: barycentre(n) for n in level_members}
        level_members.sort(key=lambda n: (wanted[n], index[n]))
        free = _FreeSlots()
        row: list[tuple[str, int]] = []
        for node_id in level_members:
            slot = free.take(round(wanted[node_id]))
            slot_of[node_id] = slot
            row.append((node_id, slot))
        rows.append(tuple(sorted(row, key=lambda item: item[1])))
    return rows


class _FreeSlots:
    """The first free slot at or right of a wanted one, in near-constant time (a union-find over taken slots)."""

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def take(self, wanted: int) -> int:
        """Claim and return the first free slot >= wanted."""
        slot = wanted
        path = []
        while slot in self._next:
            path.append(slot)
            slot = self._next[slot]
        for taken in path:
            self._next[taken] = slot  # path compression: later searches jump straight here
        self._next[slot] = slot + 1
        return slot


def _blocks(graph: Graph, rows: list[Row]) -> list[list[Row]]:
    """Consecutive rows of one block ('layer2.1' and the layers exploded from it) kept together."""
    groups: list[list[Row]] = []
    previous = None
    for row in rows:
        key = block_key(graph.node(row[0][0]).name)
        if groups and key == previous:
            groups[-1].append(row)
        else:
            groups.append([row])
        previous = key
    return groups


Segment = tuple[Stage | None, list[list[Row]]]


def _segments(graph: Graph, plan: StagePlan) -> list[Segment]:
    parts: list[tuple[Stage | None, Iterable[str]]] = [(None, plan.lead)]
    parts += [(stage, stage.node_ids) for stage in plan.stages]
    parts.append((None, plan.tail))
    return [(stage, _blocks(graph, _rows(graph, tuple(ids)))) for stage, ids in parts if ids]


# --- columns ------------------------------------------------------------------------------------------------


@dataclass
class _Column:
    entries: list[Row | Stage | None]
    """Rows of cards, and bands: a Stage (its label goes there) or None (a blank band that keeps rows aligned)."""
    rows: int = 0
    slots: int = 1
    """Branches side by side in its widest row."""
    bands: int = 0
    staged: bool = False
    """Holds a stage already (the next stage starts a new column)."""


def _pack(segments: list[Segment], limit: int, banded: bool, widths: dict[int, int]) -> list[_Column]:
    """Fill columns of at most `limit` rows; every stage starts a column; a long stage is split evenly.

    `widths` maps id(group) to its widest row (computed once for every `limit` tried)."""
    columns = [_Column([])]
    for stage, groups in segments:
        size = sum(len(g) for g in groups)
        share = math.ceil(size / math.ceil(size / limit)) if stage is not None else limit
        starting = stage is not None
        in_column = 0
        for group in groups:
            for start in range(0, len(group), limit):
                piece = group[start : start + limit]
                column = columns[-1]
                full = column.rows + len(piece) > limit or (
                    stage is not None and in_column + len(piece) > share
                )
                if column.rows and (full or (starting and column.staged)):
                    column = _Column([])
                    columns.append(column)
                    in_column = 0
                if starting or (not column.entries and banded):
                    column.entries.append(stage if starting else None)
                    column.bands += 1
                    starting = False
                column.entries.extend(piece)
                column.rows += len(piece)
                column.slots = max(
                    column.slots, _width(piece) if len(piece) != len(group) else widths[id(group)]
                )
                in_column += len(piece)
                column.staged = column.staged or stage is not None
    return columns


def _width(rows: list[Row]) -> int:
    return max(row[-1][1] + 1 for row in rows)


def _size(columns: list[_Column]) -> tuple[float, float]:
    """Width and height of the cards once placed."""
    width = sum(c.slots * _SLOT - COLUMN_GAP for c in columns) + STAGE_GAP * (len(columns) - 1)
    height = max(c.rows * _ROW - ROW_GAP + c.bands * STAGE_BAND for c in columns)
    return width, height


def _place(columns: list[_Column], plan: StagePlan) -> Layout:
    positions: dict[str, Position] = {}
    x = 0.0
    height = 0.0
    for column in columns:
        y = 0.0
        for entry in column.entries:
            if not isinstance(entry, tuple):
                y += STAGE_BAND
                continue
            for node_id, slot in entry:
                positions[node_id] = (x + slot * _SLOT, y)
            y += _ROW
        height = max(height, y - ROW_GAP)
        x += column.slots * _SLOT - COLUMN_GAP + STAGE_GAP
    return Layout(positions, plan, x - STAGE_GAP, height)


__all__ = [
    "CARD_HEIGHT",
    "CARD_WIDTH",
    "COLUMN_GAP",
    "ROW_GAP",
    "SLIDE",
    "STAGE_BAND",
    "STAGE_GAP",
    "Layout",
    "layered_layout",
    "network_layout",
]
