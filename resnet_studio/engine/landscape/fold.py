"""Folding eval-mode BatchNorm into the convolution before it: the same function with one pass less per layer.

A BatchNorm in eval mode is a fixed per-channel scale s and shift; after a convolution with weights W it equals
a convolution with weights W*s and a bias. Moving W along a direction d then moves the folded weights along d*s,
so a landscape can be computed on the folded network as long as BatchNorm itself is not moved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch import Tensor


@dataclass
class _Fold:
    conv: nn.Conv2d
    norm: nn.BatchNorm2d
    weight: Tensor
    """The convolution's weights before folding."""
    bias: Tensor | None


class FoldedNorms:
    """The folds made in a network: the per-channel scale of each folded convolution, and how to undo them."""

    def __init__(self, folds: list[_Fold], names: dict[nn.Module, str]) -> None:
        self._folds = folds
        self.scales: dict[str, Tensor] = {
            f"{names[f.conv]}.weight": _scale(f.norm).view(-1, 1, 1, 1) for f in folds
        }
        """Folded convolution weight name -> the scale its weights (and a step along them) are multiplied by."""

    def __len__(self) -> int:
        return len(self._folds)

    def undo(self) -> None:
        """Put every convolution and BatchNorm back as it was."""
        with torch.no_grad():
            for fold in self._folds:
                fold.conv.weight.copy_(fold.weight)
                if fold.bias is None:
                    fold.conv.bias = None
                else:
                    fold.conv.bias.copy_(fold.bias)  # type: ignore[union-attr]
                fold.norm.__dict__.pop("forward", None)
        self._folds = []
        self.scales = {}


def fold_batchnorm(net: nn.Module, probe: Tensor) -> FoldedNorms:
    """Fold every eval-mode BatchNorm2d whose input is a Conv2d output that nothing else reads.

    Which BatchNorm reads which convolution is seen on one pass over `probe`, and the folded network is checked
    against the original on it; when they disagree (a convolution output read elsewhere), nothing is folded.
    """
    names = {module: name for name, module in net.named_modules()}
    pairs = _conv_norm_pairs(net, probe)
    with torch.no_grad():
        before = _first(net(probe)).float()
        folds = [_fold(conv, norm) for conv, norm in pairs]
        folded = FoldedNorms(folds, names)
        after = _first(net(probe)).float()
    scale = float(before[before.isfinite()].abs().max()) if before.isfinite().any() else 0.0
    if not torch.allclose(after, before, rtol=1e-3, atol=1e-4 * max(scale, 1.0), equal_nan=True):
        folded.undo()
    return folded


def _conv_norm_pairs(net: nn.Module, probe: Tensor) -> list[tuple[nn.Conv2d, nn.BatchNorm2d]]:
    calls: Counter[nn.Module] = Counter()
    reads: Counter[int] = Counter()
    produced: dict[int, nn.Conv2d] = {}
    candidates: list[tuple[nn.Conv2d, nn.BatchNorm2d, int]] = []
    alive: list[Tensor] = []  # keeps every tensor seen, so that no id() is reused during the pass

    def before(module: nn.Module, args: tuple[object, ...]) -> None:
        for arg in args:
            if isinstance(arg, Tensor):
                reads[id(arg)] += 1
                alive.append(arg)
        first = args[0] if args else None
        if isinstance(module, nn.BatchNorm2d) and isinstance(first, Tensor) and id(first) in produced:
            candidates.append((produced[id(first)], module, id(first)))

    def after(module: nn.Module, args: tuple[object, ...], output: object) -> None:
        calls[module] += 1
        if isinstance(module, nn.Conv2d) and isinstance(output, Tensor):
            produced[id(output)] = module
            alive.append(output)

    leaves = [m for m in net.modules() if not any(True for _ in m.children())]
    handles = [m.register_forward_pre_hook(before) for m in leaves]
    handles += [m.register_forward_hook(after) for m in leaves]
    try:
        with torch.no_grad():
            net(probe)
    finally:
        for handle in handles:
            handle.remove()
    return [
        (conv, norm)
        for conv, norm, output in candidates
        if calls[conv] == 1
        and calls[norm] == 1
        and reads[output] == 1
        and not norm.training
        and norm.track_running_stats
        and conv.weight.dim() == 4
    ]


def _scale(norm: nn.BatchNorm2d) -> Tensor:
    assert norm.running_var is not None
    scale = torch.rsqrt(norm.running_var + norm.eps)
    return scale * norm.weight if norm.weight is not None else scale


def _fold(conv: nn.Conv2d, norm: nn.BatchNorm2d) -> _Fold:
    assert norm.running_mean is not None
    saved = _Fold(
        conv, norm, conv.weight.detach().clone(), None if conv.bias is None else conv.bias.detach().clone()
    )
    scale = _scale(norm)
    shift = norm.bias if norm.bias is not None else torch.zeros_like(scale)
    bias = conv.bias if conv.bias is not None else torch.zeros_like(scale)
    conv.weight.mul_(scale.view(-1, 1, 1, 1))
    new_bias = (bias - norm.running_mean) * scale + shift
    if conv.bias is None:
        conv.bias = nn.Parameter(new_bias, requires_grad=False)
    else:
        conv.bias.copy_(new_bias)
    norm.forward = _identity  # type: ignore[method-assign,assignment]
    return saved


def _identity(x: Tensor) -> Tensor:
    return x


def _first(output: object) -> Tensor:
    return output[0] if isinstance(output, tuple) else output  # type: ignore[return-value]
