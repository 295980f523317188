"""The steps composite blocks are made of, built cheaply: a cold analysis builds the plan of every distinct block,
so convolution parameters and the fixed steps every plan repeats are made once and shared."""

from __future__ import annotations

from ..frozen import builder
from ..params import Params
from .spec import Step


def conv_params(out: int, kernel: int, stride: int = 1, groups: int = 1, bias: bool = False) -> Params:
    """Parameters of a 'same' convolution, as ResNets use them (bias-free before a BatchNorm).

    One object per distinct convolution until clear_memo: the plans of a network's blocks share them, so a cold
    analysis builds each once, and equal layers meet in the memo under one key."""
    key = (out, kernel, stride, groups, bias)
    params = _CONV_PARAMS.get(key)
    if params is None:
        params = Params.of_sorted(
            (
                ("bias", bias),
                ("dilation", 1),
                ("groups", groups),
                ("kernel_size", kernel),
                ("out_channels", out),
                ("padding", kernel // 2),
                ("stride", stride),
            )
        )
        if len(_CONV_PARAMS) >= 4096:
            _CONV_PARAMS.clear()
        _CONV_PARAMS[key] = params
    return params


_CONV_PARAMS: dict[tuple[int, int, int, int, bool], Params] = {}


def forget_conv_params() -> None:
    """Drop the convolution parameters kept by conv_params (with the analysis memo, for a cold start)."""
    _CONV_PARAMS.clear()


BN = Params({"eps": 1e-5})
NONE = Params()
ADD2 = Params({"inputs": 2})

make_step = builder(Step)
"""Step(...), faster: a cold analysis builds the plan of every distinct block."""

_FIXED: dict[tuple[str, str, tuple[str, ...]], Step] = {}
_FIXED_PARAMS = {"BatchNorm2d": BN, "Add": ADD2}


def fixed_step(name: str, block_type: str, sources: tuple[str, ...]) -> Step:
    """A step whose parameters never change (a BatchNorm, a ReLU, an Add of two inputs), made once per (name,
    type, sources): every plan repeats them."""
    key = (name, block_type, sources)
    step = _FIXED.get(key)
    if step is None:
        step = _FIXED[key] = make_step(name, block_type, _FIXED_PARAMS.get(block_type, NONE), sources)
    return step
