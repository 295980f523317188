"""Two networks side by side: totals and per-stage parameters, MACs, activation memory and receptive field, with
differences and ratios, and which blocks differ (for the canvas to highlight).

Stages come from core.stages (torchvision's names, or the downsampling points); parts are matched by name, so
ResNet-34's layer3 faces ResNet-50's layer3. Differences and ratios read "B against A": B - A and B / A.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis, RunSettings, analyze
from .graph import Graph
from .shapes import Shape, format_shape
from .stages import find_stages
from .units import bytes_text, macs_text, params_text


@dataclass(frozen=True, slots=True)
class PartFigures:
    """The figures of one part of a network (the whole of it, its stem, a stage, its head)."""

    params: int
    macs: int
    memory: int
    """What training keeps for backward, for the batch and number format of the settings."""
    receptive_field: int | None
    output_shape: Shape | None


@dataclass(frozen=True, slots=True)
class Metric:
    """A figure compared: its key, its name for people, and how its values are written."""

    key: str
    label: str

    def value(self, figures: PartFigures | None) -> int | None:
        """This metric's value in a part (None when the part or the figure is missing)."""
        if figures is None:
            return None
        value = getattr(figures, self.key)
        return value if isinstance(value, int) else None

    def text(self, value: int | None) -> str:
        """A value as people read it ('' when missing)."""
        if value is None:
            return ""
        if self.key == "params":
            return params_text(value)
        if self.key == "macs":
            return macs_text(value)
        if self.key == "memory":
            return bytes_text(value)
        return str(value)


METRICS = (
    Metric("params", "Parameters"),
    Metric("macs", "MACs"),
    Metric("memory", "Activation memory"),
    Metric("receptive_field", "Receptive field"),
)


@dataclass(frozen=True, slots=True)
class PartRow:
    """One part compared: its name and each network's figures (None where that network lacks the part)."""

    name: str
    a: PartFigures | None
    b: PartFigures | None

    def difference(self, metric: Metric) -> int | None:
        """B - A (None when either is missing)."""
        a, b = metric.value(self.a), metric.value(self.b)
        return None if a is None or b is None else b - a

    def ratio(self, metric: Metric) -> float | None:
        """B / A (None when either is missing or A is zero)."""
        a, b = metric.value(self.a), metric.value(self.b)
        return None if a is None or b is None or a == 0 else b / a


@dataclass(frozen=True, slots=True)
class NodeDifference:
    """A block of network A that is new or not the same in B, and how."""

    name: str
    node_id: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    """Network A against network B under the same run settings."""

    a_title: str
    b_title: str
    settings: RunSettings
    parts: tuple[PartRow, ...]
    """The whole network first ('total'), then the stem, the stages and the head."""
    differences: tuple[NodeDifference, ...]
    """Blocks of A that B lacks or has otherwise (type, parameters or figures)."""
    errors: tuple[int, int] = (0, 0)
    """How many errors each network has (its figures downstream of them are unknown)."""
    only_in_b: tuple[str, ...] = ()
    """Names of B's blocks that A lacks (A's canvas cannot ring them, so they are listed)."""

    @property
    def total(self) -> PartRow:
        """The row of the whole networks."""
        return self.parts[0]


def compare(
    a: Graph,
    analysis_a: Analysis,
    b: Graph,
    analysis_b: Analysis,
    a_title: str = "A",
    b_title: str = "B",
) -> Comparison:
    """Compare two analysed networks."""
    parts_a, parts_b = _parts(a, analysis_a), _parts(b, analysis_b)
    names = list(parts_a)
    for name in parts_b:
        if name not in parts_a:
            names.append(name)
    rows = tuple(PartRow(name, parts_a.get(name), parts_b.get(name)) for name in names)
    return Comparison(
        a_title,
        b_title,
        analysis_a.settings,
        rows,
        node_differences(a, analysis_a, b, analysis_b),
        (analysis_a.totals.errors, analysis_b.totals.errors),
        missing_names(a, b),
    )


def compare_networks(
    a: Graph,
    b: Graph,
    a_title: str = "A",
    b_title: str = "B",
    input_shape: tuple[int, int, int] | None = None,
    batch_size: int = 1,
    dtype: str = "float32",
) -> Comparison:
    """Analyse two networks under the same settings and compare them."""
    analysis_a = analyze(a, input_shape, batch_size, dtype)
    analysis_b = analyze(b, input_shape, batch_size, dtype)
    return compare(a, analysis_a, b, analysis_b, a_title, b_title)


def missing_names(a: Graph, b: Graph) -> tuple[str, ...]:
    """The names of B's blocks that A has no block of, in B's order."""
    names = {n.name for n in a.nodes}
    return tuple(n.name for n in b.nodes if n.name not in names)


def node_differences(
    a: Graph, analysis_a: Analysis, b: Graph, analysis_b: Analysis
) -> tuple[NodeDifference, ...]:
    """The blocks of A (by name) that B lacks, or whose type, parameters or figures differ, in A's order."""
    found: list[NodeDifference] = []
    names_b = {n.name: n for n in b.nodes}
    for node_id in analysis_a.order:
        node = a.node(node_id)
        other = names_b.get(node.name)
        if other is None:
            found.append(NodeDifference(node.name, node_id, "not in the other network"))
            continue
        reasons = []
        if other.type != node.type:
            reasons.append(f"{other.type} there, {node.type} here")
        else:
            changed = [k for k in node.params if node.params.get(k) != other.params.get(k)]
            reasons += [
                f"{k.replace('_', ' ')} {other.params.get(k)!s} there, {node.params.get(k)!s} here"
                for k in changed
            ]
        mine, theirs = analysis_a.nodes.get(node_id), analysis_b.nodes.get(other.id)
        if not reasons and mine is not None and theirs is not None:
            if mine.output_shape != theirs.output_shape:
                reasons.append(
                    f"output {format_shape(theirs.output_shape)} there, {format_shape(mine.output_shape)} here"
                )
            elif mine.params != theirs.params or mine.macs != theirs.macs:
                reasons.append(
                    f"{params_text(theirs.params)} params and {macs_text(theirs.macs)} there, "
                    f"{params_text(mine.params)} and {macs_text(mine.macs)} here"
                )
        if reasons:
            found.append(NodeDifference(node.name, node_id, "; ".join(reasons)))
    return tuple(found)


def _parts(graph: Graph, analysis: Analysis) -> dict[str, PartFigures]:
    """The whole network, then what comes before the stages, each stage, and what follows them."""
    shapes = {n: r.output_shape for n, r in analysis.nodes.items()}
    plan = find_stages(graph, shapes)
    parts = {"total": _figures(analysis, analysis.order, whole=True)}
    if plan.stages:
        if plan.lead:
            parts["stem"] = _figures(analysis, plan.lead)
        for stage in plan.stages:
            parts[stage.name] = _figures(analysis, stage.node_ids)
        if plan.tail:
            parts["head"] = _figures(analysis, plan.tail)
    return parts


def _figures(analysis: Analysis, node_ids: tuple[str, ...], whole: bool = False) -> PartFigures:
    nodes = [analysis.nodes[n] for n in node_ids if n in analysis.nodes]
    rf: int | None = None
    shape: Shape | None = None
    for node in nodes:
        if node.output_shape is not None:
            shape = node.output_shape
            if node.receptive_field is not None and len(node.output_shape) == 3:
                rf = node.receptive_field
    if whole:
        t = analysis.totals
        return PartFigures(t.params, t.macs, t.training_bytes, rf, shape)
    return PartFigures(
        sum(n.params for n in nodes),
        sum(n.macs for n in nodes),
        sum(n.training_bytes for n in nodes),
        rf,
        shape,
    )


__all__ = [
    "METRICS",
    "Comparison",
    "Metric",
    "NodeDifference",
    "PartFigures",
    "PartRow",
    "compare",
    "compare_networks",
    "missing_names",
    "node_differences",
]
