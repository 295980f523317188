"""Declarations of the primitive layers: ports, parameters, explanations, and the rules in layers.py."""

from __future__ import annotations

from ..params import Params, ParamSpec
from ..shapes import Shape
from .layers import (
    add_form,
    add_rule,
    avgpool_form,
    avgpool_rule,
    batchnorm_form,
    batchnorm_rule,
    conv2d_form,
    conv2d_rule,
    dropout_rule,
    flatten_rule,
    global_avgpool_form,
    global_avgpool_rule,
    input_rule,
    keeps_output_form,
    linear_rule,
    maxpool_form,
    maxpool_rule,
    output_rule,
    relu_rule,
    zero_pad_form,
    zero_pad_rule,
)
from .spec import BlockSpec, Category, Role
from .tensors import batchnorm_tensors, conv2d_tensors, linear_tensors


def _fmt_in(shape: Shape | None) -> str:
    return "?" if shape is None or len(shape) != 3 else str(shape[0])


# --- Declarations -----------------------------------------------------------------------------------------


def _int(name: str, label: str, default: int, lo: int, hi: int, help: str = "") -> ParamSpec:
    return ParamSpec(name, label, "int", default, help, lo, hi)


def _bool(name: str, label: str, default: bool, help: str = "") -> ParamSpec:
    return ParamSpec(name, label, "bool", default, help)


def _describe_conv(p: Params, shape: Shape | None) -> str:
    k, s = p.as_int("kernel_size"), p.as_int("stride")
    parts = [f"{k}x{k}", f"{_fmt_in(shape)} -> {p.as_int('out_channels')}"]
    if s != 1:
        parts.append(f"stride {s}")
    if p.as_int("groups") != 1:
        parts.append(f"groups {p.as_int('groups')}")
    if p.as_int("dilation") != 1:
        parts.append(f"dilation {p.as_int('dilation')}")
    return ", ".join(parts)


def _describe_pool(p: Params, shape: Shape | None) -> str:
    k = p.as_int("kernel_size")
    return f"{k}x{k}, stride {p.as_int('stride')}, padding {p.as_int('padding')}"


def _describe_none(p: Params, shape: Shape | None) -> str:
    return ""


def _conv_tag(p: Params) -> str:
    """'1x1, s2' on a skip edge into a projection's convolution."""
    k, stride = p.as_int("kernel_size"), p.as_int("stride")
    return f"{k}x{k}, s{stride}" if stride != 1 else f"{k}x{k}"


PRIMITIVES: tuple[BlockSpec, ...] = (
    BlockSpec(
        "Input",
        "Input",
        Category.IO,
        "The image batch that enters the network.",
        "The network's input: a batch of images with a number of channels (3 for RGB) and a height and width. "
        "Every shape downstream follows from this one, so change it here (or in the run settings) to see how "
        "the network reacts to other image sizes.",
        (
            _int("channels", "Channels", 3, 1, 4096, "Colour channels of the input (3 for RGB)."),
            _int("height", "Height", 224, 1, 16384, "Image height in pixels."),
            _int("width", "Width", 224, 1, 16384, "Image width in pixels."),
        ),
        lambda p, s: f"{p.as_int('channels')}x{p.as_int('height')}x{p.as_int('width')}",
        rule=input_rule,
        inputs=(),
        palette_group="Input / Output",
        role=Role.INPUT,
        channels=lambda p, c: p.as_int("channels"),
    ),
    BlockSpec(
        "Output",
        "Output",
        Category.IO,
        "Marks what the network returns.",
        "Marks a result of the network, such as class scores. A network may have several outputs; anything "
        "that reaches no Output is flagged as unused.",
        (),
        _describe_none,
        rule=output_rule,
        outputs=(),
        palette_group="Input / Output",
        role=Role.OUTPUT,
    ),
    BlockSpec(
        "Conv2d",
        "Conv2d",
        Category.CONVOLUTION,
        "2-D convolution: learned filters slid over the feature map.",
        "Slides out_channels learned filters of kernel_size x kernel_size over the input. Each output value "
        "is a weighted sum over a small window of every input channel (or of one group of channels), so a "
        "convolution sees local patterns and shares its weights across the image. Stride 2 halves the "
        "height and width; padding keeps the border. Parameters: out x in/groups x k x k (+ out for the bias).",
        (
            _int("out_channels", "Output channels", 64, 1, 65536, "Number of filters, i.e. output channels."),
            _int("kernel_size", "Kernel size", 3, 1, 31, "Height and width of each filter."),
            _int("stride", "Stride", 1, 1, 16, "Step between windows; 2 halves the map."),
            _int("padding", "Padding", 1, 0, 32, "Zeros added around the border."),
            _int("dilation", "Dilation", 1, 1, 16, "Spacing between filter taps (atrous convolution)."),
            _int("groups", "Groups", 1, 1, 65536, "Split channels into independent groups (ResNeXt)."),
            _bool("bias", "Bias", False, "Add a learned offset; off before BatchNorm, which has its own."),
        ),
        _describe_conv,
        rule=conv2d_rule,
        map_form=conv2d_form,
        default_name="conv",
        channels=lambda p, c: p.as_int("out_channels"),
        shortcut_tag=_conv_tag,
        fresh_output=True,
        tensors=conv2d_tensors,
    ),
    BlockSpec(
        "BatchNorm2d",
        "BatchNorm2d",
        Category.NORMALISATION,
        "Normalises each channel over the batch, then scales and shifts it.",
        "Batch normalisation subtracts each channel's batch mean and divides by its standard deviation, then "
        "applies a learned scale (gamma) and shift (beta). It keeps activations well scaled as the network "
        "gets deeper and lets it train with larger learning rates. It keeps running averages of the mean "
        "and variance (buffers, not trained) for use at inference time.",
        (ParamSpec("eps", "Epsilon", "float", 1e-5, "Added to the variance for stability.", 0.0, 1.0),),
        _describe_none,
        rule=batchnorm_rule,
        map_form=batchnorm_form,
        default_name="bn",
        fresh_output=True,
        tensors=batchnorm_tensors,
    ),
    BlockSpec(
        "ReLU",
        "ReLU",
        Category.ACTIVATION,
        "max(0, x): the non-linearity.",
        "The rectified linear unit keeps positive values and sets negative ones to zero. Without a "
        "non-linearity a stack of layers would collapse into one linear map. A channel that is zero for every "
        "input is a 'dead ReLU': the Activations panel shows the fraction of zeros.",
        (),
        _describe_none,
        rule=relu_rule,
        map_form=keeps_output_form,
    ),
    BlockSpec(
        "MaxPool2d",
        "MaxPool2d",
        Category.POOLING,
        "Keeps the largest value in each window.",
        "Slides a window over each channel and keeps its maximum. ResNet's stem uses a 3x3 max-pool with "
        "stride 2 to halve the map cheaply. It has no parameters.",
        (
            _int("kernel_size", "Kernel size", 3, 1, 31, "Window size."),
            _int("stride", "Stride", 2, 1, 16, "Step between windows."),
            _int("padding", "Padding", 1, 0, 15, "Border added (at most half the window)."),
            _bool("ceil_mode", "Ceil mode", False, "Round the output size up instead of down."),
        ),
        _describe_pool,
        rule=maxpool_rule,
        map_form=maxpool_form,
        default_name="maxpool",
        fresh_output=True,
    ),
    BlockSpec(
        "AvgPool2d",
        "AvgPool2d",
        Category.POOLING,
        "Averages each window.",
        "Slides a window over each channel and keeps its average. It has no parameters.",
        (
            _int("kernel_size", "Kernel size", 2, 1, 31, "Window size."),
            _int("stride", "Stride", 2, 1, 16, "Step between windows."),
            _int("padding", "Padding", 0, 0, 15, "Border added (at most half the window)."),
            _bool("ceil_mode", "Ceil mode", False, "Round the output size up instead of down."),
            _bool("count_include_pad", "Count padding", True, "Include padded zeros in the average."),
        ),
        _describe_pool,
        rule=avgpool_rule,
        map_form=avgpool_form,
        default_name="avgpool",
        fresh_output=True,
    ),
    BlockSpec(
        "GlobalAvgPool",
        "Global average pool",
        Category.POOLING,
        "Averages each channel over the whole map: CxHxW -> Cx1x1.",
        "Replaces each channel by its average over all positions (AdaptiveAvgPool2d to 1x1). ResNets use it "
        "instead of large fully connected layers, which is why they accept any input size.",
        (),
        _describe_none,
        rule=global_avgpool_rule,
        map_form=global_avgpool_form,
        default_name="gap",
        fresh_output=True,
    ),
    BlockSpec(
        "Flatten",
        "Flatten",
        Category.HEAD,
        "Turns a CxHxW map into a vector of C*H*W features.",
        "Reshapes each sample into one long vector so a Linear layer can read it. It copies nothing.",
        (),
        _describe_none,
        rule=flatten_rule,
    ),
    BlockSpec(
        "Linear",
        "Linear",
        Category.HEAD,
        "Fully connected layer: every output sees every input.",
        "Multiplies the feature vector by a learned matrix (and adds a bias). At the end of a ResNet it maps "
        "the pooled features to one score per class. Parameters: in x out (+ out for the bias).",
        (
            _int("out_features", "Output features", 1000, 1, 1_000_000, "Number of outputs (classes)."),
            _bool("bias", "Bias", True, "Add a learned offset per output."),
        ),
        lambda p, s: f"{'?' if not s else s[0]} -> {p.as_int('out_features')}",
        rule=linear_rule,
        default_name="fc",
        channels=lambda p, c: p.as_int("out_features"),
        fresh_output=True,
        vector_axis="class",
        tensors=linear_tensors,
    ),
    BlockSpec(
        "Dropout",
        "Dropout",
        Category.ACTIVATION,
        "Randomly zeroes activations while training.",
        "During training, sets each value to zero with probability p and scales the rest by 1/(1-p); at "
        "inference it does nothing. A regulariser against overfitting.",
        (ParamSpec("p", "Probability", "float", 0.5, "Chance of zeroing each value.", 0.0, 0.99),),
        lambda p, s: f"p = {p.as_float('p'):g}",
        rule=dropout_rule,
        map_form=keeps_output_form,
    ),
    BlockSpec(
        "Add",
        "Add",
        Category.MERGE,
        "Sums its inputs element-wise: the skip connection.",
        "Adds its inputs element by element. Wired around a few layers it forms a residual connection: the "
        "layers only have to learn the change F(x) and the block outputs H(x) = F(x) + x. The gradient flows "
        "back through the addition unchanged, which is why very deep residual networks still train. All "
        "inputs must have the same shape; when they do not, the shortcut needs a 1x1 projection.",
        (_int("inputs", "Inputs", 2, 2, 8, "Number of tensors to add."),),
        lambda p, s: f"{p.as_int('inputs')} inputs",
        rule=add_rule,
        map_form=add_form,
        variadic_inputs="inputs",
        role=Role.MERGE,
        fresh_output=True,
    ),
    BlockSpec(
        "ZeroPadShortcut",
        "Zero-pad shortcut",
        Category.MERGE,
        "Parameter-free shortcut: subsample and add zero channels.",
        "The shortcut of the original paper's option A: it takes every stride-th pixel and appends channels "
        "of zeros so the shapes match the residual branch, without adding a single parameter. The CIFAR "
        "ResNets (ResNet-20 to ResNet-110) use it.",
        (
            _int("out_channels", "Output channels", 64, 1, 65536, "Channels after padding with zeros."),
            _int("stride", "Stride", 2, 1, 16, "Subsampling step."),
        ),
        lambda p, s: f"{_fmt_in(s)} -> {p.as_int('out_channels')}, stride {p.as_int('stride')}",
        rule=zero_pad_rule,
        map_form=zero_pad_form,
        default_name="shortcut",
        channels=lambda p, c: p.as_int("out_channels"),
        shortcut_tag=lambda p: "zero-pad" + (f", s{p.as_int('stride')}" if p.as_int("stride") != 1 else ""),
        fresh_output=True,
    ),
)
