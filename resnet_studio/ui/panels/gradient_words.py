"""Gradient flow in words: the networks' names, the first-to-last ratio as a reader says it, what it means, and why
plain networks fail in two ways."""

from __future__ import annotations

import math

from ...core.params import ParamValue
from ...results.gradients import GradientFlow

HEALTHY = 30.0
"""First and last layer's gradients within this factor of each other: the gradient reaches the input."""
FAILING = 100.0
"""Beyond this factor (either way) a lecture calls it exploding or vanishing."""

EXPLANATION = (
    "<b>Why a plain network fails in two ways.</b> Backpropagation multiplies the gradient by one factor per "
    "layer on its way to the input. Without normalisation nothing holds those factors at 1: over 56 layers "
    "they compound, and the first layers get orders of magnitude less (or more) than the last. He "
    "initialisation scales the weights so the factor is 1 on average at the start, which is why a freshly "
    "initialised plain-56 here fades only a few times; with PyTorch's default initialisation its first "
    "layers get no gradient at all (vanishing). BatchNorm fixes the scale of the forward signal at every "
    "layer, but its backward pass, which divides by the batch's spread and takes out its mean, makes each "
    "layer pass back a little more gradient than it receives (Yang et al., 2019): in a deep plain network "
    "that compounds into an explosion towards the input, hundreds or thousands of times the last layer's "
    "gradient. A skip connection adds the identity to every block, so the gradient reaches the early layers "
    "directly and neither compounding takes hold."
)


def short_name(name: str) -> str:
    """A network's name as the plots say it ('ResNet-56 (CIFAR)' -> 'ResNet-56')."""
    return name.replace(" (CIFAR)", "").strip() or "network"


def plain_name(name: str) -> str:
    """The name of a network's plain twin: 'ResNet-56' -> 'plain-56', else 'NAME without skips'."""
    if name.startswith("ResNet-") and name[len("ResNet-") :].isdigit():
        return "plain-" + name[len("ResNet-") :]
    return f"{name} without skips"


def network_name(base: str, skips: frozenset[ParamValue], norms: frozenset[ParamValue]) -> str:
    """The canvas network's name with its switches: 'plain-56, no BatchNorm' once every skip is off and every
    block is without normalisation."""
    name = short_name(base)
    if skips == {False}:
        name = plain_name(name)
    if norms == {"none"}:
        name += ", no BatchNorm"
    return name


def ratio_phrase(ratio: float) -> str:
    """'5,400x', '14x', '1/12 of' - a ratio of gradient norms as a reader says it."""
    if math.isnan(ratio):
        return "not comparable with"
    if math.isinf(ratio):
        return "infinitely larger than"
    if ratio == 0:
        return "none of"
    if ratio >= 1:
        return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.3g}x"
    inverse = 1 / ratio
    return f"1/{inverse:,.0f} of" if inverse >= 100 else f"1/{inverse:.3g} of"


def verdict(ratio: float) -> str:
    """What the ratio means for training: exploding, vanishing, or reaching the input."""
    if math.isnan(ratio):
        return "no gradient reached the last layer"
    if ratio > FAILING:
        return "exploding towards the input"
    if ratio < 1 / FAILING:
        return "vanishing towards the input"
    if 1 / HEALTHY < ratio < HEALTHY:
        return f"reaches the input (within {HEALTHY:.0f}x)"
    return "growing towards the input" if ratio > 1 else "fading towards the input"


def flow_sentence(flow: GradientFlow, layer_type: str = "Conv2d") -> str:
    """'plain-56: first-layer gradient 5,400x the last', or 'plain-56: first-layer gradient exactly 0 (so for
    the first 40 of 55 layers)'."""
    norms = [g.grad_norm for g in flow.layers if g.type == layer_type]
    if len(norms) >= 2 and norms[0] == 0 and norms[-1] > 0:
        dead = next(i for i, n in enumerate(norms) if n > 0)
        return (
            f"{flow.label}: first-layer gradient exactly 0 (so for the first {dead} of {len(norms)} layers)"
        )
    return f"{flow.label}: first-layer gradient {ratio_phrase(flow.first_to_last(layer_type))} the last"
