"""The About box's text: what the program is, its version, and the versions of what it runs on (for bug reports)."""

from __future__ import annotations

import platform
from html import escape
from importlib.metadata import PackageNotFoundError, version

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from .. import __version__

LIBRARIES = (
    ("PyTorch", "torch"),
    ("pyqtgraph", "pyqtgraph"),
    ("networkx", "networkx"),
    ("torchinfo", "torchinfo"),
)
"""(name shown, distribution) of the libraries the app runs on besides Python and Qt."""


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, read from its metadata (nothing is imported), or 'not installed'."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def about_html(app_name: str) -> str:
    """The About box: name and version, what it does, where residual learning comes from, and the versions."""
    runs_on = [
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
        *((name, installed_version(distribution)) for name, distribution in LIBRARIES),
    ]
    versions = ", ".join(f"{escape(name)} {escape(number)}" for name, number in runs_on)
    return (
        f"<h3>{escape(app_name)} {escape(__version__)}</h3>"
        "<p>Design, inspect and teach residual networks: a graph editor with live shape, parameter and cost "
        "analysis, forward runs with their activations, gradient flow, loss landscapes and the degradation "
        "race.</p><p>Residual learning: H(x) = F(x) + x (He et al., 2015).</p>"
        f"<p>Runs on {versions}.</p><p>Free software under the MIT licence.</p>"
    )
