"""Composite blocks: the ResNet stem, basic and bottleneck residual blocks, stages and the classifier head.

Each composite declares a plan: the layers it is made of, with torchvision's local names (conv1, bn1,
downsample.0, ...). The analysis of a composite is the analysis of its plan, and expanding a node on the
canvas inserts exactly these layers, so both views always agree.
"""

from __future__ import annotations

from collections.abc import Callable

from ..params import Params, ParamSpec
from ..shapes import Shape, TensorInfo
from .spec import BlockSpec, Category, Role, Skip, Step
from .steps import NONE, conv_params, fixed_step, make_step

SHORTCUTS = ("auto", "identity", "projection", "zero-pad", "avg-pool")
NORMS = ("batchnorm", "none")


def resolve_shortcut(shortcut: str, in_channels: int | None, out_channels: int, stride: int) -> str:
    """The shortcut a block really uses, named by what it does there: 'auto' picks identity when shapes allow it,
    else projection; a zero-pad shortcut that neither strides nor adds channels is the identity."""
    if shortcut == "zero-pad" and stride == 1 and in_channels == out_channels:
        return "identity"
    if shortcut != "auto":
        return shortcut
    if stride != 1 or in_channels != out_channels:
        return "projection"
    return "identity"


def shortcut_kind(shortcut: str, in_channels: int | None, out_channels: int, stride: int) -> str:
    """Like resolve_shortcut, but 'auto' while the input channels are unknown (nothing is claimed too early)."""
    if shortcut == "auto" and in_channels is None:
        return "auto"
    return resolve_shortcut(shortcut, in_channels, out_channels, stride)


def in_channels_of(inputs: tuple[TensorInfo, ...]) -> int | None:
    """The channels of a block's feature-map input (None while unknown)."""
    shape = inputs[0].shape if inputs else ()
    return shape[0] if len(shape) == 3 else None


def inner_width(width: int, groups: int, width_per_group: int) -> int:
    """The channels inside a block: torchvision's width from planes, groups and width per group."""
    # torchvision: width = int(planes * (base_width / 64.0)) * groups
    return int(width * (width_per_group / 64.0)) * groups


def conv_norm(p: Params, conv: str, norm: str, params: Params, source: str) -> tuple[list[Step], str]:
    """A convolution and (unless the block's normalisation is none) its BatchNorm; returns the steps and the last."""
    if p.as_str("norm") == "none":
        return [make_step(conv, "Conv2d", params.replace(bias=True), (source,))], conv
    return [make_step(conv, "Conv2d", params, (source,)), fixed_step(norm, "BatchNorm2d", (conv,))], norm


AVG_DOWN = Params({"kernel_size": 2, "ceil_mode": True, "count_include_pad": False, "padding": 0})
"""ResNet-D's shortcut pool (Bag of Tricks 2019): average 2x2 windows, then a 1x1 convolution without stride."""


def shortcut_steps(p: Params, kind: str, out: int, stride: int) -> tuple[tuple[Step, ...], str]:
    """The shortcut's layers from the block input, and the name of the last ('' for the identity)."""
    if kind == "projection":
        steps, last = conv_norm(p, "downsample.0", "downsample.1", conv_params(out, 1, stride), "")
        return tuple(steps), last
    if (
        kind == "avg-pool"
    ):  # timm's names: downsample.0 is the pool (absent without stride), .1 and .2 as usual
        pool = [Step("downsample.0", "AvgPool2d", AVG_DOWN.replace(stride=stride))] if stride != 1 else []
        source = "downsample.0" if pool else ""
        steps, last = conv_norm(p, "downsample.1", "downsample.2", conv_params(out, 1), source)
        return (*pool, *steps), last
    if kind == "zero-pad":
        return (
            make_step("shortcut", "ZeroPadShortcut", Params({"out_channels": out, "stride": stride})),
        ), "shortcut"
    return (), ""


def _close_block(
    p: Params, main: list[Step], last: str, out: int, stride: int, inputs: tuple[TensorInfo, ...], relu: str
) -> tuple[Step, ...]:
    if not p.as_bool("skip"):
        return (*main, fixed_step(relu, "ReLU", (last,)))
    kind = resolve_shortcut(p.as_str("shortcut"), in_channels_of(inputs), out, stride)
    shortcut, shortcut_out = shortcut_steps(p, kind, out, stride)
    main, last = with_drop_path(p, main, last)
    return (
        *main,
        *shortcut,
        fixed_step("add", "Add", (last, shortcut_out)),
        fixed_step(relu, "ReLU", ("add",)),
    )


def with_drop_path(p: Params, main: list[Step], last: str) -> tuple[list[Step], str]:
    """The residual branch followed by stochastic depth when the block's drop-path rate is above 0."""
    rate = p.as_float("drop_path")
    if rate <= 0:
        return main, last
    return [*main, Step("drop_path", "DropPath", Params({"p": rate}), (last,))], "drop_path"


def basic_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """torchvision's BasicBlock: 3x3 conv (stride) -> BN -> ReLU -> 3x3 conv -> BN, plus the shortcut."""
    out, s = p.as_int("out_channels"), p.as_int("stride")
    g = p.as_int("groups")
    width = inner_width(out, g, p.as_int("width_per_group"))
    main, last = conv_norm(p, "conv1", "bn1", conv_params(width, 3, s, g), "")
    main.append(fixed_step("relu1", "ReLU", (last,)))
    steps, last = conv_norm(p, "conv2", "bn2", conv_params(out, 3, 1, g), "relu1")
    return _close_block(p, main + steps, last, out, s, inputs, "relu2")


def bottleneck_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """torchvision's Bottleneck: 1x1 reduce -> 3x3 (grouped) -> 1x1 expand, each with BN, plus the shortcut."""
    planes, s = p.as_int("width"), p.as_int("stride")
    out = planes * p.as_int("expansion")
    g = p.as_int("groups")
    width = inner_width(planes, g, p.as_int("width_per_group"))
    s1, s3 = (s, 1) if p.as_str("stride_on") == "1x1" else (1, s)
    main, last = conv_norm(p, "conv1", "bn1", conv_params(width, 1, s1), "")
    main.append(fixed_step("relu1", "ReLU", (last,)))
    steps, last = conv_norm(p, "conv2", "bn2", conv_params(width, 3, s3, g), "relu1")
    main += [*steps, fixed_step("relu2", "ReLU", (last,))]
    steps, last = conv_norm(p, "conv3", "bn3", conv_params(out, 1), "relu2")
    return _close_block(p, main + steps, last, out, s, inputs, "relu3")


_BLOCK_KEYS = ("stride", "groups", "width_per_group", "shortcut", "skip", "norm", "drop_path")


def stage_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """N residual blocks named 0..N-1; only the first one strides and changes the channel count."""
    steps: list[Step] = []
    bottleneck = p.as_str("block") == "bottleneck"
    for i in range(p.as_int("blocks")):
        values = {k: p[k] for k in _BLOCK_KEYS}
        if i > 0:
            values.update(stride=1, shortcut="auto")
        if bottleneck:
            values.update(width=p["width"], expansion=p["expansion"], stride_on=p["stride_on"])
            block = "Bottleneck"
        else:
            values.update(out_channels=p["width"])
            block = "BasicBlock"
        steps.append(make_step(str(i), block, Params(values), (str(i - 1),) if i else ("",)))
    return tuple(steps)


def stem_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """ImageNet: 7x7/2 conv, BN, ReLU, 3x3/2 max-pool. CIFAR: 3x3 conv, BN, ReLU."""
    out = p.as_int("out_channels")
    cifar = p.as_str("style") == "cifar"
    steps, last = conv_norm(p, "conv1", "bn1", conv_params(out, 3 if cifar else 7, 1 if cifar else 2), "")
    steps.append(make_step("relu", "ReLU", NONE, (last,)))
    if not cifar:
        pool = Params({"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": False})
        steps.append(make_step("maxpool", "MaxPool2d", pool, ("relu",)))
    return tuple(steps)


def head_plan(p: Params, inputs: tuple[TensorInfo, ...]) -> tuple[Step, ...]:
    """Global average pool, flatten, (dropout,) and the final Linear layer named fc."""
    steps = [make_step("avgpool", "GlobalAvgPool", NONE), make_step("flatten", "Flatten", NONE, ("avgpool",))]
    last = "flatten"
    if p.as_float("dropout") > 0:
        steps.append(make_step("dropout", "Dropout", Params({"p": p.as_float("dropout")}), (last,)))
        last = "dropout"
    steps.append(
        make_step("fc", "Linear", Params({"out_features": p.as_int("num_classes"), "bias": True}), (last,))
    )
    return tuple(steps)


# --- Declarations -----------------------------------------------------------------------------------------


def _shortcut_param() -> ParamSpec:
    return ParamSpec(
        "shortcut",
        "Shortcut",
        "choice",
        "auto",
        "How x reaches the addition: auto picks identity when shapes match, else a 1x1 projection "
        "(avg-pool: ResNet-D's 2x2 average pool before an unstrided 1x1 projection).",
        choices=SHORTCUTS,
    )


def drop_path_param() -> ParamSpec:
    """Stochastic depth's rate: a training-time option the analysis ignores."""
    return ParamSpec(
        "drop_path",
        "Drop path",
        "float",
        0.0,
        "Stochastic depth: chance of skipping the residual branch per sample while training (0 for never).",
        0.0,
        0.99,
    )


def norm_param() -> ParamSpec:
    return ParamSpec(
        "norm",
        "Normalisation",
        "choice",
        "batchnorm",
        "BatchNorm after every convolution (as in the paper), or none (the convolutions then get a bias).",
        choices=NORMS,
    )


def common_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("stride", "Stride", "int", 1, "2 halves the height and width.", 1, 4),
        ParamSpec("groups", "Groups", "int", 1, "Grouped 3x3 convolution (ResNeXt cardinality).", 1, 1024),
        ParamSpec(
            "width_per_group",
            "Width per group",
            "int",
            64,
            "Channels per group, relative to 64 (128 gives a wide ResNet).",
            1,
            4096,
        ),
        _shortcut_param(),
        ParamSpec("skip", "Skip connection", "bool", True, "Off turns the block into its plain twin."),
        norm_param(),
        drop_path_param(),
    )


def fmt_in(shape: Shape | None) -> str:
    """The input channels as text ('?' while unknown)."""
    return "?" if shape is None or len(shape) != 3 else str(shape[0])


def describe_residual(p: Params, shape: Shape | None, out: int) -> str:
    parts = [f"{fmt_in(shape)} -> {out}"]
    s = p.as_int("stride")
    if s != 1:
        parts.append(f"stride {s}")
    groups, per_group = p.get("groups", 1), p.get("width_per_group", 64)  # a pre-activation block has neither
    if groups != 1:
        parts.append(f"{groups}x{per_group}d")
    elif per_group != 64:
        parts.append(f"width x{int(per_group) / 64:g}")
    if not p.as_bool("skip"):
        parts.append("no skip")
    else:
        in_c = shape[0] if shape is not None and len(shape) == 3 else None
        kind = shortcut_kind(p.as_str("shortcut"), in_c, out, s)
        parts.append("auto shortcut" if kind == "auto" else kind)
    if p.as_str("norm") == "none":
        parts.append("no BatchNorm")
    if p.as_float("drop_path") > 0:
        parts.append(f"drop path {p.as_float('drop_path'):g}")
    return ", ".join(parts)


def basic_channels(p: Params, in_channels: int | None) -> int:
    """A basic block outputs out_channels."""
    return p.as_int("out_channels")


def bottleneck_channels(p: Params, in_channels: int | None) -> int:
    """A bottleneck outputs width x expansion (torchvision's planes * expansion)."""
    return p.as_int("width") * p.as_int("expansion")


def stage_channels(p: Params, in_channels: int | None) -> int:
    """A stage outputs what its blocks output."""
    bottleneck = p.as_str("block") == "bottleneck"
    return p.as_int("width") * (p.as_int("expansion") if bottleneck else 1)


def skip_of_block(channels: Callable[[Params, int | None], int]) -> Callable[[Params, int | None], Skip]:
    """The declaration's skip fact for a residual block whose output channels `channels` gives."""

    def skip(p: Params, in_channels: int | None) -> Skip:
        stride = p.as_int("stride")
        kind = shortcut_kind(p.as_str("shortcut"), in_channels, channels(p, in_channels), stride)
        label = ("1x1" if stride == 1 else f"1x1, s{stride}") if kind == "projection" else ""
        if kind == "avg-pool":
            label = "1x1" if stride == 1 else f"avg s{stride}, 1x1"
        if kind == "auto":
            label = "?"
        return Skip(kind, p.as_bool("skip"), label)

    return skip


_RESIDUAL_TEXT = (
    "A residual block computes H(x) = F(x) + x: the layers learn only the residual F(x), and the shortcut "
    "carries x around them to the addition. If the best thing a block can do is nothing, it only has to push F "
    "towards zero, which is easy; and in backward the gradient flows through the addition unchanged, so even "
    "a 152-layer network trains. The shortcut is the identity when shapes match; when the block changes the "
    "channel count or strides, a 1x1 convolution with BatchNorm (projection, option B of the paper) or "
    "subsampling plus zero channels (zero-pad, option A) makes x fit. Switch the skip off to get the plain "
    "twin and compare how gradients and activations behave."
)

RESIDUAL_BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec(
        "BasicBlock",
        "Basic block",
        Category.RESIDUAL,
        "Two 3x3 convolutions and a skip connection (ResNet-18/34, CIFAR ResNets).",
        "The basic block: 3x3 conv, BatchNorm, ReLU, 3x3 conv, BatchNorm, then the shortcut is added and a "
        "final ReLU applied. " + _RESIDUAL_TEXT,
        (
            ParamSpec("out_channels", "Output channels", "int", 64, "Channels the block outputs.", 1, 65536),
            *common_params(),
        ),
        lambda p, s: describe_residual(p, s, basic_channels(p, None)),
        plan=basic_plan,
        palette_group="Residual",
        default_name="block",
        role=Role.RESIDUAL,
        channels=basic_channels,
        skip=skip_of_block(basic_channels),
    ),
    BlockSpec(
        "Bottleneck",
        "Bottleneck block",
        Category.RESIDUAL,
        "1x1 reduce, 3x3, 1x1 expand and a skip connection (ResNet-50/101/152, ResNeXt).",
        "The bottleneck block: a 1x1 convolution narrows the channels to the block's width, a 3x3 convolution "
        "works at that width, and a 1x1 convolution expands to width x expansion channels; each is followed by "
        "BatchNorm (and ReLU, except the last, which comes after the addition). It costs far less than two "
        "3x3 convolutions at full width. " + _RESIDUAL_TEXT,
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
                "Where the stride sits: the 3x3 conv (torchvision's v1.5) or the first 1x1 (the paper's v1).",
                choices=("3x3", "1x1"),
            ),
            *common_params(),
        ),
        lambda p, s: describe_residual(p, s, bottleneck_channels(p, None)),
        plan=bottleneck_plan,
        palette_group="Residual",
        role=Role.RESIDUAL,
        channels=bottleneck_channels,
        skip=skip_of_block(bottleneck_channels),
    ),
    BlockSpec(
        "Stage",
        "Stage",
        Category.RESIDUAL,
        "N residual blocks in a row; the first one may downsample (torchvision's layer1..layer4).",
        "A stage repeats one kind of residual block. Only its first block changes the resolution (stride) and "
        "the channel count, with a projection or zero-pad shortcut; the others keep shapes and use identity "
        "shortcuts. ResNet-50 is a stem, four stages of 3, 4, 6 and 3 bottleneck blocks, and a head.",
        (
            ParamSpec(
                "block",
                "Block",
                "choice",
                "basic",
                "Basic or bottleneck blocks.",
                choices=("basic", "bottleneck"),
            ),
            ParamSpec("blocks", "Blocks", "int", 2, "How many blocks.", 1, 128),
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
                only_when=("block", "bottleneck"),
            ),
            ParamSpec(
                "stride_on",
                "Stride on",
                "choice",
                "3x3",
                "Bottleneck only: stride on the 3x3 conv (v1.5) or the first 1x1 (v1).",
                choices=("3x3", "1x1"),
                only_when=("block", "bottleneck"),
            ),
            *common_params(),
        ),
        lambda p, s: (
            f"{p.as_int('blocks')} x {p.as_str('block')}, " + describe_residual(p, s, stage_channels(p, None))
        ),
        plan=stage_plan,
        palette_group="Residual",
        default_name="layer",
        numbered_names=True,
        role=Role.RESIDUAL,
        channels=stage_channels,
        skip=skip_of_block(stage_channels),
    ),
    BlockSpec(
        "Stem",
        "Stem",
        Category.CONVOLUTION,
        "The first layers: ImageNet 7x7/2 conv + max-pool, or CIFAR 3x3 conv.",
        "The stem turns the image into the first feature maps. The ImageNet stem (7x7 conv with stride 2, "
        "BatchNorm, ReLU, 3x3 max-pool with stride 2) shrinks a 224x224 image to 56x56 at once, because "
        "full-resolution layers would be expensive; the CIFAR stem (3x3 conv, BatchNorm, ReLU) keeps the "
        "small 32x32 images at full size.",
        (
            ParamSpec(
                "style",
                "Style",
                "choice",
                "imagenet",
                "ImageNet or CIFAR stem.",
                choices=("imagenet", "cifar"),
            ),
            ParamSpec(
                "out_channels", "Output channels", "int", 64, "Channels of the first feature maps.", 1, 65536
            ),
            norm_param(),
        ),
        lambda p, s: (
            f"{p.as_str('style')}, {fmt_in(s)} -> {p.as_int('out_channels')}"
            + (", no BatchNorm" if p.as_str("norm") == "none" else "")
        ),
        plan=stem_plan,
        flat_names=True,
        palette_group="Residual",
        channels=basic_channels,
    ),
    BlockSpec(
        "Head",
        "Classifier head",
        Category.HEAD,
        "Global average pool, flatten and a Linear layer: one score per class.",
        "The classifier head averages each final feature map to one number (so any input size works), "
        "flattens them into a vector and maps it with a Linear layer (fc) to one score per class.",
        (
            ParamSpec("num_classes", "Classes", "int", 1000, "Number of class scores.", 1, 1_000_000),
            ParamSpec("dropout", "Dropout", "float", 0.0, "Dropout before fc (0 for none).", 0.0, 0.99),
        ),
        lambda p, s: f"{fmt_in(s)} -> {p.as_int('num_classes')} classes",
        plan=head_plan,
        flat_names=True,
        palette_group="Residual",
        channels=lambda p, c: p.as_int("num_classes"),
        vector_axis="class",
    ),
)
