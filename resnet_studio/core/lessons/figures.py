"""Figures in lesson text, filled from the live analysis so that no number the analysis computes is typed.

A placeholder is `{METRIC:REF}` or `{FUNCTION:METRIC:REF/REF}`:

- METRIC: params, macs, flops, memory (what training keeps), rf (receptive field), shape (output shape),
  channels (output channels).
- FUNCTION: ratio (A / B, '1.12×'), increase (A over B in per cent, '12%'), diff (how far apart A and B are,
  '8 448': the text says which is larger).
- REF: `total`, a node's name (`layer2.0`), a stage's name (`layer3`), a layer inside a block
  (`layer3.1.conv2`), or a preset's name alone (its total). `@PRESET` takes the figure from that preset instead
  of the network on the canvas (`{macs:layer3@resnet50}`), and `[param=value,...]` from a copy with one node's
  parameters changed (`{params:layer2.0[shortcut=zero-pad]}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..analysis import Analysis, analyze
from ..catalogue import LayerProblem, evaluate, get_spec
from ..errors import GraphError, UnknownPresetError
from ..expansion import plan_for
from ..graph import Graph
from ..params import ParamValue
from ..presets import PRESETS, preset
from ..shapes import Shape, TensorInfo, format_shape
from ..stages import find_stages
from ..units import bytes_text, exact, flops_text, macs_text, si

PLACEHOLDER = re.compile(r"\{([a-z]+):([^{}\s]*)\}")
"""A placeholder in lesson text (the braces of a formula's {group} hold no colon, so never match)."""


class FigureError(ValueError):
    """A placeholder that is malformed or names something the network does not have."""


@dataclass(frozen=True, slots=True)
class Metric:
    """A figure the analysis computes for a node, a stage or a whole network, and how it is written."""

    name: str
    numeric: bool
    text: Callable[[int], str]


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("params", True, lambda v: exact(v) if v < 100_000 else si(v)),
        Metric("macs", True, macs_text),
        Metric("flops", True, flops_text),
        Metric("memory", True, bytes_text),
        Metric("rf", True, str),
        Metric("shape", False, str),
        Metric("channels", True, str),
    )
}
FUNCTIONS = ("ratio", "increase", "diff")


@dataclass(frozen=True, slots=True)
class Ref:
    """What a figure is of: a target in a network, maybe with one node's parameters changed."""

    target: str
    network: str | None = None
    """A preset's name, or None for the network on the canvas."""
    overrides: tuple[tuple[str, ParamValue], ...] = ()


@dataclass(frozen=True, slots=True)
class Figure:
    """A parsed placeholder."""

    source: str
    metric: str
    refs: tuple[Ref, ...]
    function: str | None = None


def parse(placeholder: str) -> Figure:
    """Parse '{macs:layer3@resnet50}' or '{ratio:macs:resnet50/resnet34}'; raises FigureError."""
    match = PLACEHOLDER.fullmatch(placeholder)
    if match is None:
        raise FigureError(f"{placeholder!r} is not a placeholder like {{params:layer2.0}}")
    head, body = match.groups()
    if head in FUNCTIONS:
        metric, _, pair = body.partition(":")
        sides = pair.split("/")
        if len(sides) != 2 or not all(sides):
            raise FigureError(f"{placeholder}: {head} compares two figures, written {head}:METRIC:A/B")
        _check_metric(placeholder, metric)
        if not METRICS[metric].numeric:
            raise FigureError(f"{placeholder}: {metric} is not a number; {head} needs one")
        return Figure(placeholder, metric, (_ref(placeholder, sides[0]), _ref(placeholder, sides[1])), head)
    _check_metric(placeholder, head)
    if not body:
        raise FigureError(f"{placeholder}: say what the figure is of (total, a block's name, a preset)")
    return Figure(placeholder, head, (_ref(placeholder, body),))


def _check_metric(placeholder: str, metric: str) -> None:
    if metric not in METRICS:
        known = ", ".join([*METRICS, *FUNCTIONS])
        raise FigureError(f"{placeholder}: unknown figure {metric!r} (known: {known})")


def _ref(placeholder: str, text: str) -> Ref:
    target, _, network = text.partition("@")
    if network:
        _check_preset(placeholder, network)
    overrides: list[tuple[str, ParamValue]] = []
    if target.endswith("]") and "[" in target:
        target, _, inside = target[:-1].partition("[")
        for item in inside.split(","):
            key, eq, raw = item.partition("=")
            if not eq or not key:
                raise FigureError(f"{placeholder}: write parameter changes as [param=value,...]")
            overrides.append((key, _value(raw)))
    if not target:
        raise FigureError(f"{placeholder}: a figure of nothing")
    if not network and not overrides and target in PRESETS:
        return Ref("total", target)  # a preset's name alone: its total
    return Ref(target, network or None, tuple(overrides))


def _check_preset(placeholder: str, name: str) -> None:
    if name not in PRESETS:
        raise FigureError(f"{placeholder}: there is no preset {name!r} (see `resnet-studio presets`)")


def _value(raw: str) -> ParamValue:
    if raw in ("true", "false"):
        return raw == "true"
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw


def placeholders(text: str) -> list[str]:
    """Every placeholder in a text, in order."""
    return [m.group(0) for m in PLACEHOLDER.finditer(text)]


def check_syntax(text: str) -> None:
    """Raise FigureError for the first malformed placeholder in a text."""
    for loose in _LOOSE.finditer(text):
        if PLACEHOLDER.fullmatch(loose.group(0)) is None:
            raise FigureError(
                f"{loose.group(0)!r} is not a placeholder like {{params:layer2.0}} (no spaces inside)"
            )
        parse(loose.group(0))


_LOOSE = re.compile(r"\{[a-z]+:[^{}]*\}")


@dataclass(frozen=True, slots=True)
class Measure:
    """The figures of one target."""

    params: int
    macs: int
    memory: int
    rf: int | None
    shape: Shape | None

    def get(self, metric: str) -> int | Shape | None:
        """One metric's value (None when unknown)."""
        if metric == "params":
            return self.params
        if metric == "macs" or metric == "flops":
            return self.macs * (2 if metric == "flops" else 1)
        if metric == "memory":
            return self.memory
        if metric == "rf":
            return self.rf
        if metric == "channels":
            return self.shape[0] if self.shape else None
        return self.shape


class FigureContext:
    """Fills placeholders from the network on the canvas and from presets (analysed once, then cached)."""

    def __init__(self, graph: Graph, analysis: Analysis) -> None:
        self.graph, self.analysis = graph, analysis
        self._batch, self._dtype = analysis.settings.batch_size, analysis.settings.dtype
        self._variants: dict[
            tuple[str | None, tuple[tuple[str, ParamValue], ...]], tuple[Graph, Analysis]
        ] = {}

    def fill(self, text: str, wrap: Callable[[str], str] = lambda s: s) -> str:
        """The text with every placeholder replaced by its figure (passed through `wrap`, e.g. to bold it)."""
        return PLACEHOLDER.sub(lambda m: wrap(self.value(m.group(0))), text)

    def value(self, placeholder: str) -> str:
        """One placeholder's figure as text; raises FigureError."""
        figure = parse(placeholder)
        metric = METRICS[figure.metric]
        values = [self._measure(placeholder, ref).get(figure.metric) for ref in figure.refs]
        if any(v is None for v in values):
            raise FigureError(f"{placeholder}: the figure is not known (the network has errors upstream)")
        if figure.function is None:
            value = values[0]
            return format_shape(value) if isinstance(value, tuple) else metric.text(int(value or 0))
        a, b = (float(v) if isinstance(v, int) else 0.0 for v in values)
        if figure.function == "diff":
            return metric.text(int(abs(a - b)))  # the text says which way: "8 448 fewer", "more"
        if b == 0:
            raise FigureError(f"{placeholder}: the second figure is zero, so there is no ratio")
        if figure.function == "ratio":
            r = a / b
            if abs(r - round(r)) < 0.005:
                return f"{round(r)}×"
            return f"{r:.2f}×" if r < 10 else f"{r:.1f}×" if r < 100 else f"{r:.0f}×"
        percent = (a / b - 1) * 100
        return f"{percent:.0f}%" if abs(percent) >= 10 else f"{percent:.1f}%"

    # --- networks -------------------------------------------------------------------------------------------

    def _network(self, placeholder: str, ref: Ref) -> tuple[Graph, Analysis]:
        key = (ref.network, ref.overrides)
        if key in self._variants:
            return self._variants[key]
        if ref.network is None:
            graph, analysis = self.graph, self.analysis
        else:
            graph, analysis = _preset_analysis(ref.network, self._batch, self._dtype)
        if ref.overrides:
            graph = graph.copy()
            owner = _owner(graph_names(graph), ref.target)
            if owner is None:
                raise FigureError(f"{placeholder}: parameter changes need a block's name, not {ref.target!r}")
            try:
                for name, value in ref.overrides:
                    graph.set_param(graph.node_by_name(owner).id, name, value)
            except GraphError as error:
                raise FigureError(f"{placeholder}: {error}") from None
            size = self.analysis.settings.input_shape if ref.network is None else None
            analysis = analyze(graph, size, self._batch, self._dtype)
        self._variants[key] = (graph, analysis)
        return graph, analysis

    def _measure(self, placeholder: str, ref: Ref) -> Measure:
        graph, analysis = self._network(placeholder, ref)
        where = f"the preset {ref.network}" if ref.network else "the network"
        if ref.target == "total":
            return _total(analysis)
        names = graph_names(graph)
        if ref.target in names:
            return _node(analysis, names[ref.target])
        shapes = {n: r.output_shape for n, r in analysis.nodes.items()}
        for stage in find_stages(graph, shapes).stages:
            if stage.name == ref.target:
                nodes = [analysis[n] for n in stage.node_ids]
                last = analysis[stage.last]
                return Measure(
                    sum(n.params for n in nodes),
                    sum(n.macs for n in nodes),
                    sum(n.training_bytes for n in nodes),
                    last.receptive_field,
                    last.output_shape,
                )
        step = _inside_block(graph, analysis, names, ref.target)
        if step is not None:
            return step
        raise FigureError(f"{placeholder}: {where} has no block, stage or layer named {ref.target!r}")


def graph_names(graph: Graph) -> dict[str, str]:
    """Node name -> node id."""
    return {n.name: n.id for n in graph.nodes}


@lru_cache(maxsize=16)
def _preset_analysis(name: str, batch: int, dtype: str) -> tuple[Graph, Analysis]:
    try:
        graph = preset(name)
    except UnknownPresetError as error:
        raise FigureError(str(error)) from None
    return graph, analyze(graph, None, batch, dtype)


def _total(analysis: Analysis) -> Measure:
    rf: int | None = None
    shape: Shape | None = None
    for node in analysis:
        if node.output_shape is not None:
            shape = node.output_shape
            if len(node.output_shape) == 3:
                rf = node.receptive_field
    t = analysis.totals
    return Measure(t.params, t.macs, t.training_bytes, rf, shape)


def _node(analysis: Analysis, node_id: str) -> Measure:
    r = analysis[node_id]
    return Measure(r.params, r.macs, r.training_bytes, r.receptive_field, r.output_shape)


def _owner(names: dict[str, str], target: str) -> str | None:
    """The node a target names or lies inside ('layer3.1' for 'layer3.1.conv2')."""
    head = target
    while head and head not in names:
        head = head.rpartition(".")[0]
    return head or None


def _inside_block(graph: Graph, analysis: Analysis, names: dict[str, str], target: str) -> Measure | None:
    """A layer inside a composite block ('layer3.1.conv2'), evaluated from the block's plan."""
    head = _owner(names, target)
    if head is None or head == target:
        return None
    local = target[len(head) + 1 :]
    node = graph.node(names[head])
    result = analysis[node.id]
    shape = result.input_shapes[0] if result.input_shapes else None
    if not get_spec(node.type).is_composite or shape is None:
        return None
    pred = graph.predecessors(node.id)
    before = analysis[pred[0]] if pred else None
    rf = before.receptive_field if before is not None and before.receptive_field else 1
    jump = before.rf_stride if before is not None and before.rf_stride else 1
    env: dict[str, TensorInfo] = {"": TensorInfo(shape, rf, jump)}
    settings = analysis.settings
    for step in plan_for(node, shape):
        try:
            cost = evaluate(step.type, step.params, tuple(env[name] for name in step.inputs))
        except (LayerProblem, KeyError):
            return None
        env[step.name] = cost.output
        if step.name == local:
            memory = cost.kept * settings.batch_size * settings.dtype_bytes
            return Measure(cost.params, cost.macs, memory, cost.output.rf, cost.output.shape)
    return None


__all__ = [
    "FUNCTIONS",
    "METRICS",
    "PLACEHOLDER",
    "Figure",
    "FigureContext",
    "FigureError",
    "Ref",
    "check_syntax",
    "parse",
    "placeholders",
]
