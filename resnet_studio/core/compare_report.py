"""A comparison of two networks as a table, Markdown or JSON (the `compare` command and the Compare panel)."""

from __future__ import annotations

import json
from typing import Any, Literal

from .compare import METRICS, Comparison, Metric, PartRow
from .units import bytes_text, macs_text, params_text

Format = Literal["table", "json", "markdown"]


def difference_text(metric: Metric, value: int | None) -> str:
    """A signed difference: '+3.76 M', '-8 448', '0' ('' when unknown)."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    sign = "+" if value > 0 else "\u2212"
    magnitude = abs(value)
    if metric.key == "params":
        text = params_text(magnitude)
    elif metric.key == "macs":
        text = macs_text(magnitude)
    elif metric.key == "memory":
        text = bytes_text(magnitude)
    else:
        text = str(magnitude)
    return sign + text


def ratio_text(value: float | None) -> str:
    """'1.12x' ('' when unknown)."""
    if value is None:
        return ""
    return f"{value:.2f}x" if value < 100 else f"{value:.0f}x"


def rows(comparison: Comparison) -> list[tuple[str, str, str, str, str, str]]:
    """(part, metric, A, B, difference, ratio) for every part and metric that either network has."""
    out = []
    for part in comparison.parts:
        for metric in METRICS:
            a, b = metric.value(part.a), metric.value(part.b)
            if a is None and b is None:
                continue
            out.append(
                (
                    part.name,
                    metric.label,
                    metric.text(a) if part.a is not None else "(none)",
                    metric.text(b) if part.b is not None else "(none)",
                    difference_text(metric, part.difference(metric)),
                    ratio_text(part.ratio(metric)),
                )
            )
    return out


def render(comparison: Comparison, fmt: Format = "table") -> str:
    """The comparison in one format."""
    if fmt == "json":
        return json.dumps(as_json(comparison), indent=2) + "\n"
    headers = ("Part", "Figure", comparison.a_title, comparison.b_title, "Difference", "Ratio")
    body = rows(comparison)
    s = comparison.settings
    note = f"batch {s.batch_size}, {s.dtype}; difference and ratio are {comparison.b_title} against {comparison.a_title}"
    changed = _changed_line(comparison)
    if fmt == "markdown":

        def esc(text: str) -> str:
            return text.replace("|", "\\|")

        lines = ["| " + " | ".join(esc(h) for h in headers) + " |", "|---|---|---:|---:|---:|---:|"]
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in body]
        return "\n".join([*lines, "", note, changed]) + "\n"
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(v.rjust(w) if i >= 2 else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths)))

    out = [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in body)]
    return "\n".join([*out, "", note, changed]) + "\n"


def names_text(names: list[str], most: int = 8) -> str:
    """'a, b, c and 4 more'."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _changed_line(comparison: Comparison) -> str:
    a, b = comparison.a_title, comparison.b_title
    count = len(comparison.differences)
    if not count:
        line = f"every block of {a} is the same in {b}"
    else:
        names = names_text([d.name for d in comparison.differences])
        line = f"{count} block{'s' if count != 1 else ''} of {a} differ in {b}: {names}"
    if comparison.only_in_b:
        line += f"\n{b} also has {names_text(list(comparison.only_in_b))}, which {a} has not"
    return line


def as_json(comparison: Comparison) -> dict[str, Any]:
    """A JSON-ready comparison: exact integers, B - A differences and B / A ratios."""

    def part(row: PartRow) -> dict[str, Any]:
        return {
            "name": row.name,
            "a": _figures(row, "a"),
            "b": _figures(row, "b"),
            "difference": {m.key: row.difference(m) for m in METRICS},
            "ratio": {m.key: row.ratio(m) for m in METRICS},
        }

    s = comparison.settings
    return {
        "a": comparison.a_title,
        "b": comparison.b_title,
        "settings": {
            "input_shape": list(s.input_shape) if s.input_shape else None,
            "batch_size": s.batch_size,
            "dtype": s.dtype,
        },
        "parts": [part(r) for r in comparison.parts],
        "differences": [{"name": d.name, "reason": d.reason} for d in comparison.differences],
        "only_in_b": list(comparison.only_in_b),
        "errors": {"a": comparison.errors[0], "b": comparison.errors[1]},
    }


def _figures(row: PartRow, side: str) -> dict[str, Any] | None:
    figures = row.a if side == "a" else row.b
    if figures is None:
        return None
    return {
        "params": figures.params,
        "macs": figures.macs,
        "activation_bytes": figures.memory,
        "receptive_field": figures.receptive_field,
        "output_shape": list(figures.output_shape) if figures.output_shape is not None else None,
    }


__all__ = ["Format", "as_json", "difference_text", "names_text", "ratio_text", "render", "rows"]
