"""Where the shipped data lives: resources/ (installed as the resnet_studio.resources package)."""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path


def resource_root() -> Traversable:
    """The resources folder: icons, examples, sample images, class names (data only)."""
    try:
        return importlib.resources.files("resnet_studio.resources")
    except ModuleNotFoundError:
        # A plain source checkout on sys.path without installation: resources/ sits beside the package.
        return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Traversable:
    """One file or folder inside resources/, e.g. resource('examples', 'resnet18.json')."""
    node = resource_root()
    for part in parts:
        node = node.joinpath(part)
    return node
