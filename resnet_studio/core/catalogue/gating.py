"""Layers that gate, rescale or drop a branch: Sigmoid and Scale (the squeeze-and-excitation gate) and DropPath
(stochastic depth). Declarations with their shape and cost rules."""

from __future__ import annotations

from ..params import Params, ParamSpec
from ..shapes import Shape, TensorInfo, format_shape
from .layers import feature_map, keeps_output_form, keeps_output_rule, keeps_shape, map_cost
from .spec import BlockSpec, Category, LayerCost, LayerProblem, Problem

sigmoid_rule = keeps_output_rule("Sigmoid")


def scale_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """x * gate, the gate one number per channel (Cx1x1) or of x's own shape."""
    x, gate = inputs
    c, _, _ = feature_map(x, "Scale")
    if gate.shape not in ((c, 1, 1), x.shape):
        raise LayerProblem(
            Problem(
                f"Scale: the gate is {format_shape(gate.shape)} but the input has {c} channels; the gate needs "
                f"one value per channel ({c}x1x1)",
                port="gate",
                expected=f"{c}x1x1",
                actual=format_shape(gate.shape),
            )
        )
    return LayerCost(TensorInfo(x.shape, max(x.rf, gate.rf), x.jump), kept=x.numel)  # the gate is broadcast


drop_path_form = keeps_shape(kept=False)
"""Stochastic depth keeps the shape and, as far as the figures go, nothing happens (it only trains)."""


def drop_path_rule(p: Params, inputs: tuple[TensorInfo, ...]) -> LayerCost:
    """Stochastic depth: the shape is kept, and nothing else happens."""
    x = inputs[0]
    if len(x.shape) == 3:
        return map_cost("DropPath", drop_path_form(p, x.shape[:1]), x)
    return LayerCost(x)


def _fmt(shape: Shape | None) -> str:
    return "?" if shape is None else format_shape(shape)


GATING: tuple[BlockSpec, ...] = (
    BlockSpec(
        "Sigmoid",
        "Sigmoid",
        Category.ACTIVATION,
        "1 / (1 + e^-x): squashes each value into (0, 1).",
        "The logistic function maps every value into the open interval (0, 1), so its output can act as a "
        "gate: a squeeze-and-excitation block multiplies each channel by one such number.",
        (),
        lambda p, s: "",
        rule=sigmoid_rule,
        map_form=keeps_output_form,
    ),
    BlockSpec(
        "Scale",
        "Scale",
        Category.MERGE,
        "Multiplies a feature map by a gate: one factor per channel.",
        "Multiplies its input x by the gate, broadcast over height and width when the gate has one value per "
        "channel (Cx1x1). This is how a squeeze-and-excitation block reweights the channels of a residual "
        "branch: channels the gate finds useful pass, the others are damped.",
        (),
        lambda p, s: f"{_fmt(s)} x gate",
        rule=scale_rule,
        inputs=("x", "gate"),
        default_name="scale",
        fresh_output=True,
    ),
    BlockSpec(
        "DropPath",
        "Drop path",
        Category.ACTIVATION,
        "Stochastic depth: while training, skips the residual branch of random samples.",
        "While training, zeroes the whole residual branch for each sample with probability p (scaling the kept "
        "ones by 1/(1-p)), so the block passes only its shortcut: the network trains as an ensemble of "
        "shallower ones (Huang et al. 2016). At inference it does nothing, and the analysis ignores it.",
        (
            ParamSpec(
                "p", "Drop rate", "float", 0.1, "Chance of dropping the branch for a sample.", 0.0, 0.99
            ),
        ),
        lambda p, s: f"p = {p.as_float('p'):g}",
        rule=drop_path_rule,
        map_form=drop_path_form,
        default_name="drop_path",
    ),
)
