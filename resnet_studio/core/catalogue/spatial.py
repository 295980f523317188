"""A composite block's figures as a function of its input's height and width.

For given parameters and input channels, the layers of a plan that all declare a MapForm add up to a
SpatialProgram: the sizes the layers produce (each the window of one layer over an earlier size) and what every
layer costs per position at its size. Evaluating the program at a height and width is then a few integer
operations per distinct size, instead of running each layer's rule: the blocks downstream of an edit that meet
new shapes are evaluated almost for free. Anything the program cannot vouch for (a layer that warns or fails at
this size, inputs of an addition that do not match) is left to the rules, which say exactly what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import mul

from ..frozen import builder
from ..params import ParamValue
from ..shapes import Shape, TensorInfo, drops_trailing_input, pool_output_size
from .spec import LayerCost, LayerProblem, MapForm, Step, Window

_cost = builder(LayerCost)
_info = builder(TensorInfo)

Size = tuple[int, Window]
"""How one size follows from another: (the size the window slides over, the window)."""
Slide = tuple[int, "int | None", int, Window]
"""A Size with what evaluation needs of its window worked out once: (the size slid over, the window's span in
floor mode, or None in ceil mode or over the whole map; the stride; the window)."""


@dataclass(frozen=True, slots=True)
class SpatialProgram:
    """A composite block on inputs with given channels and any height and width: its layers' sizes and costs."""

    sizes: tuple[Slide, ...]
    """How each size after the input's (size 0) follows from an earlier one: size i + 1 is sizes[i]'s."""
    equal: tuple[tuple[int, int], ...]
    """Pairs of sizes that must be equal for the block to run (the inputs of an addition)."""
    macs: tuple[int, ...]
    """Multiply-accumulates per position of each size, summed over the layers that output it."""
    kept: tuple[int, ...]
    """Elements kept per position of each size, summed over the layers that output it."""
    normalised: tuple[int, ...]
    """The sizes a BatchNorm normalises over (its values per channel are that size's height x width)."""
    params: int
    buffers: int
    channels: int
    """The output's channels."""
    size: int
    """Which size the output has."""
    rf: int
    jump: int
    """The output's receptive field and jump on an input whose own are 1 (before a global pool widens them)."""
    pool: int = -1
    """The size a global pool (a window over the whole map) slides over, or -1 without one."""
    pooled: bool = False
    """The output comes after the global pool: its receptive field then spans the whole pooled map."""

    def cost(self, height: int, width: int) -> LayerCost | None:
        """The block's figures on a (channels, height, width) input whose receptive field is 1; None when some
        layer would fail or warn at this size, or an addition would meet different sizes (the rules then say
        what is wrong)."""
        if not self.sizes:  # a block that keeps the size (most of a deep network's): one area
            area = height * width
            return _cost(
                _info((self.channels, height, width), self.rf, self.jump),
                self.params,
                self.buffers,
                self.macs[0] * area,
                self.kept[0] * area,
                (),
                area if self.normalised else None,
            )
        heights, widths = [height], [width]
        for source, span, s, window in self.sizes:
            h, w = heights[source], widths[source]
            if span is None:
                out_h, out_w = _whole_or_ceil(window, h, w)
            else:  # conv_output_size, inline
                out_h, out_w = (h - span) // s + 1, (w - span) // s + 1
                if s > 1 and (h % s or w % s) and _leaves_rows(window, h, w, out_h, out_w):
                    return None  # the layer's rule warns about the unread rows
            if out_h < 1 or out_w < 1:
                return None  # the map vanishes: the layer's rule says where
            heights.append(out_h)
            widths.append(out_w)
        for a, b in self.equal:
            if heights[a] != heights[b] or widths[a] != widths[b]:
                return None
        areas = list(map(mul, heights, widths))
        rf, jump = self.rf, self.jump
        if self.pooled:
            side = max(heights[self.pool], widths[self.pool])
            rf, jump = rf + (side - 1) * jump, jump * side
        size = self.size
        shape = (self.channels, heights[size], widths[size]) if size >= 0 else (self.channels,)
        return _cost(
            _info(shape, rf, jump),
            self.params,
            self.buffers,
            sum(map(mul, self.macs, areas)),
            sum(map(mul, self.kept, areas)),
            (),
            min(map(areas.__getitem__, self.normalised)) if self.normalised else None,
        )


def _whole_or_ceil(window: Window, h: int, w: int) -> tuple[int, int]:
    """The output size of a window over the whole map (1x1) or of one in ceil mode."""
    k, s, pad, d, _ = window
    if not k:
        return 1, 1
    return pool_output_size(h, k, s, pad, d, True), pool_output_size(w, k, s, pad, d, True)


def _leaves_rows(window: Window, h: int, w: int, out_h: int, out_w: int) -> bool:
    """True when a window in floor mode never reads some of the last rows or columns of an h x w map."""
    k, s, pad, d, _ = window
    return bool(drops_trailing_input(h, k, s, pad, d, out_h) or drops_trailing_input(w, k, s, pad, d, out_w))


def _slide(size: Size) -> Slide:
    source, window = size
    k, s, pad, d, ceil = window
    return source, None if ceil or not k else d * (k - 1) + 1 - 2 * pad, s, window


NOT_BUILT = SpatialProgram((), (), (0,), (0,), (), 0, 0, 0, 0, 1, 1)
"""Marks a program not built yet where None (a plan without one) is a value: `memo.get(key, NOT_BUILT)`."""

Describe = Callable[[Step, tuple[int, ...]], "MapForm | SpatialProgram | None"]
"""A step's MapForm (or a composite step's own program) on inputs of these channels; None when it has none."""
Evaluate = Callable[[Step, tuple[Shape, ...]], "LayerCost | LayerProblem"]
"""A step's figures by its rule on inputs of these shapes (for the layers after a global pool, whose input
shape no longer depends on the block's)."""

_FORMS: dict[
    tuple[str, frozenset[tuple[str, ParamValue]], tuple[int, ...]], MapForm | SpatialProgram | None
] = {}
"""What each step contributes to a program, by (type name, params, input channels): the plans of a network's
blocks repeat layers (a BatchNorm of 256 channels, a 3x3 convolution on the same channels)."""
_LIMIT = 50_000


def forget_forms() -> None:
    """Drop the memoised forms (with the analysis memo, for a cold start)."""
    _FORMS.clear()


_NOT_DESCRIBED = MapForm(-1)
"""Marks a step not described yet, where None (a step without a form) is a value."""

Tensor = tuple[int, int, int, int]
"""A step's output while a program is built: (channels, size, receptive field, jump); size -1 for a vector of
`channels` features (after a global pool and a Flatten)."""


def build_program(
    steps: Iterable[Step], channels: int, describe: Describe, evaluate: Evaluate
) -> SpatialProgram | None:
    """The program of a plan on inputs of `channels` channels; None when a step has no form.

    One pass over the steps in plan order, in one frame, each form read from a memo and unpacked at once: a cold
    analysis builds the program of every distinct block. After a global pool (a classifier head) the shapes no
    longer depend on the input's size: those layers are evaluated once, by their rules, on their fixed shapes."""
    env: dict[str, Tensor] = {"": (channels, 0, 1, 1)}
    sizes: list[Size] = []
    index: dict[Size, int] = {}
    macs, kept = [0], [0]
    equal: list[tuple[int, int]] = []
    normalised: set[int] = set()
    params = buffers = 0
    pool = pooled = -1  # the size a global pool slides over, and the 1x1 size it gives
    out = env[""]
    memo = _FORMS
    for step in steps:
        names = step.inputs
        if len(names) == 1:
            c, size, rf, jump = env[names[0]]
            channels_in: tuple[int, ...] = (c,)
        else:
            sources = [env[name] for name in names]
            c, size, rf, jump = sources[0]
            channels_in = tuple([source[0] for source in sources])
            if pool >= 0 and any(source[1] in (-1, pooled) for source in sources):
                return None
        if pool >= 0 and (size == pooled or size < 0):  # a fixed shape: the layer's own rule, once
            cost = evaluate(step, ((c,) if size < 0 else (c, 1, 1),))
            if (
                type(cost) is not LayerCost
                or cost.warnings
                or cost.norm_values is not None
                or cost.output.rf != 1
                or cost.output.jump != 1
                or len(cost.output.shape) not in (1, 3)
                or cost.output.shape[1:] not in ((), (1, 1))
            ):
                return None
            params += cost.params
            buffers += cost.buffers
            macs[pooled] += cost.macs
            kept[pooled] += cost.kept
            shape = cost.output.shape
            env[step.name] = out = (shape[0], pooled if len(shape) == 3 else -1, rf, jump)
            continue
        key = (step.type, step.params.memo_key, channels_in)
        form = memo.get(key, _NOT_DESCRIBED)
        if form is _NOT_DESCRIBED:
            form = memo[key] = describe(step, channels_in)
            if len(memo) > _LIMIT:
                memo.clear()
        if form is None:
            return None
        # A composite step: its sizes become ours, counted from its input's.
        if isinstance(form, SpatialProgram):
            if form.pool >= 0:
                return None
            mapped = [size]
            for source, _, _, slid in form.sizes:
                new = (mapped[source], slid)
                at = index.get(new)
                if at is None:
                    sizes.append(new)
                    macs.append(0)
                    kept.append(0)
                    at = index[new] = len(sizes)
                mapped.append(at)
            equal += [(mapped[a], mapped[b]) for a, b in form.equal if mapped[a] != mapped[b]]
            normalised.update([mapped[i] for i in form.normalised])
            params += form.params
            buffers += form.buffers
            for at, m, k in zip(mapped, form.macs, form.kept):
                macs[at] += m
                kept[at] += k
            out = (form.channels, mapped[form.size], rf + (form.rf - 1) * jump, jump * form.jump)
        else:
            c, window, p, b, m, k, normalises, merges = form
            if normalises:
                normalised.add(size)
            if window is not None:
                ks, s, pad, d, _ = window
                if not ks:  # the whole map: a global pool
                    if pool >= 0:
                        return None  # one per program
                    pool = size
                if not ks or s != 1 or 2 * pad != d * (ks - 1):  # Window.keeps_size, inline
                    new = (size, window)
                    at = index.get(new)
                    if at is None:
                        sizes.append(new)
                        macs.append(0)
                        kept.append(0)
                        at = index[new] = len(sizes)
                    size = at
                    if not ks:
                        pooled = at
                if ks:
                    rf, jump = rf + (ks - 1) * d * jump, jump * s
            elif merges:
                equal += [(size, source[1]) for source in sources[1:] if source[1] != size]
                rf, jump = max([source[2] for source in sources]), max([source[3] for source in sources])
            params += p
            buffers += b
            macs[size] += m
            kept[size] += k
            out = (c, size, rf, jump)
        env[step.name] = out
    channels, size, rf, jump = out
    return SpatialProgram(
        tuple(map(_slide, sizes)),
        tuple(equal),
        tuple(macs),
        tuple(kept),
        tuple(sorted(normalised)),
        params,
        buffers,
        channels,
        size,
        rf,
        jump,
        pool,
        pool >= 0 and (size < 0 or size == pooled),
    )
