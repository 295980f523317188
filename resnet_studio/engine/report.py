"""Run results as text tables and JSON-ready dictionaries (for the command line and saved reports)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..core.units import bytes_text
from ..results.gradients import GradientFlow, GradientFlowComparison
from ..results.run import ForwardResult


def _number(value: float | None) -> float | None:
    """A float for JSON: None for NaN and Inf (JSON has neither)."""
    return None if value is None or not math.isfinite(value) else float(value)


def forward_json(result: ForwardResult, network: str = "") -> dict[str, object]:
    """A forward pass as plain JSON data: one entry per node with shape, statistics and time."""
    nodes = []
    for record in result.nodes:
        entry: dict[str, object] = {
            "name": record.name,
            "type": record.type,
            "shape": list(record.shape),
            "time_ms": _number(record.time_ms),
        }
        if record.activation is not None:
            stats = record.activation.stats
            entry.update(
                mean=_number(stats.mean),
                std=_number(stats.std),
                min=_number(stats.min),
                max=_number(stats.max),
                zero_fraction=_number(stats.zero_fraction),
                nan_count=stats.nan_count,
                inf_count=stats.inf_count,
            )
        else:
            entry.update(mean=None, std=None, min=None, max=None, zero_fraction=None)
        nodes.append(entry)
    outputs = []
    for output in result.outputs:
        first = output[0] if output.ndim >= 1 and len(output) else np.zeros(0)
        top = np.argsort(-first.reshape(-1))[:5] if first.ndim == 1 else np.zeros(0, dtype=int)
        outputs.append(
            {"shape": list(output.shape[1:]), "top5": [[int(i), _number(float(first[i]))] for i in top]}
        )
    return {
        "network": network,
        "status": result.status,
        "error": None
        if result.error is None
        else {"kind": result.error.kind, "message": result.error.message, "node": result.error.node},
        "device": result.device,
        "device_title": result.device_title,
        "dtype": result.dtype,
        "batch_size": result.batch_size,
        "channels_last": result.channels_last,
        "input": result.input,
        "total_ms": _number(result.total_ms),
        "peak_memory_bytes": result.peak_memory_bytes,
        "memory_measure": result.memory_measure,
        "estimated_memory_bytes": result.estimated_memory_bytes,
        "nodes": nodes,
        "outputs": outputs,
    }


def forward_table(result: ForwardResult) -> str:
    """A forward pass as a text table: node, type, shape, statistics, time; then totals."""
    header = ("node", "type", "shape", "mean", "std", "min", "max", "zeros", "ms")
    rows: list[tuple[str, ...]] = [header]
    for r in result.nodes:
        stats = r.activation.stats if r.activation is not None else None
        rows.append(
            (
                r.name,
                r.type,
                "x".join(map(str, r.shape)),
                _fmt(stats.mean if stats else None),
                _fmt(stats.std if stats else None),
                _fmt(stats.min if stats else None),
                _fmt(stats.max if stats else None),
                f"{stats.zero_fraction:.1%}" if stats and math.isfinite(stats.zero_fraction) else "",
                f"{r.time_ms:.2f}" if r.time_ms is not None else "",
            )
        )
    lines = _columns(rows, right=(3, 4, 5, 6, 7, 8))
    memory = (
        f"peak memory {bytes_text(result.peak_memory_bytes)} ({result.memory_measure})"
        if result.peak_memory_bytes is not None
        else "peak memory unknown"
    )
    estimate = (
        f", estimate {bytes_text(result.estimated_memory_bytes)}" if result.estimated_memory_bytes else ""
    )
    lines.append(
        f"{result.device_title} ({result.device}), {result.dtype}, batch {result.batch_size}, input {result.input}: "
        f"{result.total_ms:.1f} ms, {memory}{estimate}"
    )
    return "\n".join(lines) + "\n"


def gradflow_json(flow: GradientFlow) -> dict[str, object]:
    """One backward pass as plain JSON data."""
    return {
        "label": flow.label,
        "status": flow.status,
        "error": None if flow.error is None else {"kind": flow.error.kind, "message": flow.error.message},
        "device": flow.device,
        "dtype": flow.dtype,
        "batch_size": flow.batch_size,
        "loss": _number(flow.loss),
        "layers": [
            {
                "path": g.path,
                "node": g.node,
                "type": g.type,
                "params": g.params,
                "weight_norm": _number(g.weight_norm),
                "grad_norm": _number(g.grad_norm),
            }
            for g in flow.layers
        ],
        "blocks": [
            {
                "node": b.node,
                "type": b.type,
                "output_norm": _number(b.output_norm),
                "grad_norm": _number(b.grad_norm),
            }
            for b in flow.blocks
        ],
    }


def gradflow_comparison_json(comparison: GradientFlowComparison) -> dict[str, object]:
    """Two backward passes as plain JSON data: 'network' and 'plain' (the plain twin) or 'other'."""
    key = "plain" if comparison.other.label == "plain twin" else "other"
    return {"network": gradflow_json(comparison.network), key: gradflow_json(comparison.other)}


def gradflow_table(flow: GradientFlow | GradientFlowComparison) -> str:
    """Per-layer gradient norms (beside the other network's when comparing), then per-block ones."""
    if isinstance(flow, GradientFlow):
        rows: list[tuple[str, ...]] = [("layer", "node", "type", "grad norm")]
        rows += [(g.path, g.node, g.type, _fmt(g.grad_norm)) for g in flow.layers]
        blocks: list[tuple[str, ...]] = [("block output", "type", "grad norm")]
        blocks += [(b.node, b.type, _fmt(b.grad_norm)) for b in flow.blocks]
        footer = f"loss {_fmt(flow.loss)}, batch {flow.batch_size} on {flow.device}; {flow.describe()}"
        return "\n".join([*_columns(rows, (3,)), "", *_columns(blocks, (2,)), footer]) + "\n"
    network, other = flow.network, flow.other
    others = {g.path: g for g in other.layers}
    table: list[tuple[str, ...]] = [("layer", "node", "type", network.label, other.label)]
    for g in network.layers:
        match = others.pop(g.path, None)
        table.append((g.path, g.node, g.type, _fmt(g.grad_norm), _fmt(match.grad_norm) if match else "-"))
    table += [(g.path, g.node, g.type, "-", _fmt(g.grad_norm)) for g in others.values()]
    other_blocks = {b.node: b for b in other.blocks}
    compared: list[tuple[str, ...]] = [("block output", "type", network.label, other.label)]
    for b in network.blocks:
        match_block = other_blocks.pop(b.node, None)
        compared.append(
            (b.node, b.type, _fmt(b.grad_norm), _fmt(match_block.grad_norm) if match_block else "-")
        )
    compared += [(b.node, b.type, "-", _fmt(b.grad_norm)) for b in other_blocks.values()]
    footer = (
        f"loss {_fmt(network.loss)} ({other.label} {_fmt(other.loss)}), batch {network.batch_size} "
        f"on {network.device}; {flow.describe()}"
    )
    return "\n".join([*_columns(table, (3, 4)), "", *_columns(compared, (2, 3)), footer]) + "\n"


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"


def _columns(rows: Sequence[Sequence[str]], right: tuple[int, ...] = ()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines
