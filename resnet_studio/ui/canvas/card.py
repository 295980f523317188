"""What a node card says: derived from the node, its analysis and the run settings (no Qt, no painting)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ...core.analysis import Diagnostic, NodeAnalysis, RunSettings
from ...core.catalogue import Role, Skip, get_spec
from ...core.model import Node
from ...core.shapes import DTYPE_SHORT, Shape, format_shape
from ...core.units import bytes_text, exact
from .. import colours

ARROW = " \u2192 "


@dataclass(frozen=True, slots=True)
class CardContent:
    """The text and marks of one node card."""

    name: str
    type_name: str
    colour: str
    lines: tuple[str, ...]
    """Key parameters and shapes (empty lines left out)."""
    badges: tuple[str, ...]
    skip: Skip | None
    severity: str | None
    """'error', 'warning' or None."""
    bad_ports: frozenset[str]
    """Ports to ring because a diagnostic points at them."""
    input_ports: tuple[str, ...]
    has_output: bool
    tooltip: str
    problem: str = ""
    """The most serious diagnostic in its short form (expected vs found), written on the card so a picture shows
    what is wrong; the whole sentence is in the tooltip, the inspector and Problems."""


def pretty(text: str) -> str:
    """Arrows as arrows: '64 -> 128' reads '64 → 128'."""
    return text.replace(" -> ", ARROW)


def shapes_line(result: NodeAnalysis | None) -> str:
    """'64x56x56 → 128x28x28'; Add shows its inputs once when they agree; '?' where unknown."""
    if result is None:
        return ""
    out = format_shape(result.output_shape)
    ins = result.input_shapes
    if not ins:
        return f"out {out}"
    if get_spec(result.type).role is Role.OUTPUT:
        return f"network output {format_shape(ins[0])}"
    if len(ins) > 1:
        known = {s for s in ins if s is not None}
        if len(known) == 1 and None not in ins:
            left = f"{len(ins)} \u00d7 {format_shape(next(iter(known)))}"
        else:
            left = " + ".join(format_shape(s) for s in ins)
    else:
        left = format_shape(ins[0])
    return f"{left}{ARROW}{out}"


def tensor_text(shape: Shape | None, settings: RunSettings) -> str:
    """'128x28x28, 392.0 KiB at batch 1 fp32': what an edge carries."""
    if shape is None:
        return "shape unknown (fix the problems upstream)"
    numel = 1
    for d in shape:
        numel *= d
    size = bytes_text(numel * settings.batch_size * settings.dtype_bytes)
    dtype = DTYPE_SHORT.get(settings.dtype, settings.dtype)
    return f"{format_shape(shape)}, {size} at batch {settings.batch_size} {dtype}"


def tensor_label(shape: Shape | None, settings: RunSettings) -> str:
    """The short form drawn on an edge: '128x28x28 · 392.0 KiB'."""
    if shape is None:
        return "?"
    numel = 1
    for d in shape:
        numel *= d
    return f"{format_shape(shape)} \u00b7 {bytes_text(numel * settings.batch_size * settings.dtype_bytes)}"


def short(value: float, unit: str = "") -> str:
    """Three significant digits with an SI prefix, for badges: 230144 -> '230 k', 1814073344 -> '1.81 G'; a unit
    follows the prefix ('1.81 GMACs') or, without one, the number after a space ('640 MACs')."""
    for threshold, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            scaled = value / threshold
            digits = 0 if abs(scaled) >= 100 else 1 if abs(scaled) >= 10 else 2
            return f"{scaled:.{digits}f} {suffix}{unit}"
    return f"{value:.0f} {unit}" if unit else f"{value:.0f}"


def _badges(node: Node, result: NodeAnalysis | None) -> tuple[str, ...]:
    if result is None or not result.known:
        return ()
    badges: list[str] = []
    composite = get_spec(node.type).is_composite
    if result.params or composite:
        badges.append(f"{short(result.params)} params")
    if result.macs:
        badges.append(short(result.macs, "MACs"))
    if len(badges) < 2 and result.output_bytes:
        badges.append(bytes_text(result.output_bytes))
    return tuple(badges)


def _diagnostic_html(d: Diagnostic) -> str:
    colour = colours.ERROR if d.is_error else colours.WARNING
    head = "Error" if d.is_error else "Warning"
    text = f"<p style='margin:4px 0'><b style='color:{colour}'>{head}:</b> {escape(d.message)}"
    if d.expected or d.actual:
        text += f"<br/>expected {escape(d.expected or '?')}, found {escape(d.actual or '?')}"
    if d.fix is not None:
        text += f"<br/><i>Fix: {escape(d.fix.label)}</i> (right-click)"
    return text + "</p>"


def card_content(node: Node, result: NodeAnalysis | None, settings: RunSettings) -> CardContent:
    """Everything one card shows, from the model and the latest analysis."""
    spec = get_spec(node.type)
    in_shapes = result.input_shapes if result is not None else ()
    in_shape = in_shapes[0] if in_shapes else None
    describe = pretty(spec.describe(node.params, in_shape))
    if spec.role is Role.INPUT and settings.input_shape is not None:
        describe = format_shape(settings.input_shape) + "  (run settings)"
    shapes = shapes_line(result)
    if not spec.input_ports(node.params) and shapes == f"out {describe}":
        shapes = ""  # an Input's size is its only parameter: say it once
    lines = tuple(line for line in (describe, shapes) if line)
    diagnostics = result.diagnostics if result is not None else ()
    severity = None
    if any(d.is_error for d in diagnostics):
        severity = "error"
    elif diagnostics:
        severity = "warning"
    bad_ports = frozenset(d.port for d in diagnostics if d.port and d.is_error)
    worst = sorted(diagnostics, key=lambda d: not d.is_error)[:1]
    tip = [f"<b>{escape(node.name)}</b> &mdash; {escape(spec.title)}", f"<br/>{escape(spec.summary)}"]
    if result is not None and result.known:
        tip.append(f"<br/>{escape(shapes_line(result))}")
        tip.append(
            f"<br/>params {exact(result.params)} &middot; MACs {exact(result.macs)} &middot; "
            f"output {escape(tensor_text(result.output_shape, settings))}"
        )
    tip.extend(_diagnostic_html(d) for d in diagnostics)
    return CardContent(
        name=node.name,
        type_name=node.type,
        colour=spec.category.colour,
        lines=lines,
        badges=_badges(node, result),
        skip=spec.skip_of(node.params, in_shape),
        severity=severity,
        bad_ports=bad_ports,
        input_ports=spec.input_ports(node.params),
        has_output=bool(spec.outputs),
        tooltip="".join(tip),
        problem=worst[0].short if worst else "",
    )
