"""The figures the inspector shows, as (label, text, tooltip) rows: one node, or the sum over a selection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.analysis import Analysis, NodeAnalysis
from ...core.model import Node
from ...core.shapes import format_shape
from ...core.units import bytes_text, exact, flops_text, macs_text, si

if TYPE_CHECKING:
    from ...results.weights import (
        AttachedWeights,  # an annotation only: its module loads with the first weights
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the figures table."""

    label: str
    text: str
    tooltip: str = ""


def _unknown_until(result: NodeAnalysis | None, analysis: Analysis) -> str:
    """What a node's unknown figures wait for: its own problems (listed above them), else the first error in
    the network (a node after it cannot know its input)."""
    if result is not None and result.diagnostics:
        return "until the problems above are fixed"
    first = next((d for d in analysis.diagnostics if d.is_error), None)
    return f"until the problem at {first.node_name} is fixed" if first else "until its input is known"


def node_figures(result: NodeAnalysis | None, analysis: Analysis) -> list[Figure]:
    """Shapes, parameters, MACs/FLOPs, memory and receptive field of one node."""
    s = analysis.settings
    at = f"@ batch {s.batch_size} {s.dtype}"
    if result is None or not result.known:
        ins = ", ".join(format_shape(x) for x in result.input_shapes) if result else ""
        until = _unknown_until(result, analysis)
        return [
            Figure("Shapes", f"{ins or '?'} \u2192 ?", f"The output shape is unknown {until}"),
            Figure("Costs", f"unknown {until}"),
        ]
    ins = " + ".join(format_shape(x) for x in result.input_shapes) or "(none)"
    figures = [
        Figure(
            "Shapes",
            f"{ins} \u2192 {format_shape(result.output_shape)}",
            "Input shape(s) -> output shape, CxHxW per sample",
        ),
        Figure(
            "Parameters",
            f"{si(result.params)} trainable"
            + (f" \u00b7 {si(result.buffers)} buffers" if result.buffers else ""),
            f"{exact(result.params)} trainable parameters"
            + (
                f"\n{exact(result.buffers)} buffer values (e.g. BatchNorm running statistics, not trained)"
                if result.buffers
                else ""
            ),
        ),
        Figure(
            "MACs",
            f"{macs_text(result.macs)} \u00b7 {flops_text(result.flops)} (FLOPs = 2 x MACs)",
            f"{exact(result.macs)} multiply-accumulates per sample (convolutions and linear layers)\n"
            f"{exact(result.flops)} FLOPs, counted as 2 x MACs",
        ),
        Figure(
            "Output memory", f"{bytes_text(result.output_bytes)} {at}", f"{exact(result.output_bytes)} bytes"
        ),
        Figure(
            "Training memory",
            f"{bytes_text(result.training_bytes)} {at}",
            f"{exact(result.training_bytes)} bytes: every layer output inside this block, kept for backward",
        ),
    ]
    if result.receptive_field is not None:
        shape = result.output_shape or ()
        # Neighbours only on a map: a vector's or a 1x1 map's values have none to be a stride apart from.
        spaced = len(shape) == 3 and shape[1] * shape[2] > 1
        stride = f", stride {result.rf_stride}" if result.rf_stride and spaced else ""
        figures.append(
            Figure(
                "Receptive field",
                f"{result.receptive_field} x {result.receptive_field} px{stride}",
                "Input pixels one output value sees; the stride is the distance in input pixels between neighbours",
            )
        )
    return figures


def selection_figures(node_ids: Sequence[str], analysis: Analysis) -> list[Figure]:
    """Summed figures of several selected nodes."""
    results = [analysis.nodes[n] for n in node_ids if n in analysis.nodes]
    s = analysis.settings
    at = f"@ batch {s.batch_size} {s.dtype}"
    params = sum(r.params for r in results)
    buffers = sum(r.buffers for r in results)
    macs = sum(r.macs for r in results)
    output = sum(r.output_bytes for r in results)
    training = sum(r.training_bytes for r in results)
    errors = sum(1 for r in results if r.has_error)
    unknown = sum(1 for r in results if not r.known)
    share = (
        f" ({100 * params / analysis.totals.params:.1f}% of the network)" if analysis.totals.params else ""
    )
    figures = [
        Figure(
            "Parameters",
            f"{si(params)} trainable{share}",
            f"{exact(params)} trainable, {exact(buffers)} buffer values",
        ),
        Figure(
            "MACs",
            f"{macs_text(macs)} \u00b7 {flops_text(2 * macs)} (FLOPs = 2 x MACs)",
            f"{exact(macs)} MACs",
        ),
        Figure("Output memory", f"{bytes_text(output)} {at}", f"{exact(output)} bytes"),
        Figure("Training memory", f"{bytes_text(training)} {at}", f"{exact(training)} bytes"),
    ]
    if errors:
        figures.append(Figure("Problems", f"{errors} of these nodes have errors"))
    if unknown:
        figures.append(Figure("Unknown", f"{unknown} nodes have unknown figures (not counted)"))
    return figures


def weights_figure(weights: AttachedWeights | None, node: Node, analysis: Analysis) -> list[Figure]:
    """'Weights: loaded from resnet50.pth' or 'new: randomly initialised', for a node of an opened checkpoint."""
    status = weights.status_in(node, analysis) if weights is not None else None
    if status is None or not status.has_tensors:
        return []
    listed = [f"{key}: loaded" for key in status.loaded] + [f"{key}: new (random)" for key in status.new]
    return [Figure("Weights", status.describe(), "\n".join(listed))]
