"""The Landscape dock's 3D view: the surfaces side by side as height fields (pyqtgraph.opengl), where OpenGL works.

pyqtgraph.opengl (and PyOpenGL under it) is imported only when the 3D view is asked for, and only after the
display has been checked: offscreen, without PyOpenGL or without a working OpenGL context, opengl_problem() says
why in one line and the dock keeps its 2D views.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtGui import QColor, QGuiApplication, QOpenGLContext
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .. import colours
from ..teaching.landscape_job import Surface
from .landscape_plots import LandscapeScale, colour_map

NO_DISPLAY = ("offscreen", "minimal", "vnc")
HEIGHT = 0.6
"""The tallest point of a surface, as a fraction of its width."""
GAP = 0.35
"""Room between two surfaces, as a fraction of a surface's width."""


def opengl_problem() -> str:
    """'' when a 3D view can be made here; else why not, in one line."""
    platform = QGuiApplication.platformName()
    if platform in NO_DISPLAY:
        return f"No 3D view: the {platform} display has no OpenGL; the 2D views show the same surfaces."
    try:
        import OpenGL  # noqa: F401
    except ImportError:
        return "No 3D view: it needs PyOpenGL (pip install PyOpenGL); the 2D views show the same surfaces."
    context = QOpenGLContext()
    if not context.create():
        return "No 3D view: OpenGL could not be started on this display; the 2D views show the same surfaces."
    try:
        import pyqtgraph.opengl  # noqa: F401
    except Exception as error:  # a broken driver or library: say so, keep the 2D views
        return f"No 3D view: pyqtgraph's OpenGL view did not load ({error}); the 2D views show the same surfaces."
    return ""


class SurfaceView3D(QWidget):
    """The surfaces as coloured height fields on one scale, side by side; drag to turn, wheel to zoom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph.opengl as gl

        self._gl: Any = gl
        self.view = gl.GLViewWidget(self)
        self.view.setCameraPosition(distance=3.1, elevation=32, azimuth=-90)  # both surfaces in a row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.items: list[Any] = []
        self._map = colour_map(colours.LANDSCAPE_SCALE)

    def set_background(self, colour: QColor) -> None:
        """The view's background (the plots' own)."""
        self.view.setBackgroundColor(colour)

    def show_surfaces(self, surfaces: Sequence[Surface], log: bool) -> None:
        """Draw the surfaces on one height and colour scale."""
        for item in self.items:
            self.view.removeItem(item)
        self.items = []
        if not surfaces:
            return
        scale = LandscapeScale(surfaces, log)
        span = scale.high - scale.low
        width = 1.0 + GAP
        left = -width * (len(surfaces) - 1) / 2
        for k, surface in enumerate(surfaces):
            heights = (scale.image(surface) - scale.low) / span
            grid = np.linspace(-0.5, 0.5, heights.shape[0])
            tint = self._map.map(np.clip(heights, 0.0, 1.0).ravel(), mode="float")
            item = self._gl.GLSurfacePlotItem(
                x=grid + left + k * width,
                y=grid,
                z=heights * HEIGHT,
                colors=np.asarray(tint, dtype=np.float32).reshape(-1, 4),  # one row per vertex
                shader=None,
                smooth=False,
            )
            self.view.addItem(item)
            self.items.append(item)
