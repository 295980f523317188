"""The gradient-flow plot: the gradient norm of every convolution's weights on a log axis, input on the left, two
networks overlaid (solid), the comparison before the last switch dashed; hover names the layer, its gradient
norm and its ratio to the last convolution's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...results.gradients import GradientFlow, LayerGradient
from .. import colours
from .gradient_words import ratio_phrase
from .plots import LINE_WIDTH, NodeAxis, PlotColours, ValueAxis, style_plot, style_view

LAYER_TYPE = "Conv2d"
"""The layers plotted (and compared first to last): every convolution, shortcuts' included."""
ZERO_FLOOR = 0.1
"""A gradient of exactly 0 is drawn as a marker this far (a factor) below the smallest non-zero one."""
NOTHING_YET = (
    "The gradient norm of every convolution is drawn here, input on the left, once gradients are compared."
)
"""What the plot's place says before the first comparison."""


@dataclass(frozen=True)
class Series:
    """One network's convolutions as plotted: x positions, norms (0 allowed), and the layers themselves."""

    label: str
    x: np.ndarray
    norms: np.ndarray
    layers: tuple[LayerGradient, ...]

    @staticmethod
    def of(flow: GradientFlow, span: int | None = None) -> Series:
        """A flow's convolutions at positions 0..n-1, or stretched over 0..span-1 to line up with another."""
        layers = tuple(g for g in flow.layers if g.type == LAYER_TYPE)
        count = len(layers)
        x = np.arange(count, dtype=np.float64)
        if span is not None and count > 1 and span != count:
            x = x * (span - 1) / (count - 1)
        return Series(flow.label, x, np.array([g.grad_norm for g in layers], dtype=np.float64), layers)

    def ratio(self, index: int) -> float:
        """This layer's gradient norm over the last one's."""
        last = self.norms[-1] if len(self.norms) else math.nan
        value = self.norms[index]
        if last == 0:
            return math.nan if value == 0 else math.inf
        return float(value / last)


class GradientPlot(QWidget):
    """Two networks' gradient profiles, the comparison before dashed, a key above and a hover label."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.axis = NodeAxis("bottom")
        self.view = pg.PlotWidget(
            self, enableMenu=False, axisItems={"bottom": self.axis, "left": ValueAxis("left")}
        )
        self.plot: pg.PlotItem = self.view.getPlotItem()
        self.plot.setLogMode(y=True)
        self.plot.setLabel("left", "gradient norm of the weights")
        self.plot.setLabel("bottom", "convolution (input on the left)")
        self.curves = [self.plot.plot([], []) for _ in range(2)]
        self.zeros = [self.plot.plot([], [], pen=None) for _ in range(2)]
        self.before = [self.plot.plot([], []) for _ in range(2)]
        self.hover = pg.TextItem(anchor=(0, 1))
        self.hover.setZValue(10)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self.hover.hide()
        self.hover_text = ""
        """What the hover label says now ('' when hidden)."""
        self.key = QLabel(self)
        self.key.setWordWrap(True)
        self.series: list[Series] = []
        self.earlier: list[Series] = []
        self.colours = PlotColours.of(self.palette())
        self._series_colours: tuple[str, ...] = colours.series(False)
        self.empty = QLabel(NOTHING_YET, self)
        """Shown instead of the axes until there is something to plot (empty axes read as a broken plot)."""
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)  # drawn muted, as the other panels' empty states
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.key)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        self.view.hide()
        self.view.scene().sigMouseMoved.connect(self._mouse_moved)

    def show_flows(self, flows: Sequence[GradientFlow], before: Sequence[GradientFlow] = ()) -> None:
        """Plot two flows (solid) and, when given, the two of the comparison before (dashed)."""
        first = Series.of(flows[0])
        span = len(first.norms)
        self.series = [first, *(Series.of(f, span) for f in flows[1:2])]
        self.earlier = [Series.of(f, span) for f in before[:2]] if before else []
        self.axis.set_names([g.path for g in first.layers])
        floor = self._floor()
        for i in range(2):
            self._draw(self.curves[i], self.zeros[i], self.series[i] if i < len(self.series) else None, floor)
            earlier = self.earlier[i] if i < len(self.earlier) else None
            self._draw(self.before[i], None, earlier, floor)
        self._show_key()
        self.hide_hover()
        self.empty.hide()
        self.view.show()
        self.plot.enableAutoRange()

    def clear(self) -> None:
        """Nothing plotted."""
        self.series, self.earlier = [], []
        for item in (*self.curves, *self.zeros, *self.before):
            item.setData([], [])
        self.key.setText("")
        self.hide_hover()
        self.view.hide()
        self.empty.show()

    def _floor(self) -> float:
        positive = [
            float(s.norms[s.norms > 0].min()) for s in (*self.series, *self.earlier) if np.any(s.norms > 0)
        ]
        return (min(positive) if positive else 1.0) * ZERO_FLOOR

    def _draw(
        self, curve: pg.PlotDataItem, zeros: pg.PlotDataItem | None, series: Series | None, floor: float
    ) -> None:
        if series is None:
            curve.setData([], [])
            if zeros is not None:
                zeros.setData([], [])
            return
        y = np.where(series.norms > 0, series.norms, np.nan)  # a log axis has no place for 0
        curve.setData(series.x, y, connect="finite")
        if zeros is not None:
            at = series.norms == 0
            zeros.setData(series.x[at], np.full(int(at.sum()), floor))

    # --- hover ------------------------------------------------------------------------------------------------

    def _mouse_moved(self, position: QPointF) -> None:
        if not self.series or not self.plot.sceneBoundingRect().contains(position):
            self.hide_hover()
            return
        point = self.plot.getViewBox().mapSceneToView(position)
        self.hover_near(point.x(), point.y())

    def hover_near(self, x: float, log_y: float) -> str:
        """Show the layer nearest to a point of the plot (x in layer positions, y as log10 of the norm)."""
        best: tuple[float, int, int] | None = None
        for which, series in enumerate(self.series):
            if not len(series.x):
                continue
            index = int(np.argmin(np.abs(series.x - x)))
            norm = series.norms[index]
            y = math.log10(norm) if norm > 0 else math.log10(self._floor())
            distance = abs(series.x[index] - x) + abs(y - log_y)
            if best is None or distance < best[0]:
                best = (distance, which, index)
        if best is None:
            self.hide_hover()
            return ""
        _, which, index = best
        series = self.series[which]
        layer = series.layers[index]
        norm = series.norms[index]
        ratio = series.ratio(index)
        text = (
            f"{layer.path} ({series.label})\ngradient norm {norm:.3g}\n"
            f"{ratio_phrase(ratio)} the last convolution's"
        )
        self.hover.setText(text, color=self.colours.foreground)
        self.hover.fill = pg.mkBrush(self.colours.background)
        y = math.log10(norm) if norm > 0 else math.log10(self._floor())
        self.hover.setPos(float(series.x[index]), y)
        self.hover.show()
        self.hover_text = text
        return text

    def hide_hover(self) -> None:
        """No hover label."""
        self.hover.hide()
        self.hover_text = ""

    # --- look -------------------------------------------------------------------------------------------------

    def _show_key(self) -> None:
        parts = []
        for i, series in enumerate(self.series):
            colour = self._series_colours[i % len(self._series_colours)]
            parts.append(f"<span style='color:{colour}; font-weight:bold'>━━ {series.label}</span>")
        for i, series in enumerate(self.earlier):
            colour = self._series_colours[i % len(self._series_colours)]
            parts.append(f"<span style='color:{colour}'>╍╍ {series.label} (before)</span>")
        zeros = sum(int(np.sum(s.norms == 0)) for s in self.series)
        if zeros:
            parts.append(
                f"▼ gradient exactly 0 ({zeros} layer{'s' if zeros != 1 else ''}: no place on a log axis)"
            )
        self.key.setText("&nbsp;&nbsp;&nbsp;".join(parts))

    def key_text(self) -> str:
        """The key as plain text."""
        return self.key.text()

    def restyle(self, plot_colours: PlotColours, font: QFont) -> None:
        """Colours, line styles and fonts of the palette and UI scale."""
        self.colours = plot_colours
        self._series_colours = colours.series(plot_colours.background.lightness() < 128)
        style_view(self.view, plot_colours)
        style_plot(self.plot, plot_colours, font)
        for i in range(2):
            colour = QColor(self._series_colours[i])
            self.curves[i].setPen(pg.mkPen(colour, width=LINE_WIDTH))
            self.curves[i].setSymbol("o")
            self.curves[i].setSymbolSize(5)
            self.curves[i].setSymbolBrush(colour)
            self.curves[i].setSymbolPen(pg.mkPen(colour))
            self.zeros[i].setSymbol("t")
            self.zeros[i].setSymbolSize(11)
            self.zeros[i].setSymbolBrush(colour)
            self.zeros[i].setSymbolPen(pg.mkPen(plot_colours.background))
            self.before[i].setPen(pg.mkPen(colour, width=LINE_WIDTH * 0.7, style=Qt.PenStyle.DashLine))
        self.key.setFont(font)
        self.axis.picture = None
        if self.series:
            self._show_key()
