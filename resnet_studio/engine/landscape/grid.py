"""The order in which grid points are computed: a coarse grid first, then finer ones, never a point twice; and
how the points are cut into batches and shared between processes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GridPoint:
    """A point to compute: where it sits in the grid, and the refinement level it first appears in."""

    index: tuple[int, ...]
    level: int


def axis_levels(grid: int, coarse: int) -> list[list[int]]:
    """Indices along one axis, level by level: `coarse` evenly spread ones, then about twice as many, and so on
    until every index of `grid` is in; each level holds only the indices that are new in it."""
    levels: list[list[int]] = []
    seen: set[int] = set()
    count = min(coarse, grid)
    while True:
        wanted = sorted({int(i) for i in np.rint(np.linspace(0, grid - 1, count))} - seen)
        levels.append(wanted)
        seen.update(wanted)
        if len(seen) == grid:
            return levels
        count = min(2 * count - 1, grid)


def refinement_order(grid: int, coarse: int, dimensions: int) -> list[GridPoint]:
    """Every point of the grid exactly once: the coarse grid first, then each finer grid's new points."""
    levels = axis_levels(grid, coarse)
    order: list[GridPoint] = []
    known: list[int] = []
    for level, new in enumerate(levels):
        known = sorted([*known, *new])
        fresh = set(new)
        if dimensions == 1:
            order += [GridPoint((i,), level) for i in new]
        else:
            # The new points of the finer tensor grid: every pair with at least one new index.
            order += [GridPoint((i, j), level) for i in known for j in known if i in fresh or j in fresh]
    return order


def batches(points: Sequence[GridPoint], size: int) -> list[list[GridPoint]]:
    """Consecutive points in batches of `size`, a batch never spanning two levels (so the coarse picture is
    complete before finer points start)."""
    out: list[list[GridPoint]] = []
    for point in points:
        if out and len(out[-1]) < size and out[-1][-1].level == point.level:
            out[-1].append(point)
        else:
            out.append([point])
    return out


def rounds(chunks: Sequence[list[GridPoint]], processes: int) -> Iterator[list[list[GridPoint]]]:
    """Batches in rounds of one per process: in round r, process k computes batch r * processes + k. The batches
    do not depend on the number of processes, so each point is computed the same way however many share it."""
    for start in range(0, len(chunks), processes):
        yield list(chunks[start : start + processes])
