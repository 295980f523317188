"""The per-layer summary: rows for the Summary panel and the `summary` command, as table, CSV, Markdown or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Literal

from .analysis import Analysis
from .graph import Graph
from .shapes import Shape, format_shape
from .units import bytes_text, flops_text, macs_text, params_text

Format = Literal["table", "csv", "markdown", "json"]


@dataclass(frozen=True, slots=True)
class LayerRow:
    """One line of the summary."""

    node_id: str
    name: str
    type: str
    input_shapes: tuple[Shape | None, ...]
    output_shape: Shape | None
    params: int
    macs: int
    output_bytes: int
    training_bytes: int
    receptive_field: int | None

    @property
    def flops(self) -> int:
        """2 x MACs."""
        return 2 * self.macs


def layer_rows(graph: Graph, analysis: Analysis) -> list[LayerRow]:
    """The summary rows in network order."""
    rows = []
    for node_id in analysis.order:
        if node_id not in graph:
            continue
        node, r = graph.node(node_id), analysis.nodes[node_id]
        rows.append(
            LayerRow(
                node_id,
                node.name,
                node.type,
                r.input_shapes,
                r.output_shape,
                r.params,
                r.macs,
                r.output_bytes,
                r.training_bytes,
                r.receptive_field,
            )
        )
    return rows


HEADERS = ("Name", "Type", "Output shape", "Params", "MACs", "Output memory", "Receptive field")


def _cells(row: LayerRow) -> tuple[str, ...]:
    return (
        row.name,
        row.type,
        format_shape(row.output_shape),
        f"{row.params:,}",
        f"{row.macs:,}",
        bytes_text(row.output_bytes),
        "" if row.receptive_field is None else str(row.receptive_field),
    )


def render(graph: Graph, analysis: Analysis, fmt: Format = "table") -> str:
    """The whole summary in one format."""
    rows = layer_rows(graph, analysis)
    if fmt == "json":
        return json.dumps(as_json(rows, analysis), indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            (
                "name",
                "type",
                "output_shape",
                "params",
                "macs",
                "flops",
                "output_bytes",
                "training_bytes",
                "receptive_field",
            )
        )
        for r in rows:
            writer.writerow(
                (
                    r.name,
                    r.type,
                    format_shape(r.output_shape),
                    r.params,
                    r.macs,
                    r.flops,
                    r.output_bytes,
                    r.training_bytes,
                    "" if r.receptive_field is None else r.receptive_field,
                )
            )
        return buffer.getvalue()
    cells = [_cells(r) for r in rows]
    if fmt == "markdown":

        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [
            "| " + " | ".join(HEADERS) + " |",
            "|" + "|".join(["---"] * 2 + ["---"] + ["---:"] * 4) + "|",
        ]
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
        lines += ["", totals_line(analysis)]
        return "\n".join(lines) + "\n"
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(HEADERS)]
    right = {3, 4, 5, 6}

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))
        )

    out = [line(HEADERS), "  ".join("-" * w for w in widths)]
    out += [line(c) for c in cells]
    out += ["", totals_line(analysis)]
    return "\n".join(out) + "\n"


def totals_line(analysis: Analysis) -> str:
    """'11.69 M params | 1.81 GMACs (3.63 GFLOPs) | activations 31.4 MiB @ batch 1 float32'."""
    t, s = analysis.totals, analysis.settings
    flops = flops_text(t.flops)
    text = (
        f"{params_text(t.params)} params ({t.params:,}) | {macs_text(t.macs)} ({flops}) | "
        f"activations {bytes_text(t.training_bytes)} @ batch {s.batch_size} {s.dtype}"
    )
    if t.errors or t.warnings:
        text += f" | {t.errors} error{'s' if t.errors != 1 else ''}, {t.warnings} warning{'s' if t.warnings != 1 else ''}"
    return text


def as_json(rows: list[LayerRow], analysis: Analysis) -> dict[str, Any]:
    """A JSON-ready summary: integer totals, one object per layer, and the diagnostics."""
    t, s = analysis.totals, analysis.settings
    return {
        "settings": {
            "input_shape": list(s.input_shape) if s.input_shape else None,
            "batch_size": s.batch_size,
            "dtype": s.dtype,
        },
        "totals": {
            "params": t.params,
            "buffers": t.buffers,
            "macs": t.macs,
            "flops": t.flops,
            "training_activation_bytes": t.training_bytes,
            "param_bytes": t.param_bytes,
            "errors": t.errors,
            "warnings": t.warnings,
        },
        "layers": [
            {
                "name": r.name,
                "id": r.node_id,
                "type": r.type,
                "input_shapes": [list(x) if x is not None else None for x in r.input_shapes],
                "output_shape": list(r.output_shape) if r.output_shape is not None else None,
                "params": r.params,
                "macs": r.macs,
                "flops": r.flops,
                "output_bytes": r.output_bytes,
                "training_bytes": r.training_bytes,
                "receptive_field": r.receptive_field,
            }
            for r in rows
        ],
        "diagnostics": [
            {
                "severity": d.severity.value,
                "node": d.node_name,
                "port": d.port,
                "message": d.message,
                "expected": d.expected,
                "actual": d.actual,
                "fix": d.fix.label if d.fix else None,
            }
            for d in analysis.diagnostics
        ],
    }
