"""The model and the math of ResNet Studio. Pure Python: no torch, numpy or Qt."""

from .analysis import (
    Analysis,
    Analyzer,
    Diagnostic,
    NodeAnalysis,
    RunSettings,
    Severity,
    Totals,
    analyze,
    connection_problem,
)
from .catalogue import BlockSpec, Category, Fix, all_specs, block_types, get_spec
from .errors import (
    CycleError,
    DuplicateNodeError,
    GraphError,
    InputCountError,
    NotConnectedError,
    ParameterError,
    PortOccupiedError,
    UnknownBlockError,
    UnknownNodeError,
    UnknownPortError,
    UnknownPresetError,
)
from .graph import Graph
from .model import Edge, GraphSnapshot, Node
from .params import Params, ParamSpec
from .presets import PRESETS, preset, preset_names
from .shapes import Shape, TensorInfo, format_shape

__all__ = [
    "PRESETS",
    "Analysis",
    "Analyzer",
    "BlockSpec",
    "Category",
    "CycleError",
    "Diagnostic",
    "DuplicateNodeError",
    "Edge",
    "Fix",
    "Graph",
    "GraphError",
    "GraphSnapshot",
    "InputCountError",
    "Node",
    "NodeAnalysis",
    "NotConnectedError",
    "ParamSpec",
    "ParameterError",
    "Params",
    "PortOccupiedError",
    "RunSettings",
    "Severity",
    "Shape",
    "TensorInfo",
    "Totals",
    "UnknownBlockError",
    "UnknownNodeError",
    "UnknownPortError",
    "UnknownPresetError",
    "all_specs",
    "analyze",
    "block_types",
    "connection_problem",
    "format_shape",
    "get_spec",
    "preset",
    "preset_names",
]
