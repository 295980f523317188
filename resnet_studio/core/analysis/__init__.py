"""Analysis: from a graph and run settings to shapes, costs and diagnostics, incrementally."""

from .analyzer import Analyzer, analyze
from .preview import connection_problem
from .results import Analysis, Diagnostic, NodeAnalysis, RunSettings, Severity, Totals

__all__ = [
    "Analysis",
    "Analyzer",
    "Diagnostic",
    "NodeAnalysis",
    "RunSettings",
    "Severity",
    "Totals",
    "analyze",
    "connection_problem",
]
