"""Tracing a module with torch.fx: standard layers and torchvision-style blocks stay whole, everything else is
traced through; shapes come from one forward pass (the caller puts the module in eval mode)."""

from __future__ import annotations

import torch
import torch.fx as fx
import torch.nn as nn

from .blocks import looks_like_block
from .errors import ModuleImportError
from .layers import is_layer


class _Tracer(fx.Tracer):
    """Keeps layers, block-like modules (unless excluded) and other torch.nn modules as single calls."""

    def __init__(self, excluded: frozenset[str]) -> None:
        super().__init__()
        self.excluded = excluded

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        if is_layer(m):
            return True
        if looks_like_block(m) and module_qualified_name not in self.excluded:
            return True
        return super().is_leaf_module(m, module_qualified_name)


def trace(
    model: nn.Module, input_shape: tuple[int, ...], excluded: frozenset[str] = frozenset()
) -> fx.GraphModule:
    """The module's forward as an fx graph, every tensor's shape recorded (node.meta['shape'])."""
    tracer = _Tracer(excluded)
    try:
        graph = tracer.trace(model)
    except Exception as error:
        raise ModuleImportError(
            f"the module ({type(model).__name__}) could not be traced with torch.fx: {_first_line(error)}. "
            "Forward code that branches on tensor values cannot become a graph",
            "",
            type(model).__name__,
        ) from None
    module = fx.GraphModule(tracer.root, graph)
    try:
        with torch.no_grad():
            _Shapes(module).run(torch.randn(1, *input_shape, generator=torch.Generator().manual_seed(0)))
    except Exception as error:
        raise ModuleImportError(
            f"the module ({type(model).__name__}) does not run on a 1x{'x'.join(map(str, input_shape))} input: "
            f"{_first_line(error)}",
            "",
            type(model).__name__,
        ) from None
    return module


class _Shapes(fx.Interpreter):
    """Runs the traced module once, recording every tensor's shape in node.meta['shape']."""

    def run_node(self, n: fx.Node) -> object:
        result = super().run_node(n)
        if isinstance(result, torch.Tensor):
            n.meta["shape"] = tuple(result.shape)
        return result


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
