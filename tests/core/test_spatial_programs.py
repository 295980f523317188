"""A composite block's spatial program gives exactly what its layers' rules give, at every size it vouches for;
at any other size (a layer that warns or fails, an addition of different sizes) the rules answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import analyze, preset
from resnet_studio.core.catalogue import (
    BlockSpec,
    Category,
    LayerProblem,
    all_specs,
    clear_memo,
    get_spec,
    registry,
    spatial,
)
from resnet_studio.core.catalogue.spec import LayerCost, Step
from resnet_studio.core.params import Params, ParamSpec, ParamValue
from resnet_studio.core.shapes import Shape, TensorInfo

COMPOSITES = [spec.type_name for spec in all_specs() if spec.plan is not None]
SIZES = st.integers(1, 40)
CHANNELS = st.sampled_from([1, 2, 3, 4, 6, 8, 16, 32])


@contextmanager
def rules_only() -> Iterator[None]:
    """Evaluate composites layer by layer, as before spatial programs existed (and with a cold memo)."""
    clear_memo()
    with patch.object(registry, "build_program", lambda *args: None):
        yield
    clear_memo()


def result(type_name: str, params: Params, shapes: tuple[Shape, ...]) -> LayerCost | LayerProblem:
    clear_memo()
    return registry.cost_on_shapes(type_name, params, shapes)


def same(a: LayerCost | LayerProblem, b: LayerCost | LayerProblem) -> bool:
    if isinstance(a, LayerProblem) or isinstance(b, LayerProblem):
        return isinstance(a, LayerProblem) and isinstance(b, LayerProblem) and a.problem == b.problem
    return a == b


def value_of(spec: ParamSpec) -> st.SearchStrategy[ParamValue]:
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "float":
        return st.sampled_from([0.0, 0.1])
    lo, hi = int(spec.minimum or 0), int(spec.maximum or 64)
    assert isinstance(spec.default, int)
    return st.sampled_from(
        sorted({v for v in (1, 2, 3, 4, 6, 8, 16, 32, 64) if lo <= v <= hi} | {spec.default})
    )


@st.composite
def params_of(draw: st.DrawFn, type_name: str) -> Params:
    """Parameters of a block: small widths, every choice, strides and groups that do and do not fit."""
    spec = get_spec(type_name)
    values = {p.name: draw(value_of(p)) for p in spec.params}
    if "blocks" in values:
        values["blocks"] = draw(st.integers(1, 3))
    return spec.make_params(values)


@pytest.mark.parametrize("type_name", COMPOSITES)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), channels=CHANNELS, height=SIZES, width=SIZES)
def test_every_composite_gives_what_its_rules_give(
    type_name: str, data: st.DataObject, channels: int, height: int, width: int
) -> None:
    params = data.draw(params_of(type_name))
    shapes = ((channels, height, width),)
    spatial_result = result(type_name, params, shapes)
    with rules_only():
        assert same(spatial_result, registry.cost_on_shapes(type_name, params, shapes))


@pytest.mark.parametrize("type_name", COMPOSITES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), channels=CHANNELS, height=SIZES, width=SIZES)
def test_a_program_vouches_only_for_sizes_where_every_layer_runs_without_a_warning(
    type_name: str, data: st.DataObject, channels: int, height: int, width: int
) -> None:
    params = data.draw(params_of(type_name))
    clear_memo()
    program = registry.program_of(get_spec(type_name), params, channels)
    cost = None if program is None else program.cost(height, width)
    with rules_only():
        by_rules = registry.cost_on_shapes(type_name, params, ((channels, height, width),))
    if cost is not None:
        assert isinstance(by_rules, LayerCost) and not by_rules.warnings
        assert cost == by_rules


# --- Hand-made plans: any chain of layers with a form, at sizes where some of them fail ---------------------


def conv(out: int, k: int, s: int, p: int, d: int, groups: int = 1) -> Params:
    return get_spec("Conv2d").make_params(
        {"out_channels": out, "kernel_size": k, "stride": s, "padding": p, "dilation": d, "groups": groups}
    )


@st.composite
def layers(draw: st.DrawFn) -> list[tuple[str, Params]]:
    """A chain of layers with odd windows: dilated and unpadded convolutions, ceil-mode pools, zero-pads, and
    global pools with what a head or a gate puts after them (anywhere, so also where they cannot run)."""
    chain: list[tuple[str, Params]] = []
    kinds = ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "AvgPool2d", "ZeroPadShortcut"]
    kinds += ["GlobalAvgPool", "Flatten", "Linear", "Dropout", "Sigmoid", "DropPath"]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(kinds))
        if kind == "Conv2d":
            k = draw(st.integers(1, 5))
            params = conv(
                draw(st.sampled_from([2, 4, 6])),
                k,
                draw(st.integers(1, 3)),
                draw(st.integers(0, 3)),
                draw(st.integers(1, 3)),
                draw(st.sampled_from([1, 1, 2])),
            )
        elif kind in ("MaxPool2d", "AvgPool2d"):
            k = draw(st.integers(1, 4))
            params = get_spec(kind).make_params(
                {
                    "kernel_size": k,
                    "stride": draw(st.integers(1, 3)),
                    "padding": draw(st.integers(0, 2)),
                    "ceil_mode": draw(st.booleans()),
                }
            )
        elif kind == "Linear":
            params = get_spec(kind).make_params({"out_features": draw(st.sampled_from([3, 10]))})
        elif kind == "ZeroPadShortcut":
            params = get_spec(kind).make_params(
                {"out_channels": draw(st.sampled_from([2, 4, 8])), "stride": draw(st.integers(1, 3))}
            )
        else:
            params = get_spec(kind).default_params()
        chain.append((kind, params))
    return chain


_plans = iter(range(10**9))


def plan_spec(steps: tuple[Step, ...]) -> BlockSpec:
    """An unregistered composite of these steps (a fresh name, so no memo mixes it up with another)."""
    name = f"HandMade{next(_plans)}"
    return BlockSpec(name, name, Category.RESIDUAL, "", "", (), lambda p, s: "", plan=lambda p, i: steps)


@settings(max_examples=300, deadline=None)
@given(chain=layers(), residual=st.booleans(), channels=st.sampled_from([2, 4, 6]), height=SIZES, width=SIZES)
def test_hand_made_plans_match_their_rules_at_any_size(
    chain: list[tuple[str, Params]], residual: bool, channels: int, height: int, width: int
) -> None:
    steps = [
        Step(f"l{i}", kind, params, (f"l{i - 1}" if i else "",)) for i, (kind, params) in enumerate(chain)
    ]
    if residual:  # the chain added to its input: only where the sizes and channels agree
        steps.append(Step("add", "Add", get_spec("Add").default_params(), (steps[-1].name, "")))
    spec = plan_spec(tuple(steps))
    clear_memo()
    program = spatial.build_program(spec.plan(Params(), ()), channels, registry._form_of, registry._by_rule)  # type: ignore[misc]
    cost = None if program is None else program.cost(height, width)
    try:
        by_rules: LayerCost | LayerProblem = registry._evaluate_plan(
            spec, Params(), (TensorInfo((channels, height, width)),)
        )
    except LayerProblem as problem:
        by_rules = problem
    if cost is not None:
        assert cost == by_rules
    if program is not None and isinstance(by_rules, LayerCost) and not by_rules.warnings:
        assert cost == by_rules  # the program vouches for every size where the layers run cleanly


AFTER_A_GLOBAL_POOL = {
    "head": [("Flatten", {}), ("Dropout", {}), ("Linear", {"out_features": 10})],
    "gate": [("Conv2d", {"out_channels": 2, "kernel_size": 1, "padding": 0}), ("ReLU", {}), ("Sigmoid", {})],
    "window on the pooled map": [("Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1})],
    "stride on the pooled map": [("ZeroPadShortcut", {"out_channels": 4, "stride": 2})],
}


@pytest.mark.parametrize("after", AFTER_A_GLOBAL_POOL)
@pytest.mark.parametrize(("height", "width"), [(1, 1), (7, 5), (14, 14), (2, 31)])
def test_layers_after_a_global_pool_match_their_rules(after: str, height: int, width: int) -> None:
    chain = [("Conv2d", {"out_channels": 4, "kernel_size": 3, "stride": 2}), ("GlobalAvgPool", {})]
    chain += AFTER_A_GLOBAL_POOL[after]
    steps = tuple(
        Step(f"l{i}", kind, get_spec(kind).make_params(values), (f"l{i - 1}" if i else "",))
        for i, (kind, values) in enumerate(chain)
    )
    spec = plan_spec(steps)
    clear_memo()
    program = spatial.build_program(steps, 3, registry._form_of, registry._by_rule)
    by_rules = registry._evaluate_plan(spec, Params(), (TensorInfo((3, height, width)),))
    cost = None if program is None else program.cost(height, width)
    assert cost is None or cost == by_rules
    if after in ("head", "gate"):
        assert cost == by_rules  # the receptive field spans the pooled map
    else:
        assert program is None  # the window would widen a receptive field that depends on the size


# --- The fast path is taken, and a cold analysis is cold ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size"), [("resnet152", 224), ("resnet50d", 225), ("resnet20", 32), ("resnet18", 1)]
)
def test_presets_evaluate_their_blocks_by_program(name: str, size: int) -> None:
    """Stems, residual blocks and classifier heads: the whole network but its Input and Output."""
    graph = preset(name)
    analysis = analyze(graph, input_shape=(3, size, size))
    composites = [node for node in graph.nodes if get_spec(node.type).plan is not None]
    assert len(composites) == len(graph) - 2
    for node in composites:
        ((channels, height, width),) = analysis[node.id].input_shapes  # type: ignore[misc]
        program = registry.program_of(get_spec(node.type), node.params, channels)
        assert program is not None and program.cost(height, width) is not None, node.id


def test_clear_memo_forgets_programs_and_forms() -> None:
    analyze(preset("resnet18"))
    built: list[int] = []
    original = registry.build_program

    def counting(*args: object) -> object:
        built.append(1)
        return original(*args)  # type: ignore[arg-type]

    clear_memo()
    with patch.object(registry, "build_program", counting):
        analyze(preset("resnet18"))
    assert built, "a cold analysis builds its programs again"
    clear_memo()
    assert not registry._PROGRAMS and not spatial._FORMS
