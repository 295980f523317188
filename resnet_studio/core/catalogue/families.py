"""The residual families after ResNet: pre-activation blocks (He et al. 2016), the deep stem of ResNet-C/D
(Bag of Tricks 2019; its average-pool shortcut is the residual blocks' 'avg-pool' option) and squeeze-and-
excitation (Hu et al. 2018). Each is one declaration with its plan; the names are those of the reference code
(timm's for the deep stem and SE blocks), so its weights load."""

from __future__ import annotations

from ..params import Params, ParamSpec
from ..shapes import Shape, TensorInfo
from .residual import (
    bottleneck_channels,
    bottleneck_plan,
    common_params,
    describe_residual,
    fmt_in,
    in_channels_of,
    resolve_shortcut,
    shortcut_steps,
    skip_of_block,
    with_drop_path,
)
from .spec import BlockSpec, Category, Role, Step
from .steps import BN, NONE, conv_params

# --- Pre-activation ---------------------------------------------------------------------------------------------


def preact_channels(p: Params, in_channels: int | None) -> int:
    """Basic: width; bottleneck: width x expansion."""
    return p.as_int("width") * (p.as_int("expansion") if p.as_str("form") == "bottleneck" else 1)


def _norm_relu_conv(p: Params, index: int, source: str, conv: Params) -> tuple[list[Step], str]:
    """bn{i} -> relu{i} -> conv{i}: normalise and activate first, then convolve (no BatchNorm: no bias needed)."""
    steps: list[Step] = []
    if p.as_str("norm") != "none":
        steps.append(Step(f"bn{index}", "BatchNorm2d", BN, (source,)))
        source = f"bn{index}"
    steps += [
        Step(f"relu{index}", "ReLU", NONE, (source,)),
        Step(f"conv{index}", "Conv2d", conv, (f"relu{index}",)),
    ]
    return steps, f"conv{index}"


def preact_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """BN -> ReLU -> conv, two (basic) or three (bottleneck) times; x + F(x) with nothing after the addition.

    A projection shortcut (a 1x1 convolution, no BatchNorm) reads the pre-activated input, as the paper's first
    unit of a stage does; the identity and zero-pad shortcuts read x itself, so the path stays clean."""
    width, s = p.as_int("width"), p.as_int("stride")
    out = preact_channels(p, None)
    convs: tuple[Params, ...]
    if p.as_str("form") == "bottleneck":
        convs = (conv_params(width, 1), conv_params(width, 3, s), conv_params(out, 1))
    else:
        convs = (conv_params(width, 3, s), conv_params(out, 3))
    main: list[Step] = []
    last = ""
    for index, conv in enumerate(convs, start=1):
        steps, last = _norm_relu_conv(p, index, last, conv)
        main += steps
    if not p.as_bool("skip"):
        return tuple(main)
    kind = resolve_shortcut(p.as_str("shortcut"), in_channels_of(inputs), out, s)
    shortcut, shortcut_out = shortcut_steps(p.replace(norm="none"), kind, out, s)
    if kind in ("projection", "avg-pool"):
        activated = main[1].name  # relu1: the shortcut shares the first pre-activation
        shortcut = tuple(
            Step(
                step.name,
                step.type,
                step.params.replace(bias=False) if step.type == "Conv2d" else step.params,
                tuple(activated if source == "" else source for source in step.inputs),
            )
            for step in shortcut
        )
    main, last = with_drop_path(p, main, last)
    return (*main, *shortcut, Step("add", "Add", Params({"inputs": 2}), (last, shortcut_out)))


# --- Deep stem (ResNet-C/D) -------------------------------------------------------------------------------------


def deep_stem_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """Three 3x3 convolutions (the first with stride 2) in place of the 7x7, then BatchNorm, ReLU, max-pool."""
    width, out = p.as_int("width"), p.as_int("out_channels")
    pool = Params({"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": False})
    return (
        Step("conv1.0", "Conv2d", conv_params(width, 3, 2)),
        Step("conv1.1", "BatchNorm2d", BN, ("conv1.0",)),
        Step("conv1.2", "ReLU", NONE, ("conv1.1",)),
        Step("conv1.3", "Conv2d", conv_params(width, 3), ("conv1.2",)),
        Step("conv1.4", "BatchNorm2d", BN, ("conv1.3",)),
        Step("conv1.5", "ReLU", NONE, ("conv1.4",)),
        Step("conv1.6", "Conv2d", conv_params(out, 3), ("conv1.5",)),
        Step("bn1", "BatchNorm2d", BN, ("conv1.6",)),
        Step("relu", "ReLU", NONE, ("bn1",)),
        Step("maxpool", "MaxPool2d", pool, ("relu",)),
    )


# --- Squeeze and excitation -------------------------------------------------------------------------------------


def make_divisible(value: float, divisor: int) -> int:
    """The reduced width of an SE block: rounded to a multiple of `divisor` (timm's make_divisible)."""
    return max(divisor, int(value + divisor / 2) // divisor * divisor)


def se_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """Squeeze (average each channel), excite (1x1 conv down, ReLU, 1x1 conv up, sigmoid), scale the input."""
    channels = in_channels_of(inputs) or 1
    reduced = make_divisible(channels / p.as_int("reduction"), p.as_int("divisor"))
    return (
        Step("pool", "GlobalAvgPool", NONE),
        Step("fc1", "Conv2d", conv_params(reduced, 1, bias=True), ("pool",)),
        Step("act", "ReLU", NONE, ("fc1",)),
        Step("fc2", "Conv2d", conv_params(channels, 1, bias=True), ("act",)),
        Step("gate", "Sigmoid", NONE, ("fc2",)),
        Step("scale", "Scale", NONE, ("", "gate")),
    )


def se_bottleneck_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """The bottleneck's plan with an SE block ('se') on the residual branch, before the addition."""
    steps = bottleneck_plan(p.replace(drop_path=0.0), inputs)
    branch_end = "conv3" if p.as_str("norm") == "none" else "bn3"
    se = Step(
        "se",
        "SqueezeExcite",
        Params({"reduction": p.as_int("se_reduction"), "divisor": p.as_int("se_divisor")}),
        (branch_end,),
    )
    at = next(i for i, step in enumerate(steps) if step.name == branch_end) + 1
    main, last = with_drop_path(p, [*steps[:at], se], "se")
    rewired = tuple(
        Step(
            step.name,
            step.type,
            step.params,
            tuple(last if source == branch_end else source for source in step.inputs),
        )
        for step in steps[at:]
    )
    return (*main, *rewired)


def _describe_se(p: Params, shape: Shape | None) -> str:
    return describe_residual(p, shape, bottleneck_channels(p, None)) + f", SE 1/{p.as_int('se_reduction')}"


_SE_TEXT = (
    "A squeeze-and-excitation block (Hu et al. 2018) lets a residual branch reweight its own channels: it "
    "averages each channel over the whole map (squeeze), passes the averages through a small two-layer "
    "bottleneck ending in a sigmoid (excite), and multiplies every channel by its gate. It adds few "
    "parameters and little computation, and SE-ResNet-50 is about as accurate as ResNet-101."
)

_PREACT_TEXT = (
    "A pre-activation block (He et al. 2016, 'Identity Mappings in Deep Residual Networks') moves BatchNorm and "
    "ReLU in front of each convolution and adds nothing after the addition, so the shortcut is a clean identity "
    "from the network's first block to its last: the signal and its gradient pass any number of blocks "
    "unchanged, and a 1001-layer network still trains. Compare the gradient flow of a pre-activation network "
    "with its post-activation twin."
)

FAMILY_BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec(
        "PreActBlock",
        "Pre-activation block",
        Category.RESIDUAL,
        "BN, ReLU, then conv (twice, or three times as a bottleneck); a clean identity path (PreAct ResNet).",
        "The residual branch is BN-ReLU-conv, BN-ReLU-conv (basic) or three such steps with 1x1, 3x3, 1x1 "
        "convolutions (bottleneck), and the block outputs x + F(x) with no ReLU after it. " + _PREACT_TEXT,
        (
            ParamSpec(
                "form",
                "Form",
                "choice",
                "basic",
                "Basic (two 3x3) or bottleneck (1x1, 3x3, 1x1).",
                choices=("basic", "bottleneck"),
            ),
            ParamSpec(
                "width", "Width", "int", 64, "Basic: output channels. Bottleneck: inner width.", 1, 65536
            ),
            ParamSpec(
                "expansion",
                "Expansion",
                "int",
                4,
                "Bottleneck only: output = width x expansion.",
                1,
                16,
                only_when=("form", "bottleneck"),
            ),
            *(q for q in common_params() if q.name not in ("groups", "width_per_group")),
        ),
        lambda p, s: (
            f"pre-activation {p.as_str('form')}, " + describe_residual(p, s, preact_channels(p, None))
        ),
        plan=preact_plan,
        palette_group="Residual",
        default_name="preact",
        role=Role.RESIDUAL,
        channels=preact_channels,
        skip=skip_of_block(preact_channels),
    ),
    BlockSpec(
        "DeepStem",
        "Deep stem",
        Category.CONVOLUTION,
        "Three 3x3 convolutions instead of the 7x7, then max-pool (ResNet-C/D, as in resnet50d).",
        "The deep stem of ResNet-C and ResNet-D (He et al. 2019, 'Bag of Tricks'): three 3x3 convolutions (the "
        "first with stride 2; width, width and output channels) replace the 7x7 one, with BatchNorm and ReLU "
        "between them, before the usual max-pool. The three convolutions see 11x11 pixels where the 7x7 one "
        "sees 7x7 (15x15 against 11x11 with the max-pool), with more non-linearity, for about three times "
        "the multiply-accumulates at the default widths. ResNet-D also averages before its projection "
        "shortcuts (shortcut: avg-pool), so they no longer skip three quarters of the input.",
        (
            ParamSpec("width", "Width", "int", 32, "Channels of the first two convolutions.", 1, 65536),
            ParamSpec(
                "out_channels", "Output channels", "int", 64, "Channels of the first feature maps.", 1, 65536
            ),
        ),
        lambda p, s: f"deep, {fmt_in(s)} -> {p.as_int('width')} -> {p.as_int('out_channels')}",
        plan=deep_stem_plan,
        flat_names=True,
        palette_group="Residual",
        default_name="stem",
        channels=lambda p, c: p.as_int("out_channels"),
    ),
    BlockSpec(
        "SqueezeExcite",
        "Squeeze-and-excitation",
        Category.RESIDUAL,
        "Reweights channels: pool, 1x1 down, ReLU, 1x1 up, sigmoid, multiply.",
        _SE_TEXT,
        (
            ParamSpec(
                "reduction",
                "Reduction",
                "int",
                16,
                "The gate's hidden width is channels / reduction.",
                1,
                1024,
            ),
            ParamSpec(
                "divisor", "Round to", "int", 8, "The hidden width is rounded to a multiple of this.", 1, 64
            ),
        ),
        lambda p, s: f"{fmt_in(s)} channels, 1/{p.as_int('reduction')}",
        plan=se_plan,
        palette_group="Residual",
        default_name="se",
    ),
    BlockSpec(
        "SEBottleneck",
        "SE bottleneck block",
        Category.RESIDUAL,
        "A bottleneck block whose branch ends in squeeze-and-excitation (SE-ResNet-50).",
        "A bottleneck block (1x1, 3x3, 1x1 with BatchNorm) whose residual branch is reweighted channel by "
        "channel by a squeeze-and-excitation block ('se') before the shortcut is added. " + _SE_TEXT,
        (
            ParamSpec(
                "width", "Width", "int", 64, "Channels inside the block (torchvision's planes).", 1, 65536
            ),
            ParamSpec("expansion", "Expansion", "int", 4, "Output channels = width x expansion.", 1, 16),
            ParamSpec(
                "stride_on",
                "Stride on",
                "choice",
                "3x3",
                "Stride on the 3x3 conv (v1.5) or the first 1x1 (v1).",
                choices=("3x3", "1x1"),
            ),
            ParamSpec(
                "se_reduction",
                "SE reduction",
                "int",
                16,
                "The gate's hidden width is channels / this.",
                1,
                1024,
            ),
            ParamSpec(
                "se_divisor", "SE rounding", "int", 8, "The gate's hidden width is a multiple of this.", 1, 64
            ),
            *common_params(),
        ),
        _describe_se,
        plan=se_bottleneck_plan,
        palette_group="Residual",
        default_name="block",
        role=Role.RESIDUAL,
        channels=bottleneck_channels,
        skip=skip_of_block(bottleneck_channels),
    ),
)

__all__ = ["FAMILY_BLOCKS", "make_divisible"]
