"""The catalogue of block types, and the memoised evaluation of any block on given inputs."""

from __future__ import annotations

from functools import partial
from operator import attrgetter, is_not

from ..errors import UnknownBlockError
from ..frozen import builder
from ..params import Params, ParamValue
from ..shapes import Shape, TensorInfo
from .families import FAMILY_BLOCKS
from .gating import GATING
from .primitives import PRIMITIVES
from .residual import RESIDUAL_BLOCKS, in_channels_of
from .spatial import NOT_BUILT, SpatialProgram, build_program, forget_forms
from .spec import BlockSpec, Fix, LayerCost, LayerProblem, MapForm, Problem, Role, Step
from .steps import forget_conv_params
from .tensors import TensorShapes

_cost = builder(LayerCost)
_info = builder(TensorInfo)

_SPECS: dict[str, BlockSpec] = {}
_ALIASES: dict[str, str] = {}


def register(spec: BlockSpec) -> None:
    """Add a block type to the catalogue (names are unique, case-sensitive)."""
    if spec.type_name in _SPECS:
        raise ValueError(f"block type {spec.type_name!r} is declared twice")
    _SPECS[spec.type_name] = spec
    for alias in spec.aliases:
        _ALIASES[alias] = spec.type_name


def get_spec(type_name: str) -> BlockSpec:
    """The declaration of a block type; raises UnknownBlockError naming the known types."""
    spec = _SPECS.get(type_name) or _SPECS.get(_ALIASES.get(type_name, ""))
    if spec is None:
        raise UnknownBlockError(f"unknown block type {type_name!r}; known types: {', '.join(sorted(_SPECS))}")
    return spec


def role_of(type_name: str) -> Role:
    """The part a block type plays in a network (input, output, residual block, merge or layer)."""
    return get_spec(type_name).role


def block_types() -> tuple[str, ...]:
    """Every declared block type name, in declaration order."""
    return tuple(_SPECS)


def all_specs() -> tuple[BlockSpec, ...]:
    """Every declaration, in declaration order."""
    return tuple(_SPECS.values())


# --- Evaluation -------------------------------------------------------------------------------------------

MemoKey = tuple[str, frozenset[tuple[str, ParamValue]], tuple[Shape, ...]]
"""(type name, Params.memo_key, input shapes): hashed without a call into Python."""

_MEMO: dict[MemoKey, LayerCost | LayerProblem] = {}
_MEMO_LIMIT = 50_000
memo_lookup = _MEMO.get
"""The memo's own lookup by MemoKey, for loops that cannot afford a call per layer; a miss (None) is then computed
by cost_on_shapes."""
rule_calls = 0
"""How many times a rule really ran (memo misses); tests use it to check incremental analysis."""

Placed = tuple[Shape, int, int]
"""A tensor as the analysis carries it between layers: (shape, receptive field, jump), as in TensorInfo."""


_PLANS: dict[tuple[str, frozenset[tuple[str, ParamValue]], int | None], tuple[Step, ...]] = {}
"""The plans of composite blocks by (type name, params, input channels): a plan reads nothing else of its input."""


_PROGRAMS: dict[tuple[str, frozenset[tuple[str, ParamValue]], int], SpatialProgram | None] = {}
"""The spatial programs of composite blocks by (type name, params, input channels); None for plans without one."""


def clear_memo() -> None:
    """Forget memoised results, plans and programs (benchmarks call this to time a cold analysis)."""
    _MEMO.clear()
    _PLANS.clear()
    _PROGRAMS.clear()
    forget_forms()
    _CANONICAL.clear()
    forget_conv_params()


def plan_of(spec: BlockSpec, params: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """The steps of a composite block on these inputs, memoised: the blocks of a stage that meet new shapes after
    an edit keep their plan, since it depends on the input's channels alone."""
    key = (spec.type_name, params.memo_key, in_channels_of(inputs))
    steps = _PLANS.get(key)
    if steps is None:
        steps = spec.plan(params, inputs) if spec.plan is not None else ()
        if len(_PLANS) >= _MEMO_LIMIT:
            _PLANS.clear()
        _PLANS[key] = steps
    return steps


def program_of(spec: BlockSpec, params: Params, channels: int) -> SpatialProgram | None:
    """The spatial program of a composite block on inputs of these channels, memoised; None when one of its
    layers declares no MapForm (the block is then evaluated layer by layer, by the rules)."""
    program = _PROGRAMS.get((spec.type_name, params.memo_key, channels), NOT_BUILT)
    return _new_program(spec, params, channels) if program is NOT_BUILT else program


def _new_program(spec: BlockSpec, params: Params, channels: int) -> SpatialProgram | None:
    shape = (channels, 1, 1)  # a plan reads its input's channels alone
    steps = plan_of(spec, params, (_CANONICAL.get(shape) or _canonical(shape),))
    program = build_program(steps, channels, _form_of, _by_rule)
    if len(_PROGRAMS) >= _MEMO_LIMIT:
        _PROGRAMS.clear()
    _PROGRAMS[spec.type_name, params.memo_key, channels] = program
    return program


def _form_of(step: Step, channels: tuple[int, ...]) -> MapForm | SpatialProgram | None:
    """What a plan's step contributes to its block's program: its MapForm, or a composite step's own program."""
    spec = _SPECS.get(step.type) or get_spec(step.type)
    if spec.plan is not None:
        return program_of(spec, step.params, channels[0]) if len(channels) == 1 else None
    if spec.map_form is None:
        return None
    try:
        return spec.map_form(step.params, channels)
    except LayerProblem:
        return None  # fails at any size: the rules say how


def _by_rule(step: Step, shapes: tuple[Shape, ...]) -> LayerCost | LayerProblem:
    return cost_on_shapes(step.type, step.params, shapes)


def evaluate(type_name: str, params: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """Shapes and costs of one block on these inputs; raises LayerProblem when it cannot run.

    Pure, so results are memoised by input *shapes*: rules run on inputs whose receptive field is 1 and the
    result is mapped onto the real receptive fields afterwards, so the many identical blocks of a deep ResNet
    (which differ only in where they sit) are computed once.
    """
    hit = cost_on_shapes(type_name, params, tuple(i.shape for i in inputs))
    if isinstance(hit, LayerProblem):
        raise hit
    return _place(hit, inputs)


def cost_on_shapes(type_name: str, params: Params, shapes: tuple[Shape, ...]) -> LayerCost | LayerProblem:
    """The memoised result of a block on inputs of these shapes whose receptive field is 1 (the problem is
    returned, not raised). place() maps its output onto inputs with real receptive fields."""
    key = (type_name, params.memo_key, shapes)
    hit = _MEMO.get(key)
    if hit is None:
        global rule_calls
        rule_calls += 1
        hit = _result(_SPECS.get(type_name) or get_spec(type_name), params, shapes)
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[key] = hit
    return hit


def _result(spec: BlockSpec, params: Params, shapes: tuple[Shape, ...]) -> LayerCost | LayerProblem:
    """A block's result on inputs of these shapes: a composite's from its spatial program when it has one that
    vouches for this size, else from the rules, layer by layer."""
    if spec.plan is not None and len(shapes) == 1 and len(shapes[0]) == 3:
        c, h, w = shapes[0]
        program = program_of(spec, params, c)
        if program is not None:
            cost = program.cost(h, w)
            if cost is not None:
                return cost
    canonical = tuple([_CANONICAL.get(shape) or _canonical(shape) for shape in shapes])
    try:
        if spec.plan is not None:
            return _evaluate_plan(spec, params, canonical)
        assert spec.rule is not None
        return spec.rule(params, canonical)
    except LayerProblem as problem:
        return problem


_CANONICAL: dict[Shape, TensorInfo] = {}
"""TensorInfo(shape) by shape: the inputs rules run on (receptive field 1), shared by the layers of one shape."""


def _canonical(shape: Shape) -> TensorInfo:
    if len(_CANONICAL) >= _MEMO_LIMIT:
        _CANONICAL.clear()
    _CANONICAL[shape] = info = _info(shape)
    return info


def place(output: TensorInfo, inputs: tuple[Placed, ...]) -> tuple[int, int]:
    """The receptive field and jump of a block's output (computed on inputs of receptive field 1) on these."""
    if len(inputs) == 1:
        _, rf, jump = inputs[0]
        if rf == 1 and jump == 1:
            return output.rf, output.jump
        return rf + (output.rf - 1) * jump, jump * output.jump
    if not inputs:
        return output.rf, output.jump
    # The spacing comes from the inputs laid out like the output: a gate broadcast over the map (one value per
    # channel, squeeze-and-excitation's) widens what each output sees, but its one position has no spacing.
    spatial = output.shape[1:]
    if len(inputs) == 2:  # an addition or a gate: unrolled, an expanded network has one per block
        (shape_a, rf_a, jump_a), (shape_b, rf_b, jump_b) = inputs
        grow = output.rf - 1
        rf = max(rf_a + grow * jump_a, rf_b + grow * jump_b)
        if shape_a[1:] != shape_b[1:]:
            if shape_a[1:] == spatial:
                return rf, jump_a * output.jump
            if shape_b[1:] == spatial:
                return rf, jump_b * output.jump
        return rf, max(jump_a, jump_b) * output.jump
    spaced = [jump for shape, _, jump in inputs if shape[1:] == spatial] or [jump for _, _, jump in inputs]
    return max(rf + (output.rf - 1) * jump for _, rf, jump in inputs), max(spaced) * output.jump


def _place(cost: LayerCost, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """Map a result computed for receptive field 1 onto the inputs' real receptive fields."""
    out = cost.output
    if all(x.rf == 1 and x.jump == 1 for x in inputs):
        return cost
    rf, jump = place(out, tuple((x.shape, x.rf, x.jump) for x in inputs))
    return LayerCost(
        TensorInfo(out.shape, rf, jump),
        cost.params,
        cost.buffers,
        cost.macs,
        cost.kept,
        cost.warnings,
        cost.norm_values,
    )


def _evaluate_plan(spec: BlockSpec, params: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    first = inputs[0]
    out: Placed = (first.shape, first.rf, first.jump)
    env: dict[str, Placed] = {"": out}
    costs: list[LayerCost] = []
    memoised = _MEMO.get
    steps = plan_of(spec, params, inputs)
    for step in steps:
        sources = step.inputs
        if len(sources) == 1:  # most layers: the receptive field placed inline
            shape, rf, jump = env[sources[0]]
            cost = memoised((step.type, step.params.memo_key, (shape,))) or cost_on_shapes(
                step.type, step.params, (shape,)
            )
            if isinstance(cost, LayerProblem):
                raise LayerProblem(_lift_problem(spec, params, inputs, step, cost.problem)) from None
            output = cost.output
            env[step.name] = out = (output.shape, rf + (output.rf - 1) * jump, jump * output.jump)
        else:
            step_inputs = tuple([env[source] for source in sources])
            cost = cost_on_shapes(step.type, step.params, tuple([i[0] for i in step_inputs]))
            if isinstance(cost, LayerProblem):
                raise LayerProblem(_lift_problem(spec, params, inputs, step, cost.problem)) from None
            output = cost.output
            env[step.name] = out = (output.shape, *place(output, step_inputs))
        costs.append(cost)
    # The sums in C (map, attrgetter, sum), not a Python step per layer.
    warnings: tuple[Problem, ...] = ()
    if any(map(_WARNINGS, costs)):
        warnings = tuple(
            [
                Problem(f"{step.name}: {w.message}", "x", w.expected, w.actual)
                for step, cost in zip(steps, costs)
                for w in cost.warnings
            ]
        )
    return _cost(
        _info(*out),
        sum(map(_PARAMS, costs)),
        sum(map(_BUFFERS, costs)),
        sum(map(_MACS, costs)),
        sum(map(_KEPT, costs)),
        warnings,
        min(filter(_is_known, map(_NORM_VALUES, costs)), default=None),
    )


_PARAMS, _BUFFERS, _MACS, _KEPT, _WARNINGS, _NORM_VALUES = (
    attrgetter(name) for name in ("params", "buffers", "macs", "kept", "warnings", "norm_values")
)
_is_known = partial(is_not, None)


def _lift_problem(
    spec: BlockSpec, params: Params, inputs: tuple[TensorInfo, ...], step: Step, problem: Problem
) -> Problem:
    """Say what went wrong inside a composite in the composite's own terms."""
    if step.type == "Add" and "shortcut" in params:
        out_shape = problem.expected or "?"
        kind = params.as_str("shortcut")  # 'auto' always fits, so only an explicit choice can fail
        return Problem(
            f"{spec.title}: the {kind} shortcut carries {problem.actual} but the residual branch gives "
            f"{out_shape}; set this block's shortcut to projection",
            port="x",
            expected=out_shape,
            actual=problem.actual,
            fix=Fix("Set shortcut to projection", set_params=(("shortcut", "projection"),)),
        )
    fix = problem.fix
    if fix is not None and (fix.insert or any(name not in params for name, _ in fix.set_params)):
        fix = None
    where = f"block {step.name}" if spec.type_name == "Stage" else step.name
    message = problem.message if problem.message.startswith(spec.title) else f"{where}: {problem.message}"
    return Problem(message, "x", problem.expected, problem.actual, fix)


def layer_tensors(type_name: str, params: Params, inputs: tuple[TensorInfo, ...]) -> TensorShapes:
    """The state tensors (local key, shape) of a block on these inputs; raises LayerProblem when it cannot run.

    A composite's are its plan's, each under the step's local name, in plan order: the keys its module's
    state_dict has, relative to the module."""
    spec = get_spec(type_name)
    if spec.plan is None:
        return spec.tensors(params, inputs) if spec.tensors is not None else ()
    env: dict[str, TensorInfo] = {"": inputs[0]}
    found: list[tuple[str, Shape]] = []
    for step in spec.plan(params, inputs):
        step_inputs = tuple(env[name] for name in step.inputs)
        env[step.name] = evaluate(step.type, step.params, step_inputs).output
        found.extend(
            (f"{step.name}.{key}", shape) for key, shape in layer_tensors(step.type, step.params, step_inputs)
        )
    return tuple(found)


def _check_all_declared() -> None:
    for spec in (*PRIMITIVES, *GATING, *RESIDUAL_BLOCKS, *FAMILY_BLOCKS):
        register(spec)


_check_all_declared()

__all__ = [
    "all_specs",
    "block_types",
    "clear_memo",
    "cost_on_shapes",
    "evaluate",
    "get_spec",
    "layer_tensors",
    "place",
    "register",
    "role_of",
]
