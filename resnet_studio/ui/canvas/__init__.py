"""The graph editor canvas: node cards, edges, gestures, image export and headless rendering."""

from .export import render_to_file
from .scene import CanvasScene
from .view import CanvasView

__all__ = ["CanvasScene", "CanvasView", "render_to_file"]
