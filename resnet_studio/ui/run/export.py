"""Captured statistics as CSV: one row per node, in network order, with the run's time per node."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ...core.shapes import format_shape
from ...results.run import ForwardResult

CSV_COLUMNS = (
    "name",
    "type",
    "shape",
    "mean",
    "std",
    "min",
    "max",
    "zero_fraction",
    "nan",
    "inf",
    "time_ms",
)


def statistics_rows(result: ForwardResult) -> list[list[str]]:
    """The CSV rows (without the header): every node of the run; blank statistics where none were captured."""
    rows = []
    for node in result.nodes:
        s = node.stats
        figures = [""] * 7
        if s is not None:
            numbers = (s.mean, s.std, s.min, s.max, s.zero_fraction)
            figures = [*(repr(v) for v in numbers), str(s.nan_count), str(s.inf_count)]
        time = "" if node.time_ms is None else f"{node.time_ms:.4f}"
        rows.append([node.name, node.type, format_shape(node.shape), *figures, time])
    return rows


def statistics_csv(result: ForwardResult) -> str:
    """The whole CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(statistics_rows(result))
    return out.getvalue()


def write_statistics_csv(result: ForwardResult, path: str | Path) -> Path:
    """Write the statistics of a run to `path` (UTF-8); raises OSError when it cannot."""
    target = Path(path)
    target.write_text(statistics_csv(result), encoding="utf-8")
    return target
