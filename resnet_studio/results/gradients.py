"""Gradient flow: the gradient norm of every layer's weights and every block's output after one backward pass,
for one network or two side by side (a network and its plain twin, or any two the user picks)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .run import RunError, Status


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
