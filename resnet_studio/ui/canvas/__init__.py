"""The graph editor canvas: node cards, edges, gestures, image export and headless rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .scene import CanvasScene
from .view import CanvasView

if TYPE_CHECKING:
    from .export import render_to_file

__all__ = ["CanvasScene", "CanvasView", "render_to_file"]


def __getattr__(name: str) -> object:
    # The export module (and QtSvg with it) loads when first asked for: the window's first paint needs neither.
    if name == "render_to_file":
        from .export import render_to_file

        return render_to_file
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
