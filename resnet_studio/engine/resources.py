"""The shipped sample image, found through importlib.resources (resources/ installs as resnet_studio.resources)."""

from __future__ import annotations

from importlib.resources.abc import Traversable

from ..core.resources import resource


def sample_image_file() -> Traversable:
    """The procedurally drawn sample image (PNG); FileNotFoundError when an installation lacks it."""
    found = resource("images", "sample.png")
    if not found.is_file():
        raise FileNotFoundError(f"the sample image is missing from this installation (looked for {found})")
    return found
