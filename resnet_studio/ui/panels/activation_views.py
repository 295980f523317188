"""The parts of the Activations panel beside the grid: one channel at full size with a channel slider, the
histogram of values with the zeros apart, the statistics, and a plot for flat outputs (class scores)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ...core.catalogue import get_spec
from ...core.shapes import format_shape
from ...core.units import exact
from ...results.run import NodeRecord
from ..run.display import Levels, colour_map, dead_channels
from ..theme import ERROR_COLOUR, WARNING_COLOUR
from .plots import LINE_WIDTH, PlotColours, label_style, plot_font, style_plot, style_view

MANY_ZEROS = 0.5
"""Above this fraction of zeros the statistic is flagged: many dead ReLUs for this input."""
WIDEST_FIGURE = "12 845 056 (batch 256)"
"""The statistics column is as wide as its widest likely figure, whatever the node."""
MAP_AXES = {"y": 0, "x": 1}
"""One channel: rows are the map's height, columns its width."""
"""(C, H, W) is always a stack of channels, even when W <= 4 (pyqtgraph would guess colour)."""


class ChannelView(QWidget):
    """One channel at full size, a slider through the channels above it, and the colour bar beside it.

    The picture is a map of height x width pixels and has no axes of its own; the slider that picks the channel
    sits with the caption, away from the picture, so nothing under a spatial map is labelled 'channel'."""

    channel_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self)
        steady(self.caption)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setAccessibleName("Channel")
        self.slider.setToolTip("Pick the channel to show (or click a tile in the grid; arrow keys step)")
        self.slider.valueChanged.connect(self._slider_moved)
        # No context menus anywhere: they are costly to build, and a menu deleted later is a Qt object that
        # must only ever die on the GUI thread.
        self.view = pg.ImageView(self, view=pg.ViewBox(enableMenu=False))
        self.view.ui.roiBtn.hide()
        self.view.ui.menuBtn.hide()
        self.view.ui.roiPlot.hide()  # one 2-D picture at a time: no time line under it
        self.box: pg.ViewBox = self.view.getView()
        self.box.invertY(True)
        self.box.setAspectLocked(True)
        self.view.ui.histogram.gradient.showTicks(False)  # type: ignore[attr-defined]  # a colour bar, not an editor
        self._stops: tuple[tuple[float, int], ...] = ()
        # pyqtgraph rebuilds the picture's colour table (512 colours, one Python call each) and redraws the
        # picture whenever the colour bar changes, its length included: every resize of the panel did.
        self.view.ui.histogram.gradient.updateGradient = self._colour_bar_changed  # type: ignore[attr-defined]
        self.node: NodeRecord | None = None
        self._levels = Levels(0.0, 1.0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.slider)
        layout.addWidget(self.view, 1)
        self._quiet = False
        self._signed: bool | None = None

    def _colour_bar_changed(self) -> None:
        """The colour bar's stops or its length changed: a new colour table only for new stops; a new length
        only stretches the bar."""
        gradient = self.view.ui.histogram.gradient  # type: ignore[attr-defined]
        stops = tuple(sorted((x, tick.color.rgba()) for tick, x in gradient.ticks.items()))
        if stops != self._stops:
            self._stops = stops
            type(gradient).updateGradient(gradient)
            return
        gradient.gradient = gradient.getGradient()
        gradient.gradRect.setBrush(QBrush(gradient.gradient))

    def set_colours(self, colours: PlotColours, font: QFont) -> None:
        """Palette colours for the picture's background and the colour bar."""
        style_view(self.view.ui.graphicsView, colours)
        self.view.ui.histogram.setBackground(colours.background)  # type: ignore[attr-defined]

    def show_node(self, node: NodeRecord, levels: Levels, channel: int) -> None:
        """Show a node's channel `channel` with the node's fixed levels."""
        values = node.values
        if values is None or values.ndim != 3 or values.shape[0] == 0:
            return
        self.node, self._levels = node, levels
        self._quiet = True
        try:
            self.slider.setRange(0, values.shape[0] - 1)
            self.slider.setValue(min(channel, values.shape[0] - 1))
            self._draw(auto_range=True)
            if levels.signed != self._signed:  # rebuilding the colour bar is slow: only when it changes
                self._signed = levels.signed
                self.view.setColorMap(colour_map(levels.signed))
                self.view.ui.histogram.gradient.showTicks(False)  # type: ignore[attr-defined]
            self.view.ui.histogram.setHistogramRange(levels.low, levels.high)  # type: ignore[attr-defined]
        finally:
            self._quiet = False

    def _draw(self, auto_range: bool) -> None:
        node = self.node
        if node is None or node.values is None:
            return
        index = self.slider.value()
        self.view.setImage(
            node.values[index],
            autoRange=False,
            autoLevels=False,
            levels=self._levels.as_tuple(),
            axes=MAP_AXES,
            autoHistogramRange=False,
        )
        if auto_range:
            self.box.autoRange(padding=0.02)
        self._caption(index)

    def set_channel(self, channel: int) -> None:
        """Show another channel of the same node."""
        if self.node is not None and self.node.values is not None:
            self.slider.setValue(min(channel, self.node.values.shape[0] - 1))

    @property
    def channel(self) -> int:
        """The channel shown."""
        return int(self.slider.value())

    @property
    def picture(self) -> np.ndarray | None:
        """The (height, width) map shown now."""
        image = self.view.image
        return None if image is None else np.asarray(image)

    def _slider_moved(self, index: int) -> None:
        if self._quiet:
            return
        self._draw(auto_range=False)
        self.channel_changed.emit(int(index))

    def _caption(self, index: int) -> None:
        node = self.node
        if node is None or node.values is None:
            self.caption.setText("")
            return
        h, w = node.values.shape[1:]
        every = f", every {node.stride}th pixel" if node.stride > 1 else ""
        self.caption.setText(f"Channel {index} of {node.channels} · {h}x{w} px (height x width{every})")


class HistogramView(pg.PlotWidget):
    """Bars of the non-zero values; the zeros as one bar apart, labelled with their share."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, enableMenu=False)
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.plot_item.setLabel("bottom", "value")
        self.plot_item.setLabel("left", "count")
        self.bars = pg.BarGraphItem(x0=[0], x1=[1], height=[0])
        self.zero_bar = pg.BarGraphItem(x0=[0], x1=[1], height=[0])
        self.zero_text = pg.TextItem(anchor=(0, 0))
        self.plot_item.addItem(self.bars)
        self.plot_item.addItem(self.zero_bar)
        self.plot_item.addItem(self.zero_text)
        self.colours: PlotColours | None = None

    def set_colours(self, colours: PlotColours, font: QFont) -> None:
        """Palette colours and UI font."""
        self.colours = colours
        style_view(self, colours)
        style_plot(self.plot_item, colours, font, grid=(False, True))
        self.bars.setOpts(brush=pg.mkBrush(colours.bar), pen=pg.mkPen(None))
        self.zero_bar.setOpts(brush=pg.mkBrush(colours.zeros), pen=pg.mkPen(None))
        self.zero_text.setColor(colours.zeros)
        self.zero_text.setFont(font)

    def show_node(self, node: NodeRecord) -> None:
        """Plot a node's value histogram."""
        histogram = node.histogram
        if histogram is None:
            return
        counts, edges = histogram.counts, histogram.edges
        self.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=counts)
        top = float(counts.max()) * 1.15 if counts.size and counts.max() > 0 else 1.0
        width = float(edges[1] - edges[0]) if edges.size > 1 else 1.0
        if histogram.zeros:
            share = histogram.zeros / max(histogram.total, 1)
            height = min(float(histogram.zeros), top)
            self.zero_bar.setOpts(x0=[-width / 2], x1=[width / 2], height=[height])
            self.zero_bar.show()
            clipped = " ↑" if histogram.zeros > top else ""
            self.zero_text.setText(f"zeros {share:.0%}{clipped}")
            self.zero_text.setPos(width, top)
            self.zero_text.show()
        else:
            self.zero_bar.hide()
            self.zero_text.hide()
        low = min(float(edges[0]), -width if histogram.zeros else float(edges[0]))
        self.plot_item.setXRange(low, float(edges[-1]), padding=0.02)
        self.plot_item.setYRange(0, top, padding=0)


THICK_LINE_FEATURES = 256
"""Vectors up to this many features are drawn with the panels' thicker line."""


class VectorView(pg.PlotWidget):
    """A flat output (scores of a head, a pooled vector): value per feature."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, enableMenu=False)
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.plot_item.setLabel("bottom", "feature")
        self.plot_item.setLabel("left", "value")
        self.curve = self.plot_item.plot([], [])
        self._colours: PlotColours | None = None
        self._features = 0

    def set_colours(self, colours: PlotColours, font: QFont) -> None:
        """Palette colours and UI font."""
        style_view(self, colours)
        style_plot(self.plot_item, colours, font, grid=(False, True))
        self._colours = colours
        self._set_pen(self._features)
        self.curve.setFillBrush(pg.mkBrush(colours.bar.red(), colours.bar.green(), colours.bar.blue(), 90))

    def _set_pen(self, features: int) -> None:
        # Qt strokes an antialiased line wider than one pixel through its general path stroker: for a thousand
        # class scores that took 50-300 ms a paint. Past a few hundred features the steps are thinner than the
        # line anyway, so they get the one-pixel line Qt draws directly (8 ms).
        self._features = features
        if self._colours is not None:
            width = LINE_WIDTH / 2 if features <= THICK_LINE_FEATURES else 1.0
            self.curve.setPen(pg.mkPen(self._colours.bar, width=width))

    def show_node(self, node: NodeRecord) -> None:
        """Plot the kept features of the first sample."""
        values = node.values
        if values is None:
            return
        flat = values.reshape(-1)
        self._set_pen(flat.size)
        x = np.arange(flat.size + 1, dtype=np.float64)
        self.curve.setData(x, np.nan_to_num(flat, nan=0.0), stepMode="center", fillLevel=0.0)
        self.plot_item.setLabel("bottom", get_spec(node.type).vector_axis)
        self.plot_item.autoRange()


class StatsView(QFrame):
    """The statistics of the whole output in large type: mean, std, range, zeros, dead channels, NaN/Inf."""

    ROWS = ("Mean", "Std", "Min", "Max", "Zeros", "All-zero channels", "NaN / Inf", "Time", "Values")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(1)
        self.values: dict[str, QLabel] = {}
        for row, name in enumerate(self.ROWS):
            label = QLabel(name, self)
            value = QLabel(self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
            self.values[name] = value
        grid.setRowStretch(len(self.ROWS), 1)
        self.restyle()

    def restyle(self) -> None:
        """Bold, slightly larger figures in the current UI font."""
        font = plot_font(self)
        font.setBold(True)
        for label in self.values.values():
            label.setFont(font)
            label.setMinimumWidth(QFontMetrics(font).horizontalAdvance(WIDEST_FIGURE))

    def text(self, row: str) -> str:
        """The figure shown in a row."""
        return self.values[row].text()

    def show_node(self, node: NodeRecord) -> None:
        """Fill the figures from a node's statistics."""
        s = node.stats
        if s is None:
            for label in self.values.values():
                label.setText("–")
            return
        v = self.values
        v["Mean"].setText(_number(s.mean))
        v["Std"].setText(_number(s.std))
        v["Min"].setText(_number(s.min))
        v["Max"].setText(_number(s.max))
        v["Zeros"].setText(f"{s.zero_fraction:.1%}")
        many = s.zero_fraction > MANY_ZEROS
        v["Zeros"].setStyleSheet(f"color: {WARNING_COLOUR};" if many else "")
        v["Zeros"].setToolTip(
            "More than half the values are exactly zero: many ReLU units are off (dead) for this input"
            if many
            else "Share of values that are exactly zero (switched-off ReLU units)"
        )
        if node.is_map and node.values is not None:
            dead = dead_channels(node.values)
            v["All-zero channels"].setText(f"{dead} of {node.kept_channels}")
        else:
            v["All-zero channels"].setText("–")
        bad = s.nan_count + s.inf_count
        v["NaN / Inf"].setText(f"{exact(s.nan_count)} / {exact(s.inf_count)}")
        v["NaN / Inf"].setStyleSheet(f"color: {ERROR_COLOUR};" if bad else "")
        v["Time"].setText("–" if node.time_ms is None else f"{node.time_ms:.2f} ms")
        batch = s.count // max(1, math.prod(node.shape))
        v["Values"].setText(f"{exact(s.count)} (batch {batch})")
        v["Values"].setToolTip(
            f"Every value of the output: {format_shape(node.shape)} per sample, {batch} samples"
        )


def steady(label: QLabel) -> None:
    """Let a label's text change without resizing the plots beside it (the splitter would re-lay them out)."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(1)


def _number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"


__all__ = ["ChannelView", "HistogramView", "StatsView", "VectorView", "label_style"]
