"""The declaration of a block type: ports, parameters, explanation, shape/cost rule and (for composites) plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from ..errors import ParameterError
from ..params import Params, ParamSpec, ParamValue, shared
from ..shapes import Shape, TensorInfo
from .tensors import TensorRule


class Role(str, Enum):
    """What part a block plays in a network, for the views and the engine that must treat it specially."""

    INPUT = "input"
    """The image batch enters here (its size may come from the run settings)."""
    OUTPUT = "output"
    """Marks a result of the network; passes its input through."""
    RESIDUAL = "residual"
    """A block with a skip connection that can be switched off (its plain twin)."""
    MERGE = "merge"
    """Sums its inputs: where skip connections end."""
    LAYER = "layer"
    """Everything else."""


class Category(str, Enum):
    """What kind of layer a block is; decides its colour on the canvas and in the palette."""

    RESIDUAL = "residual"
    CONVOLUTION = "convolution"
    NORMALISATION = "normalisation"
    ACTIVATION = "activation"
    POOLING = "pooling"
    HEAD = "head"
    IO = "io"
    MERGE = "merge"

    @property
    def label(self) -> str:
        """The category name shown to users."""
        return _CATEGORY_LABELS[self]

    @property
    def colour(self) -> str:
        """The category colour (Okabe-Ito, safe for colour-blind viewers), as #rrggbb."""
        return _CATEGORY_COLOURS[self]


_CATEGORY_LABELS = {
    Category.RESIDUAL: "Residual block",
    Category.CONVOLUTION: "Convolution",
    Category.NORMALISATION: "Normalisation",
    Category.ACTIVATION: "Activation",
    Category.POOLING: "Pooling",
    Category.HEAD: "Linear / head",
    Category.IO: "Input / output",
    Category.MERGE: "Merge",
}

_CATEGORY_COLOURS = {
    Category.RESIDUAL: "#0072B2",  # blue
    Category.CONVOLUTION: "#E69F00",  # orange
    Category.NORMALISATION: "#56B4E9",  # sky blue
    Category.ACTIVATION: "#009E73",  # bluish green
    Category.POOLING: "#CC79A7",  # reddish purple
    Category.HEAD: "#D55E00",  # vermillion
    Category.IO: "#7F7F7F",  # grey
    Category.MERGE: "#F0E442",  # yellow
}


@dataclass(frozen=True, slots=True)
class Fix:
    """A suggested change that would remove a problem; the editor can apply it as one undoable command."""

    label: str
    """What the fix does, in words: 'Set shortcut to projection'."""
    set_params: tuple[tuple[str, ParamValue], ...] = ()
    """Parameter values to set on the node with the problem."""
    port: str = ""
    """The input port whose incoming connection gets the blocks in `insert`."""
    insert: tuple[tuple[str, Params], ...] = ()
    """Blocks (type, parameters) to insert, in order, on the connection into `port`."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a layer: where, what was expected, what was found and how to fix it."""

    message: str
    port: str | None = None
    expected: str | None = None
    actual: str | None = None
    fix: Fix | None = None


class LayerProblem(Exception):
    """Raised by a rule when the layer cannot run on its inputs."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class LayerCost:
    """What a rule computes for one layer from its inputs (per sample; bytes come later from the settings)."""

    output: TensorInfo
    params: int = 0
    buffers: int = 0
    macs: int = 0
    kept: int = 0
    """Elements of every layer output inside this block, per sample: what training keeps for backward."""
    warnings: tuple[Problem, ...] = ()
    norm_values: int | None = None
    """The fewest values per channel a BatchNorm inside normalises, per sample (None without BatchNorm); in
    training it needs more than one per channel over the whole batch."""


class Window(NamedTuple):
    """A window slid over the height and width, as PyTorch's Conv2d and pooling layers take it; kernel 0 is the
    whole map at once (global pooling, WHOLE_MAP), whatever its size."""

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    ceil_mode: bool = False
    """Round the output size up, as pooling's ceil_mode does; such a layer reads its last rows by design."""

    @property
    def keeps_size(self) -> bool:
        """True when the output has the input's height and width, whatever they are."""
        return self.stride == 1 and 2 * self.padding == self.dilation * (self.kernel - 1)


WHOLE_MAP = Window(0)
"""The whole map as one window: a global pool, whose output is 1x1."""


class MapForm(NamedTuple):
    """What a layer does to a CxHxW feature map, known from its parameters and input channels alone: the window
    it slides over the height and width (none for a layer that works position by position) and its figures per
    output position. The layer's rule works its figures out from it (layers.map_cost), and a composite block
    adds its layers' forms up to evaluate itself at any height and width (spatial.py). A NamedTuple: a program
    reads one in a single unpacking."""

    channels: int
    """Output channels."""
    window: Window | None = None
    params: int = 0
    buffers: int = 0
    macs: int = 0
    """Multiply-accumulates per output position (over every output channel)."""
    kept: int = 0
    """Elements kept per output position: the output channels for a layer that keeps its output, else 0."""
    normalises: bool = False
    """Normalises each channel over its height x width (BatchNorm): that many values per channel."""
    merges: bool = False
    """Sums several inputs, which must all have the shape of the first (Add)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One layer of a composite block's plan: a local name, a block type, its parameters and its inputs."""

    name: str
    type: str
    params: Params
    inputs: tuple[str, ...] = ("",)
    """Local names of the steps feeding this one, in port order; '' is the block's own input."""


@dataclass(frozen=True, slots=True)
class Skip:
    """How a residual block's input reaches its addition, as the card draws it."""

    kind: str
    """'identity', 'projection', 'zero-pad', or 'auto' while the input channels are not known yet."""
    on: bool
    """False for the plain twin (the skip connection switched off)."""
    label: str = ""
    """'1x1' for a projection, with its stride: '1x1, s2'."""


Rule = Callable[[Params, tuple[TensorInfo, ...]], LayerCost]
FormRule = Callable[[Params, tuple[int, ...]], "MapForm | None"]
"""A layer's MapForm from its parameters and its inputs' channels; None when its figures on a map do not follow
from these alone; raises LayerProblem when no map of any size would do (e.g. groups that do not divide)."""
Plan = Callable[[Params, tuple[TensorInfo, ...]], tuple[Step, ...]]
"""The layers of a composite block. It may read its input's channels (in_channels_of) but nothing else of the
input: the analysis keeps one plan per (parameters, input channels)."""
Describe = Callable[[Params, Shape | None], str]
Channels = Callable[[Params, int | None], int | None]
"""Output channels (or features) from a node's parameters and its input channels (None when unknown)."""
SkipOf = Callable[[Params, int | None], Skip]
"""The skip of a residual block, from its parameters and its input channels."""
Tag = Callable[[Params], str]
"""The label of a skip edge that enters this layer: '1x1, s2' for a projection's convolution."""


@dataclass(frozen=True)
class BlockSpec:
    """Everything the app knows about one block type, declared once."""

    type_name: str
    title: str
    category: Category
    summary: str
    """One line for the palette."""
    explanation: str
    """A paragraph a teacher would show: what the block computes and why it exists."""
    params: tuple[ParamSpec, ...]
    describe: Describe
    """The key parameters in one line, e.g. '64 -> 128, stride 2, projection'."""
    rule: Rule | None = None
    plan: Plan | None = None
    """For composite blocks: the primitive (or block) layers that make it up."""
    inputs: tuple[str, ...] = ("x",)
    outputs: tuple[str, ...] = ("out",)
    variadic_inputs: str | None = None
    """Name of an int parameter giving the number of inputs (ports in1..inN), for Add."""
    flat_names: bool = False
    """Expanded layers keep their own names ('conv1', not 'stem.conv1'), as torchvision's stem and head do."""
    palette_group: str = "Layers"
    """Where the palette lists it ('' to leave it out of the palette)."""
    aliases: tuple[str, ...] = field(default=())
    default_name: str = ""
    """The base of a new node's name and id ('conv' gives conv, conv2, ...); the lower-case type name if empty."""
    numbered_names: bool = False
    """New nodes are numbered from 1 (layer1, layer2, ... as torchvision names its stages) instead of the first
    taking the bare base name."""
    role: Role = Role.LAYER
    channels: Channels | None = None
    """Output channels from the parameters; None: the block keeps its input's channels."""
    skip: SkipOf | None = None
    """For residual blocks: how the shortcut reaches the addition."""
    shortcut_tag: Tag | None = None
    """For layers that can sit on a shortcut (a 1x1 projection, a zero-pad): the label of the skip edge into it."""
    fresh_output: bool = False
    """The output is a new tensor that the layer's backward does not need, so an in-place op after it is safe."""
    vector_axis: str = "feature"
    """What one element of a flat output is called on a plot axis ('class' for a classifier)."""
    tensors: TensorRule | None = None
    """For layers with weights: the keys and shapes of their module's state (composites use their plan's)."""
    map_form: FormRule | None = None
    """For layers whose figures on a CxHxW map are a MapForm (the rule's own source on maps): composite blocks
    made of such layers evaluate at any height and width without running a rule per layer."""

    @property
    def node_name(self) -> str:
        """The base name of a new node of this type."""
        return self.default_name or self.type_name.lower()

    def output_channels(self, params: Params, in_channels: int | None) -> int | None:
        """Channels (or features) a node with these parameters outputs; None when they depend on an unknown input."""
        return in_channels if self.channels is None else self.channels(params, in_channels)

    def skip_of(self, params: Params, in_shape: Shape | None) -> Skip | None:
        """The skip connection of a residual block on this input (None for blocks without one)."""
        if self.skip is None:
            return None
        in_channels = in_shape[0] if in_shape is not None and len(in_shape) == 3 else None
        return self.skip(params, in_channels)

    def tag(self, params: Params) -> str:
        """The label a skip edge into this layer carries ('' for layers that are not shortcuts)."""
        return "" if self.shortcut_tag is None else self.shortcut_tag(params)

    @property
    def is_composite(self) -> bool:
        """True for blocks made of other blocks (Stem, residual blocks, Stage, Head)."""
        return self.plan is not None

    def param(self, name: str) -> ParamSpec:
        """The declaration of one parameter."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise ParameterError(
            f"{self.type_name} has no parameter {name!r}; it has " + ", ".join(p.name for p in self.params)
        )

    def input_ports(self, params: Mapping[str, ParamValue]) -> tuple[str, ...]:
        """The input port names of a node with these parameters."""
        if self.variadic_inputs is None:
            return self.inputs
        count = params.get(self.variadic_inputs, 2)
        assert isinstance(count, int)
        return tuple(f"in{i}" for i in range(1, count + 1))

    def default_params(self) -> Params:
        """Every parameter at its default value."""
        return Params({p.name: p.default for p in self.params})

    def make_params(self, values: Mapping[str, object] | None = None) -> Params:
        """Defaults overridden by `values`, each validated; raises ParameterError for unknown or bad values."""
        merged: dict[str, ParamValue] = {p.name: p.default for p in self.params}
        for name, value in (values or {}).items():
            merged[name] = self.param(name).validate(value)
        return shared(Params(merged))
