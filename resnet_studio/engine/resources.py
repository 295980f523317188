"""Data files from resources/ (sample images), found through importlib.resources."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable


def resource(*parts: str) -> Traversable:
    """A shipped data file: inside the installed package (resnet_studio/resources/...) or, in a source
    checkout, the resources/ folder beside the package. Raises FileNotFoundError naming where it looked."""
    package = importlib.resources.files("resnet_studio")
    inside = package.joinpath("resources", *parts)
    if inside.is_file():
        return inside
    checkout = Path(str(package)).parent.joinpath("resources", *parts)
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(
        f"the data file {'/'.join(parts)} is missing from this installation (looked in {inside} and {checkout})"
    )


def sample_image_file() -> Traversable:
    """The shipped sample image (PNG)."""
    return resource("images", "sample.png")
