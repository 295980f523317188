"""The block catalogue: every block type declared once, read by the palette, inspector, analysis, files and engine."""

from .registry import all_specs, block_types, clear_memo, evaluate, get_spec, register
from .residual import SHORTCUTS, resolve_shortcut
from .spec import BlockSpec, Category, Fix, LayerCost, LayerProblem, Problem, Step

__all__ = [
    "SHORTCUTS",
    "BlockSpec",
    "Category",
    "Fix",
    "LayerCost",
    "LayerProblem",
    "Problem",
    "Step",
    "all_specs",
    "block_types",
    "clear_memo",
    "evaluate",
    "get_spec",
    "register",
    "resolve_shortcut",
]
