"""The race's two plots, training loss and accuracy, against step or against wall time: one colour per network,
the loss averaged over the last ten steps drawn bold over the raw values, and a line where the gap became clear."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...results.training import GAP_WINDOW, TrainingCurve
from .. import colours
from .plots import LINE_WIDTH, PlotColours, ValueAxis, plot_font, style_plot, style_view

RAW_ALPHA = 70
"""The raw (per-step) values are drawn faint behind the smoothed curve."""


def curve_arrays(curve: TrainingCurve, against_time: bool) -> tuple[np.ndarray, ...]:
    """(x, loss, smoothed loss, accuracy, smoothed accuracy) of a curve, x in steps or wall-clock seconds."""
    points = curve.points
    x = np.array([p.wall_seconds if against_time else p.step for p in points], dtype=np.float64)
    loss = np.array([p.loss for p in points], dtype=np.float64)
    accuracy = np.array([p.accuracy for p in points], dtype=np.float64)
    return (
        x,
        loss,
        np.array(curve.smoothed_losses(GAP_WINDOW), dtype=np.float64),
        accuracy,
        np.array(curve.smoothed_accuracies(GAP_WINDOW), dtype=np.float64),
    )


class RacePlots(QWidget):
    """Loss and accuracy of every network of a race, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.against_time = False
        self.views: list[pg.PlotWidget] = []
        self.plots: list[pg.PlotItem] = []
        for title, unit in (("Training loss", "cross-entropy"), ("Training accuracy", "")):
            view = pg.PlotWidget(self, enableMenu=False, axisItems={"left": ValueAxis("left")})
            plot = view.getPlotItem()
            plot.setTitle(title)
            if unit:
                plot.setLabel("left", unit)
            plot.setLabel("bottom", "step")
            plot.getViewBox().setDefaultPadding(0.04)
            self.views.append(view)
            self.plots.append(plot)
        self.plots[1].setYRange(0.0, 1.0)
        self.plots[1].getViewBox().setLimits(yMin=-0.05, yMax=1.05)
        # One step axis for both: loss and accuracy are read at the same steps, and zooming one zooms the other.
        self.plots[1].setXLink(self.plots[0])
        self.key = QLabel(self)
        """The legend: one coloured line per network, above the plots (a legend inside would hide curves)."""
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.smooth: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self.raw: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self.gap_lines = [pg.InfiniteLine(angle=90, movable=False) for _ in self.plots]
        for plot, line in zip(self.plots, self.gap_lines):
            plot.addItem(line)
            line.hide()
        self.labels: list[str] = []
        self.colours = PlotColours.of(self.palette())
        self._series: tuple[str, ...] = colours.series(False)
        self.suffixes: list[str] = []
        row = QHBoxLayout()
        row.setSpacing(4)
        for view in self.views:
            row.addWidget(view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.key)
        layout.addLayout(row, 1)

    def set_networks(self, labels: Sequence[str]) -> None:
        """One pair of curves per network, empty."""
        for pair in (*self.smooth, *self.raw):
            for plot, item in zip(self.plots, pair):
                plot.removeItem(item)
        self.smooth, self.raw, self.labels = [], [], list(labels)
        self.suffixes = [""] * len(labels)
        for i in range(len(labels)):
            self.raw.append((self.plots[0].plot([], []), self.plots[1].plot([], [])))
            self.smooth.append((self.plots[0].plot([], []), self.plots[1].plot([], [])))
            self._style_curves(i)
        self._show_key()
        self.mark_gap(None)

    def show_curves(self, curves: Sequence[TrainingCurve]) -> None:
        """Redraw every curve (cheap: a few hundred points each)."""
        for i, curve in enumerate(curves[: len(self.smooth)]):
            x, loss, smooth_loss, accuracy, smooth_accuracy = curve_arrays(curve, self.against_time)
            self.raw[i][0].setData(x, loss)
            self.raw[i][1].setData(x, accuracy)
            self.smooth[i][0].setData(x, smooth_loss)
            self.smooth[i][1].setData(x, smooth_accuracy)
        suffixes = [_status_suffix(c) for c in curves[: len(self.smooth)]]
        if suffixes != self.suffixes[: len(suffixes)]:
            self.suffixes[: len(suffixes)] = suffixes
            self._show_key()

    def mark_gap(self, at: float | None) -> None:
        """A vertical line at the step (or second) from which the gap is clear; None hides it."""
        for line in self.gap_lines:
            if at is None:
                line.hide()
            else:
                line.setValue(at)
                line.show()

    def set_against_time(self, on: bool) -> None:
        """x in wall-clock seconds (True) or in steps."""
        self.against_time = on
        for plot in self.plots:
            plot.setLabel("bottom", "seconds since Start (pauses left out)" if on else "step")
        self.restyle(self.colours, plot_font(self))

    def set_log_loss(self, on: bool) -> None:
        """A logarithmic loss axis (the late gap between small losses shows better)."""
        self.plots[0].setLogMode(y=on)

    def restyle(self, plot_colours: PlotColours, font: QFont) -> None:
        """Colours and fonts of the palette and UI scale."""
        self.colours = plot_colours
        # The panel's palette changes before this widget's: the colours handed over say which theme it is.
        self._series = colours.series(plot_colours.background.lightness() < 128)
        for view, plot in zip(self.views, self.plots):
            style_view(view, plot_colours)
            style_plot(plot, plot_colours, font)
        for i in range(len(self.smooth)):
            self._style_curves(i)
        pen = pg.mkPen(plot_colours.foreground, width=1.5, style=Qt.PenStyle.DashLine)
        for line in self.gap_lines:
            line.setPen(pen)
        self.key.setFont(font)
        self._show_key()

    def key_text(self) -> str:
        """The legend as plain text: 'plain-20 · plain-56 (stopped: NaN) · ResNet-56'."""
        return " · ".join(label + suffix for label, suffix in zip(self.labels, self.suffixes))

    def _show_key(self) -> None:
        parts = []
        for i, (label, suffix) in enumerate(zip(self.labels, self.suffixes)):
            colour = self._series[i % len(self._series)]
            parts.append(f"<span style='color:{colour}; font-weight:bold'>━━ {label}</span>{suffix}")
        faint = "the faint lines: each step's own value; bold: averaged over 10 steps"
        self.key.setText("&nbsp;&nbsp;&nbsp;".join(parts) + f"&nbsp;&nbsp;&nbsp;<small>({faint})</small>")

    def _style_curves(self, i: int) -> None:
        colour = QColor(self._series[i % len(self._series)])
        faint = QColor(colour)
        faint.setAlpha(RAW_ALPHA)
        for item in self.smooth[i]:
            item.setPen(pg.mkPen(colour, width=LINE_WIDTH))
        for item in self.raw[i]:
            item.setPen(pg.mkPen(faint, width=1))


def _status_suffix(curve: TrainingCurve) -> str:
    if curve.status == "diverged":
        return " (stopped: NaN)"
    if curve.status == "failed":
        return " (stopped)"
    return ""
