"""The order of the grid's points: coarse first, every point once, batches and rounds that do not depend on how
many processes share them."""

from __future__ import annotations

import pytest

from resnet_studio.engine.landscape.grid import axis_levels, batches, refinement_order, rounds


@pytest.mark.parametrize(("grid", "coarse"), [(21, 5), (11, 5), (12, 5), (3, 5), (51, 6), (4, 2)])
def test_every_point_comes_once_and_the_coarse_grid_first(grid: int, coarse: int) -> None:
    for dimensions in (1, 2):
        order = refinement_order(grid, coarse, dimensions)
        indices = [p.index for p in order]
        assert len(indices) == len(set(indices)) == grid**dimensions
        assert [p.level for p in order] == sorted(p.level for p in order)
        first = axis_levels(grid, coarse)[0]
        assert len(first) == min(coarse, grid) and first[0] == 0 and first[-1] == grid - 1
        coarse_points = {p.index for p in order if p.level == 0}
        assert coarse_points == {tuple(ix) for ix in _product(first, dimensions)}


def test_a_21_grid_refines_from_a_5x5_subgrid() -> None:
    assert axis_levels(21, 5) == [
        [0, 5, 10, 15, 20],
        [2, 8, 12, 18],
        [1, 4, 6, 9, 11, 14, 16, 19],
        [3, 7, 13, 17],
    ]
    order = refinement_order(21, 5, 2)
    # Each finer level completes a finer tensor grid: after level 1, the 9 x 9 grid of levels 0 and 1.
    after_two = {p.index for p in order if p.level <= 1}
    axis = [0, 2, 5, 8, 10, 12, 15, 18, 20]
    assert after_two == {(i, j) for i in axis for j in axis}


def test_batches_never_span_levels_and_rounds_give_each_process_one() -> None:
    order = refinement_order(9, 3, 2)
    chunks = batches(order, 4)
    assert all(len({p.level for p in chunk}) == 1 and 1 <= len(chunk) <= 4 for chunk in chunks)
    assert [p for chunk in chunks for p in chunk] == order
    assert [len(r) for r in rounds(chunks, 3)] == [3] * (len(chunks) // 3) + (
        [len(chunks) % 3] if len(chunks) % 3 else []
    )


def _product(axis: list[int], dimensions: int) -> list[tuple[int, ...]]:
    return [(i,) for i in axis] if dimensions == 1 else [(i, j) for i in axis for j in axis]
