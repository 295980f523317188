"""The block catalogue: every block type declared once, read by the palette, inspector, analysis, files and engine."""

from .registry import all_specs, block_types, clear_memo, evaluate, get_spec, layer_tensors, register, role_of
from .residual import NORMS, SHORTCUTS, resolve_shortcut
from .spec import BlockSpec, Category, Fix, LayerCost, LayerProblem, Problem, Role, Skip, Step
from .tensors import COUNTERS, TensorShapes

__all__ = [
    "COUNTERS",
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
    "TensorShapes",
    "all_specs",
    "block_types",
    "clear_memo",
    "evaluate",
    "get_spec",
    "layer_tensors",
    "register",
    "resolve_shortcut",
    "role_of",
]
