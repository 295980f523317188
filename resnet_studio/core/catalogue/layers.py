"""Primitive layers: one PyTorch module each, with PyTorch's shape rules and exact parameter/MAC counts."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from ..frozen import builder
from ..params import Params
from ..shapes import (
    Shape,
    TensorInfo,
    conv_output_size,
    drops_trailing_input,
    format_shape,
    pool_output_size,
)
from .spec import WHOLE_MAP, Fix, LayerCost, LayerProblem, MapForm, Problem, Window

_cost = builder(LayerCost)
_info = builder(TensorInfo)
"""LayerCost(...) and TensorInfo(...), faster: rules run for every distinct layer of a cold analysis."""
_new = tuple.__new__
"""_new(MapForm, (every field)): a MapForm or Window without the call that fills in defaults, for the layers
every plan repeats (convolutions, BatchNorm, ReLU)."""


def _fmt_in(shape: Shape | None) -> str:
    return "?" if shape is None or len(shape) != 3 else str(shape[0])


def feature_map(x: TensorInfo, block: str, port: str = "x") -> tuple[int, int, int]:
    """The (C, H, W) of an input, or a LayerProblem saying the block needs a feature map."""
    if len(x.shape) != 3:
        raise LayerProblem(
            Problem(
                f"{block} needs a CxHxW feature map but gets a flat vector of {format_shape(x.shape)} features; "
                "move it before the Flatten/GlobalAvgPool",
                port=port,
                expected="CxHxW",
                actual=format_shape(x.shape),
            )
        )
    c, h, w = x.shape
    return c, h, w


def _window(
    block: str,
    x: TensorInfo,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    out_h: int,
    out_w: int,
) -> tuple[int, int, tuple[Problem, ...]]:
    """Receptive field and jump after a sliding-window layer; raises when the map vanishes, warns on lost rows."""
    _, h, w = x.shape
    if out_h < 1 or out_w < 1:
        need = dilation * (kernel - 1) + 1 - 2 * padding
        raise LayerProblem(
            Problem(
                f"{block}: the feature map vanishes: a {kernel}x{kernel} window (dilation {dilation}, padding "
                f"{padding}) needs at least {need}x{need} but gets {h}x{w}",
                port="x",
                expected=f"at least {need}x{need}",
                actual=f"{h}x{w}",
                fix=Fix("Reduce the stride or padding upstream, or use a larger input"),
            )
        )
    rf, jump = x.rf + (kernel - 1) * dilation * x.jump, x.jump * stride
    if stride <= 1 or (h % stride == 0 and w % stride == 0):
        return rf, jump, ()  # every input row is read
    warnings: list[Problem] = []
    lost_h = drops_trailing_input(h, kernel, stride, padding, dilation, out_h)
    lost_w = drops_trailing_input(w, kernel, stride, padding, dilation, out_w)
    if lost_h or lost_w:
        warnings.append(
            Problem(
                f"{block}: stride {stride} on a {h}x{w} map never reads the last "
                f"{lost_h} row(s) and {lost_w} column(s)",
                port="x",
                expected=f"a size divisible by {stride}, or padding {padding + 1}",
                actual=f"{h}x{w}",
            )
        )
    return rf, jump, tuple(warnings)


def map_cost(block: str, form: MapForm, x: TensorInfo) -> LayerCost:
    """The figures of a layer on a CxHxW input, from its MapForm: the one place a layer's form meets a map.

    Raises LayerProblem when the window does not fit the map; warns when a stride leaves input rows unread
    (not in ceil mode, which reads them by design)."""
    c, window, params, buffers, macs, kept, normalises, _ = form
    _, h, w = x.shape
    warnings: tuple[Problem, ...] = ()
    if window is None:
        out = x if c == x.shape[0] else _info((c, h, w), x.rf, x.jump)
        out_h, out_w = h, w
    elif not window.kernel:  # the whole map: one output per channel, which sees all of it
        side = max(h, w)
        out_h = out_w = 1
        out = _info((c, 1, 1), x.rf + (side - 1) * x.jump, x.jump * side)
    else:
        k, s, pad, d, ceil = window
        if ceil:
            out_h, out_w = pool_output_size(h, k, s, pad, d, True), pool_output_size(w, k, s, pad, d, True)
        else:
            # conv_output_size, inline: a cold analysis runs this for every layer
            span = d * (k - 1) + 1 - 2 * pad
            out_h, out_w = (h - span) // s + 1, (w - span) // s + 1
        if out_h >= 1 and out_w >= 1 and (s == 1 or (h % s == 0 and w % s == 0)):
            rf, jump = x.rf + (k - 1) * d * x.jump, x.jump * s
        else:
            rf, jump, warnings = _window(block, x, k, s, pad, d, out_h, out_w)
            if ceil:
                warnings = ()
        out = _info((c, out_h, out_w), rf, jump)
    n = out_h * out_w
    return _cost(out, params, buffers, macs * n, kept * n, warnings, h * w if normalises else None)


def keeps_shape(kept: bool) -> Callable[[Params, tuple[int, ...]], MapForm]:
    """The form of a layer that keeps its input's shape and has no weights (kept: it keeps its output)."""

    def form(p: Params, channels: tuple[int, ...]) -> MapForm:
        c = channels[0]
        return _new(MapForm, (c, None, 0, 0, 0, c if kept else 0, False, False))

    return form


# --- Input / Output -------------------------------------------------------------------------------------------


def input_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """An image batch of the declared size."""
    return _cost(_info((p.as_int("channels"), p.as_int("height"), p.as_int("width"))))


def output_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """Marks a network output; passes its input through."""
    return _cost(inputs[0])


# --- Convolution and normalisation ------------------------------------------------------------------------


_CONV = itemgetter("out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias")


def conv2d_form(p: Params, channels: tuple[int, ...]) -> MapForm:
    """torch.nn.Conv2d with square kernels: out x in/groups x k x k weights (+ out for the bias)."""
    c = channels[0]
    out_c, k, s, pad, d, g, bias = _CONV(p.by_name)
    if out_c < 1:
        # Only a block's plan can ask for this (a width that rounds down to 0); PyTorch refuses to run it.
        raise LayerProblem(
            Problem(
                f"Conv2d: it would have {out_c} output channels; a convolution needs at least one (in a block, "
                "the width x width per group / 64 must come to 1 or more)",
                port="x",
                expected="at least 1 output channel",
                actual=str(out_c),
            )
        )
    if c % g or out_c % g:
        bad = "input" if c % g else "output"
        raise LayerProblem(
            Problem(
                f"Conv2d: {g} groups must divide the input ({c}) and output ({out_c}) channels; "
                f"the {bad} channels do not",
                port="x",
                expected=f"channels divisible by {g}",
                actual=f"{c} -> {out_c}",
                fix=Fix("Set groups to 1", set_params=(("groups", 1),)),
            )
        )
    per_output = (c // g) * k * k
    weights = out_c * per_output
    window = _new(Window, (k, s, pad, d, False))
    return _new(MapForm, (out_c, window, weights + (out_c if bias else 0), 0, weights, out_c, False, False))


def conv2d_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.nn.Conv2d with square kernels."""
    x = inputs[0]
    shape = x.shape if len(x.shape) == 3 else feature_map(x, "Conv2d")
    return map_cost("Conv2d", conv2d_form(p, shape[:1]), x)


def batchnorm_form(p: Params, channels: tuple[int, ...]) -> MapForm:
    """torch.nn.BatchNorm2d: a scale and shift per channel, plus running statistics (and a counter) as buffers."""
    c = channels[0]
    return _new(MapForm, (c, None, 2 * c, 2 * c + 1, 0, c, True, False))


def batchnorm_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.nn.BatchNorm2d."""
    x = inputs[0]
    c, _, _ = feature_map(x, "BatchNorm2d")
    return map_cost("BatchNorm2d", batchnorm_form(p, (c,)), x)


keeps_output_form = keeps_shape(kept=True)
"""ReLU, Dropout, Sigmoid: the shape is kept, and so is the output (for backward; Dropout keeps its mask)."""


def keeps_output_rule(block: str) -> Callable[[Params, tuple[TensorInfo, ...]], LayerCost]:
    """The rule of a layer that keeps its input's shape and its output: on a map, from keeps_output_form."""

    def rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
        x = inputs[0]
        if len(x.shape) == 3:
            return map_cost(block, keeps_output_form(p, x.shape[:1]), x)
        return _cost(x, kept=x.numel)

    rule.__doc__ = f"{block}: keeps the shape, and its output."
    return rule


relu_rule = keeps_output_rule("ReLU")
dropout_rule = keeps_output_rule("Dropout")  # (in training it keeps a mask of the same size)


# --- Pooling ----------------------------------------------------------------------------------------------


def _pool_form(block: str) -> Callable[[Params, tuple[int, ...]], MapForm]:
    def form(p: Params, channels: tuple[int, ...]) -> MapForm:
        k, s, pad = p.as_int("kernel_size"), p.as_int("stride"), p.as_int("padding")
        if 2 * pad > k:
            raise LayerProblem(
                Problem(
                    f"{block}: padding {pad} is more than half the {k}x{k} window",
                    port="x",
                    expected=f"padding at most {k // 2}",
                    actual=str(pad),
                    fix=Fix(f"Set padding to {k // 2}", set_params=(("padding", k // 2),)),
                )
            )
        c = channels[0]
        return MapForm(c, Window(k, s, pad, 1, p.as_bool("ceil_mode")), kept=c)

    form.__doc__ = f"torch.nn.{block}: a window per channel, no parameters; it keeps its output."
    return form


maxpool_form = _pool_form("MaxPool2d")
avgpool_form = _pool_form("AvgPool2d")


def maxpool_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.nn.MaxPool2d."""
    x = inputs[0]
    c, _, _ = feature_map(x, "MaxPool2d")
    return map_cost("MaxPool2d", maxpool_form(p, (c,)), x)


def avgpool_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.nn.AvgPool2d."""
    x = inputs[0]
    c, _, _ = feature_map(x, "AvgPool2d")
    return map_cost("AvgPool2d", avgpool_form(p, (c,)), x)


def global_avgpool_form(p: Params, channels: tuple[int, ...]) -> MapForm:
    """torch.nn.AdaptiveAvgPool2d((1, 1)): one average per channel over the whole map; it keeps its output."""
    c = channels[0]
    return MapForm(c, WHOLE_MAP, kept=c)


def global_avgpool_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.nn.AdaptiveAvgPool2d((1, 1))."""
    x = inputs[0]
    c, _, _ = feature_map(x, "GlobalAvgPool")
    return map_cost("GlobalAvgPool", global_avgpool_form(p, (c,)), x)


def flatten_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.flatten(x, 1): a view, so it keeps no memory of its own."""
    x = inputs[0]
    return _cost(_info((x.numel,), x.rf, x.jump))


def linear_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """torch.nn.Linear whose in_features is the incoming vector's length."""
    x = inputs[0]
    if len(x.shape) != 1:
        raise LayerProblem(
            Problem(
                f"Linear needs a flat feature vector but gets a {format_shape(x.shape)} feature map; "
                "insert a Flatten (or GlobalAvgPool + Flatten) before it",
                port="x",
                expected="a vector of features",
                actual=format_shape(x.shape),
                fix=Fix("Insert Flatten", port="x", insert=(("Flatten", Params()),)),
            )
        )
    n_in, n_out = x.shape[0], p.as_int("out_features")
    params = n_in * n_out + (n_out if p.as_bool("bias") else 0)
    return _cost(_info((n_out,), x.rf, x.jump), params=params, macs=n_in * n_out, kept=n_out)


# --- Merging ----------------------------------------------------------------------------------------------


def projection_fix(port: str, source: Shape, target: Shape) -> Fix | None:
    """A 1x1 convolution + BatchNorm on `port` that turns `source` into `target`, if one exists."""
    if len(source) != 3 or len(target) != 3:
        return None
    for stride in range(1, 9):
        if (conv_output_size(source[1], 1, stride, 0), conv_output_size(source[2], 1, stride, 0)) == target[
            1:
        ]:
            conv = Params(
                {
                    "out_channels": target[0],
                    "kernel_size": 1,
                    "stride": stride,
                    "padding": 0,
                    "dilation": 1,
                    "groups": 1,
                    "bias": False,
                }
            )
            label = f"Insert a 1x1 projection ({source[0]} -> {target[0]}, stride {stride}) on {port}"
            return Fix(label, port=port, insert=(("Conv2d", conv), ("BatchNorm2d", Params({"eps": 1e-5}))))
    return None


def add_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """Element-wise sum: the skip connection. Every input must have the same shape."""
    first = inputs[0]
    for i, x in enumerate(inputs[1:], start=2):
        if x.shape == first.shape:
            continue
        # The projection belongs on the input that carries the larger map or fewer channels: the shortcut.
        shortcut_first = (
            len(first.shape) == 3
            and len(x.shape) == 3
            and (first.shape[1] > x.shape[1] or first.shape[0] < x.shape[0])
        )
        port, source, target = (
            ("in1", first.shape, x.shape) if shortcut_first else (f"in{i}", x.shape, first.shape)
        )
        raise LayerProblem(
            Problem(
                f"Add: input {i} is {format_shape(x.shape)} but input 1 is {format_shape(first.shape)}; "
                "a skip connection needs equal shapes, so give the shortcut a projection",
                port=f"in{i}",
                expected=format_shape(first.shape),
                actual=format_shape(x.shape),
                fix=projection_fix(port, source, target),
            )
        )
    return _cost(_info(first.shape, max(x.rf for x in inputs), max(x.jump for x in inputs)), kept=first.numel)


def add_form(p: Params, channels: tuple[int, ...]) -> MapForm | None:
    """An addition of maps of one shape keeps it and its output; inputs of other channels cannot be added."""
    c = channels[0]
    if any(other != c for other in channels):
        return None
    return MapForm(c, kept=c, merges=True)


def zero_pad_form(p: Params, channels: tuple[int, ...]) -> MapForm:
    """The paper's option-A shortcut: every stride-th position (x[:, :, ::s, ::s], a 1x1 window in ceil mode:
    ceil(H / s) rows) with zero channels appended up to out_channels; no parameters."""
    c = channels[0]
    out_c, s = p.as_int("out_channels"), p.as_int("stride")
    if out_c < c:
        raise LayerProblem(
            Problem(
                f"a zero-pad shortcut can only add channels, but the block goes from {c} to {out_c}; "
                "use a projection shortcut",
                port="x",
                expected=f"at least {c} output channels",
                actual=str(out_c),
                fix=Fix("Set shortcut to projection", set_params=(("shortcut", "projection"),)),
            )
        )
    return MapForm(out_c, Window(1, s, 0, 1, True), kept=out_c)


def zero_pad_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """The option-A shortcut on a map."""
    x = inputs[0]
    c, _, _ = feature_map(x, "ZeroPadShortcut")
    return map_cost("ZeroPadShortcut", zero_pad_form(p, (c,)), x)
