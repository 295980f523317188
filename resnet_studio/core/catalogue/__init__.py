"""The block catalogue: every block type declared once, read by the palette, inspector, analysis, files and engine."""

from .registry import all_specs, block_types, clear_memo, evaluate, get_spec, register, role_of
from .residual import NORMS, SHORTCUTS, resolve_shortcut
from .spec import BlockSpec, Category, Fix, LayerCost, LayerProblem, Problem, Role, Skip, Step

__all__ = [
    "NORMS",
    "SHORTCUTS",
    "BlockSpec",
    "Category",
    "Fix",
    "LayerCost",
    "LayerProblem",
    "Problem",
    "Role",
    "Skip",
    "Step",
    "all_specs",
    "block_types",
    "clear_memo",
    "evaluate",
    "get_spec",
    "register",
    "resolve_shortcut",
    "role_of",
]
