"""Gradient flow: the gradient norm of every layer's weights and every block's output after one backward pass,
for one network or two side by side (a network and its plain twin, or any two the user picks)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from ..core.model import GraphSnapshot
from .datasets import DataChoice
from .run import RunError, Status
from .training import TrainedWeights


@dataclass(frozen=True)
class LayerGradient:
    """The weights of one layer after backward."""

    path: str
    """Module path, as in the state dict: 'layer1.0.conv1'."""
    node: str
    """Name of the graph node the layer belongs to: 'layer1.0'."""
    type: str
    """'Conv2d', 'BatchNorm2d' or 'Linear'."""
    depth: int
    """Position among the layers with weights, 0 nearest the input."""
    params: int
    weight_norm: float
    grad_norm: float


@dataclass(frozen=True)
class BlockGradient:
    """The output of one graph node (a block or layer) and the gradient that reached it."""

    node: str
    type: str
    depth: int
    """Position among the recorded nodes, 0 nearest the input."""
    output_norm: float
    grad_norm: float


@dataclass(frozen=True)
class GradientFlow:
    """One backward pass: the loss and per-layer and per-block gradient norms; or why it stopped."""

    status: Status
    label: str
    """What was run, in words: 'network', 'plain twin', 'resnet56'."""
    device: str
    dtype: str
    batch_size: int
    loss: float | None = None
    layers: tuple[LayerGradient, ...] = ()
    blocks: tuple[BlockGradient, ...] = ()
    error: RunError | None = None

    @property
    def ok(self) -> bool:
        """True when the backward pass ran."""
        return self.status == "ok"

    def first_to_last(self, layer_type: str = "Conv2d") -> float:
        """Gradient norm of the first layer of this type over the last one's: far above 1 when gradients explode
        towards the input, far below 1 when they vanish (inf when only the last is 0, NaN without two layers)."""
        norms = [g.grad_norm for g in self.layers if g.type == layer_type]
        if len(norms) < 2:
            return math.nan
        return _ratio(norms[0], norms[-1])

    def describe(self, layer_type: str = "Conv2d") -> str:
        """The first-to-last ratio in words: 'plain twin: first-layer gradient 936x the last'."""
        return f"{self.label}: first-layer gradient {ratio_text(self.first_to_last(layer_type))} the last"


@dataclass(frozen=True)
class GradientFlowComparison:
    """The same batch and labels through two networks: a network and its plain twin, or any other one."""

    network: GradientFlow
    other: GradientFlow

    @property
    def ok(self) -> bool:
        """True when both backward passes ran."""
        return self.network.ok and self.other.ok

    def describe(self, layer_type: str = "Conv2d") -> str:
        """Both first-to-last ratios in words, the other network first (the one that usually misbehaves)."""
        return f"{self.other.describe(layer_type)}; {self.network.describe(layer_type)}"


def ratio_text(ratio: float) -> str:
    """'936x', '1/2.3e+08 of', 'infinitely larger than' - a ratio of norms as a reader says it."""
    if math.isnan(ratio):
        return "not comparable with"
    if math.isinf(ratio):
        return "infinitely larger than"
    if ratio == 0:
        return "0x"
    if ratio >= 1:
        return f"{ratio:.3g}x"
    return f"1/{1 / ratio:.3g} of"


def _ratio(a: float, b: float) -> float:
    if b == 0:
        return math.nan if a == 0 else math.inf
    return a / b


# --- what the app asks for and gets back ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GradientRequest:
    """Two networks to compare on one batch of a data set, as the app sends it to a worker thread."""

    network: GraphSnapshot
    other: GraphSnapshot
    names: tuple[str, str]
    data: DataChoice = field(default_factory=DataChoice)
    batch_size: int = 32
    device: str = "cpu"
    input_shape: tuple[int, int, int] | None = None
    """The image size (the document's run settings; None: each network's Input node)."""
    classes: int = 10
    """The fewest class scores of the two networks: labels from the data set are taken modulo this."""
    weights: tuple[TrainedWeights | None, TrainedWeights | None] = (None, None)
    """Weights kept from a race for each network (None: seeded initial weights)."""
    initialisation: Literal["he", "pytorch"] = "he"
    """The initial weights: He normal as torchvision, or PyTorch's own default (uniform, a = sqrt 5)."""
    seed: int = 0


@dataclass(frozen=True, eq=False)
class GradientOutcome:
    """A comparison as the app shows it: the two gradient flows, what the batch was, and the request."""

    comparison: GradientFlowComparison
    batch: str
    """What went through the networks, in words: 'a batch of 32 shapes and textures (procedural)'."""
    request: GradientRequest

    @property
    def status(self) -> str:
        """'ok', 'cancelled' or 'error' (the first network's, else the other's)."""
        flows = (self.comparison.network, self.comparison.other)
        if any(f.status == "cancelled" for f in flows):
            return "cancelled"
        return "ok" if all(f.ok for f in flows) else "error"

    @property
    def error(self) -> RunError | None:
        """Why it failed (the first failure of the two), or None."""
        return self.comparison.network.error or self.comparison.other.error
