"""The Landscape dock's 2D views: each network's loss surface as a heatmap with contour lines, its non-convexity
map beside it, all surfaces on one colour scale (linear or log); and the loss along the first direction through
the centre, one curve per network. A surface still refining shows each unknown point as its nearest known one."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from .. import colours
from ..teaching.landscape_job import Surface
from ..theme import is_dark
from .plots import PlotColours, label_style, style_plot, style_view

CONTOURS = 8
"""Contour lines per surface, evenly spaced on the colour scale."""
SMALLEST_LOSS = 1e-6
"""Losses below this are drawn as this on the log scale (a loss of exactly 0 has no logarithm)."""


def filled(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """A copy of a 2D grid whose unknown points take the value of the nearest known point along their row, or of
    the nearest row with any known point (so a coarse grid shows as blocks that refine)."""
    out = np.array(values, dtype=np.float64)
    if known.all() or not known.any():
        return out
    positions = np.arange(out.shape[1])
    rows = np.flatnonzero(known.any(axis=1))
    for i in rows:
        columns = np.flatnonzero(known[i])
        nearest = columns[np.abs(positions[:, None] - columns[None, :]).argmin(axis=1)]
        out[i] = values[i, nearest]
    for i in np.flatnonzero(~known.any(axis=1)):
        out[i] = out[rows[np.abs(rows - i).argmin()]]
    return out


def colour_map(stops: Sequence[str]) -> pg.ColorMap:
    """A colour map through these colours, evenly spaced."""
    return pg.ColorMap(np.linspace(0.0, 1.0, len(stops)), [QColor(c) for c in stops])


class LandscapeScale:
    """One colour scale for every surface: the loss (or its log10) from the lowest to the highest finite value."""

    def __init__(self, surfaces: Sequence[Surface], log: bool) -> None:
        self.log = log
        ranges = [r for s in surfaces if (r := s.finite_range()) is not None]
        low = min((r[0] for r in ranges), default=0.0)
        high = max((r[1] for r in ranges), default=1.0)
        self.low, self.high = float(self.shown(low)), float(self.shown(high))
        if not self.high > self.low:
            self.high = self.low + 1.0

    def shown(self, loss: float | np.ndarray) -> float | np.ndarray:
        """Where a loss sits on the scale (its log10 on a log scale)."""
        if self.log:
            return np.log10(np.maximum(loss, SMALLEST_LOSS))
        return loss

    def image(self, surface: Surface) -> np.ndarray:
        """The surface as drawn: unknown points filled from the nearest known, non-finite ones at the top."""
        values = np.where(np.isfinite(surface.loss), surface.loss, np.inf)
        shown = np.asarray(self.shown(filled(values, surface.computed)), dtype=np.float64)
        shown = np.where(np.isfinite(shown), shown, self.high)
        return np.where(np.isnan(shown), self.high, shown)

    def levels(self) -> list[float]:
        """The contour levels, evenly spaced inside the scale."""
        step = (self.high - self.low) / (CONTOURS + 1)
        return [self.low + step * (k + 1) for k in range(CONTOURS)]

    @property
    def label(self) -> str:
        """The colour bar's label."""
        return "log10 loss" if self.log else "loss"


def _rect(coordinates: np.ndarray) -> QRectF:
    """The image's rectangle in (alpha, beta): each pixel centred on its grid point."""
    spacing = float(coordinates[1] - coordinates[0]) if len(coordinates) > 1 else 1.0
    low = float(coordinates[0]) - spacing / 2
    size = float(coordinates[-1] - coordinates[0]) + spacing
    return QRectF(low, low, size, size)


class SurfaceMaps(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    """Per network a heatmap of the loss with contour lines and, beside it, where the surface is not convex;
    one colour bar for all the surfaces. Hovering names the loss at (alpha, beta)."""

    hovered = Signal(str)
    """What is under the mouse, in words ('' when nothing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(220)
        self.surfaces: list[Surface] = []
        self.scale: LandscapeScale | None = None
        self.plots: list[pg.PlotItem] = []
        self.images: list[pg.ImageItem] = []
        self.maps: list[pg.PlotItem] = []
        self.map_images: list[pg.ImageItem] = []
        self.contours: list[list[pg.IsocurveItem]] = []
        self.bar = pg.ColorBarItem(
            values=(0, 1),
            width=16,
            colorMap=colour_map(colours.LANDSCAPE_SCALE),
            interactive=False,
            colorMapMenu=False,
        )
        self._colours: PlotColours | None = None
        self._framed: dict[int, QRectF] = {}
        self._restyling = False
        self._font = QFont()
        self._log = True
        self.scene().sigMouseMoved.connect(self._mouse_moved)

    # --- drawing ----------------------------------------------------------------------------------------------

    def show_surfaces(self, surfaces: Sequence[Surface], log: bool) -> None:
        """Draw these surfaces (some may still be refining) on one colour scale."""
        self._log = log
        if len(surfaces) != len(self.plots):
            self._lay_out(len(surfaces))
        self.surfaces = list(surfaces)
        self.scale = scale = LandscapeScale(surfaces, log)
        self.bar.setLevels((scale.low, scale.high))
        self.bar.setLabel("right", scale.label)
        pen = pg.mkPen(self._colours.foreground if self._colours else "k", width=1)
        for k, surface in enumerate(surfaces):
            image = self.images[k]
            drawn = scale.image(surface).T  # rows along beta, columns along alpha
            image.setImage(drawn, autoLevels=False, levels=(scale.low, scale.high))
            rect = _rect(surface.coordinates)
            image.setRect(rect)
            if rect != self._framed.get(k):  # frame the grid once; the user's own zoom stays after that
                self.plots[k].vb.setRange(rect, padding=0.02)
                self._framed[k] = rect
            levels = scale.levels() if surface.done >= 4 else []
            for n, curve in enumerate(self.contours[k]):  # the same items, new data: no scene churn
                curve.setPen(pen)
                curve.setVisible(n < len(levels))
                if n < len(levels):
                    curve.setData(drawn, levels[n])
            self._title(self.plots[k], surface.label)  # short: the words beside say how far it has got
            self._show_map(k, surface)
        # Longer titles while refining widen the layout's minimum, and its geometry stays that wide until the
        # next resize: fit it to the view again, or the last plots and the colour bar fall off the edge.
        self.ci.setGeometry(QRectF(0, 0, self.width(), self.height()))

    def _show_map(self, k: int, surface: Surface) -> None:
        found = surface.nonconvexity
        image = self.map_images[k]
        if found is None or found.ratio.size == 0:
            image.clear()
            waiting = "map when complete" if not surface.complete else "no interior points"
            self._title(self.maps[k], waiting)
            return
        ratio = np.nan_to_num(found.ratio, nan=0.0).T
        image.setImage(np.clip(ratio, 0.0, 1.0), autoLevels=False, levels=(0.0, 1.0))
        rect = _rect(surface.coordinates[1:-1])
        image.setRect(rect)
        self.maps[k].vb.setRange(rect, padding=0.02)
        self._title(self.maps[k], f"non-convex at {found.fraction:.0%}")

    def clear_surfaces(self) -> None:
        """Nothing to show."""
        self.surfaces, self.scale = [], None
        self._lay_out(0)

    def _lay_out(self, count: int) -> None:
        self.clear()
        self.plots, self.images, self.maps, self.map_images, self.contours = [], [], [], [], []
        self._framed = {}
        surface_map = colour_map(colours.LANDSCAPE_SCALE)
        nonconvex_map = colour_map(colours.NONCONVEX_SCALE)
        for k in range(count):
            plot = self.addPlot(row=0, col=2 * k)
            image = pg.ImageItem()
            image.setColorMap(surface_map)
            plot.addItem(image)
            chart = self.addPlot(row=0, col=2 * k + 1)
            map_image = pg.ImageItem()
            map_image.setColorMap(nonconvex_map)
            chart.addItem(map_image)
            for item, wide in ((plot, 3), (chart, 2)):
                item.setMenuEnabled(False)
                item.hideButtons()
                item.setAspectLocked(True)
                self.ci.layout.setColumnStretchFactor(2 * k + (0 if item is plot else 1), wide)
            plot.setLabel("bottom", "alpha")
            plot.setLabel("left", "beta")
            chart.hideAxis("left")  # beside its surface, on the same alpha and beta: room for the picture
            chart.hideAxis("bottom")
            self.plots.append(plot)
            self.images.append(image)
            self.maps.append(chart)
            self.map_images.append(map_image)
            curves = [pg.IsocurveItem() for _ in range(CONTOURS)]
            for curve in curves:
                curve.setParentItem(image)
                curve.setVisible(False)
            self.contours.append(curves)
        if count:
            self.addItem(self.bar, row=0, col=2 * count)
            self.bar.setImageItem(self.images)
        if self._colours is not None:
            self.restyle(self._colours, self._font)

    def _title(self, plot: pg.PlotItem, text: str) -> None:
        if plot.titleLabel.text == text and not self._restyling:
            return
        style = label_style(self._colours, self._font) if self._colours else {}
        plot.setTitle(text, **style)

    # --- hover ------------------------------------------------------------------------------------------------

    def _mouse_moved(self, position: QPointF) -> None:
        for k, plot in enumerate(self.plots):
            if plot.vb.sceneBoundingRect().contains(position):
                point = plot.vb.mapSceneToView(position)
                self.hovered.emit(self.hover_at(k, point.x(), point.y()))
                return
        self.hovered.emit("")

    def hover_at(self, k: int, alpha: float, beta: float) -> str:
        """The loss of surface `k` at the grid point nearest (alpha, beta), in words ('' outside the grid)."""
        if not 0 <= k < len(self.surfaces):
            return ""
        surface = self.surfaces[k]
        grid = surface.coordinates
        spacing = float(grid[1] - grid[0]) if len(grid) > 1 else 1.0
        i, j = (round(float(v - grid[0]) / spacing) for v in (alpha, beta))
        if not (0 <= i < len(grid) and 0 <= j < len(grid)):
            return ""
        where = f"(alpha {grid[i]:+.3g}, beta {grid[j]:+.3g})"
        if not surface.computed[i, j]:
            return f"{surface.label} at {where}: not computed yet"
        return f"{surface.label} at {where}: loss {_loss_text(float(surface.loss[i, j]))}"

    # --- look -------------------------------------------------------------------------------------------------

    def restyle(self, plot_colours: PlotColours, font: QFont) -> None:
        """Colours and fonts from the palette."""
        self._colours, self._font = plot_colours, font
        self._restyling = True
        style_view(self, plot_colours)
        for plot in [*self.plots, *self.maps]:
            style_plot(plot, plot_colours, font, grid=(False, False))
        self.bar.axis.setPen(pg.mkPen(plot_colours.foreground))
        self.bar.axis.setTextPen(pg.mkPen(plot_colours.foreground))
        self.bar.axis.setTickFont(font)
        self.bar.axis.enableAutoSIPrefix(False)
        if self.surfaces:
            self.show_surfaces(self.surfaces, self._log)
        self._restyling = False


class LossCurves(pg.PlotWidget):  # type: ignore[misc]
    """The loss along alpha through the centre (beta = 0) of every surface, one curve per network."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.plotItem.hideButtons()
        self.plotItem.setLabel("bottom", "alpha (beta = 0)")
        self.plotItem.setLabel("left", "loss")
        self.legend = self.plotItem.addLegend(offset=(10, 10))
        self.curves: list[pg.PlotDataItem] = []
        self._dark = False

    def show_surfaces(self, surfaces: Sequence[Surface], log: bool) -> None:
        """One curve per surface through its middle row of known points."""
        self.plotItem.clear()
        self.legend.clear()
        self.curves = []
        self.plotItem.setLogMode(y=log)
        palette = colours.series(self._dark)
        for k, surface in enumerate(surfaces):
            middle = surface.loss.shape[1] // 2
            known = surface.computed[:, middle] & np.isfinite(surface.loss[:, middle])
            x, y = surface.coordinates[known], surface.loss[known, middle]
            if log:
                y = np.maximum(y, SMALLEST_LOSS)
            pen = pg.mkPen(palette[k % len(palette)], width=2.6)
            curve = self.plotItem.plot(x, y, pen=pen, symbol="o", symbolSize=5, name=surface.label)
            curve.setSymbolBrush(pg.mkBrush(palette[k % len(palette)]))
            self.curves.append(curve)

    def restyle(self, plot_colours: PlotColours, font: QFont) -> None:
        """Colours and fonts from the palette."""
        self._dark = is_dark(self.palette())
        style_view(self, plot_colours)
        style_plot(self.plotItem, plot_colours, font)
        self.legend.setLabelTextColor(plot_colours.foreground)


def _loss_text(loss: float) -> str:
    if math.isnan(loss):
        return "not a number"
    if math.isinf(loss):
        return "infinite"
    return f"{loss:,.4g}" if loss < 1e5 else f"{loss:.3g}"
