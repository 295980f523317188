"""The depth plot: activation mean and standard deviation node by node along the network, so a class sees how
the signal's scale evolves; the previous run stays as dashed lines to compare (switch a skip off, run again)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from ...results.run import ForwardResult, NodeRecord
from ..document import Document
from ..run.controller import RunController
from .plots import LINE_WIDTH, NodeAxis, ValueAxis, label_style, plot_font, style_plot, style_view
from .result_panel import ResultPanel

SYMBOL_SIZE = 9


def in_depth_plot(node: NodeRecord) -> bool:
    """Feature maps only: the class scores at the end are another kind of number (their scale says nothing
    about how the signal travels through the blocks)."""
    return node.stats is not None and len(node.shape) == 3


def depth_series(nodes: tuple[NodeRecord, ...]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, means, stds) of the nodes that output feature maps, in network order."""
    captured = [n for n in nodes if in_depth_plot(n)]
    means = np.array([n.stats.mean for n in captured], dtype=np.float64)  # type: ignore[union-attr]
    stds = np.array([n.stats.std for n in captured], dtype=np.float64)  # type: ignore[union-attr]
    return [n.name for n in captured], means, stds


def aligned(names: list[str], other: tuple[NodeRecord, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, means, stds) of another run's nodes placed at the positions of the same names (others dropped)."""
    position = {name: i for i, name in enumerate(names)}
    xs, means, stds = [], [], []
    for node in other:
        if in_depth_plot(node) and node.name in position:
            xs.append(position[node.name])
            means.append(node.stats.mean)
            stds.append(node.stats.std)
    return np.array(xs, dtype=np.float64), np.array(means), np.array(stds)


class DepthPanel(ResultPanel):
    """Mean and std per node along the network, this run solid, the previous one dashed."""

    title_text = "Signal Along the Depth"

    def __init__(
        self,
        document: Document,
        controller: RunController,
        run_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(document, controller, run_action, parent)
        self.axis = NodeAxis("bottom")
        self.view = pg.PlotWidget(
            self.content, enableMenu=False, axisItems={"bottom": self.axis, "left": ValueAxis("left")}
        )
        self.plot: pg.PlotItem = self.view.getPlotItem()
        self.plot.setLabel("left", "activation")
        self.plot.setLabel("bottom", "node (network order)")
        self.legend = self.plot.addLegend(offset=(10, 6), colCount=4)
        self.plot.getViewBox().setDefaultPadding(0.1)  # room above the curves for the one-row legend
        self.mean = self.plot.plot([], [], name="mean")
        self.std = self.plot.plot([], [], name="std")
        self.previous_mean = self.plot.plot([], [], name="mean, previous run")
        self.previous_std = self.plot.plot([], [], name="std, previous run")
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.cursor)
        self.cursor.hide()
        for curve in (self.mean, self.std):
            curve.sigPointsClicked.connect(self._clicked)
        self.log_scale = QCheckBox("Log scale", self)
        self.log_scale.setToolTip("A logarithmic axis shows growth over many orders of magnitude")
        self.log_scale.toggled.connect(self._log_toggled)
        self.header.insertWidget(self.header.count() - 1, self.log_scale)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.names: list[str] = []
        document.selection_changed.connect(self._selection_changed)
        self.finish_setup()

    def show_result(self, result: ForwardResult) -> None:
        """Plot this run, and the previous one dashed when there is one."""
        names, means, stds = depth_series(result.nodes)
        self.names = names
        self.axis.set_names(names)
        x = np.arange(len(names), dtype=np.float64)
        self._set(self.mean, x, means)
        self._set(self.std, x, stds)
        previous = self.controller.previous
        if previous is not None and previous is not result:
            px, pmeans, pstds = aligned(names, previous.nodes)
            self._set(self.previous_mean, px, pmeans)
            self._set(self.previous_std, px, pstds)
            change = self.controller.comparison
            self.subtitle.setText(f"solid: this run ({change}) · dashed: the run before")
            self._legend(True)
        else:
            self.previous_mean.setData([], [])
            self.previous_std.setData([], [])
            self.subtitle.setText(f"{len(names)} nodes · run again after an edit to compare")
            self._legend(False)
        self.plot.enableAutoRange()
        self._mark_selection()

    def _set(self, curve: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> None:
        if self.log_scale.isChecked():
            y = np.where(y > 0, y, np.nan)  # a log axis has no place for zero or negative means
        curve.setData(x, y, connect="finite")

    def _legend(self, with_previous: bool) -> None:
        self.legend.clear()
        self.legend.addItem(self.mean, "mean")
        self.legend.addItem(self.std, "std")
        if with_previous:
            self.legend.addItem(self.previous_mean, "mean, run before")
            self.legend.addItem(self.previous_std, "std, run before")

    def _log_toggled(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        if self.result is not None:
            self.show_result(self.result)

    def _selection_changed(self, _ids: tuple[str, ...]) -> None:
        self._mark_selection()

    def _mark_selection(self) -> None:
        ids = self.document.selection
        names = [self.document.graph.node(i).name for i in ids if i in self.document.graph]
        if names and names[0] in self.names:
            self.cursor.setValue(self.names.index(names[0]))
            self.cursor.show()
        else:
            self.cursor.hide()

    def _clicked(self, _item: object, points: list[pg.SpotItem], *_args: object) -> None:
        if len(points) == 0 or not self.names:
            return
        index = round(points[0].pos().x())
        if 0 <= index < len(self.names):
            node = self.document.graph.node_by_name(self.names[index])
            if node is not None:
                self.node_activated.emit(node.id)

    def restyle(self) -> None:
        """Colours, line styles and fonts."""
        c = self.colours
        font = plot_font(self)
        style_view(self.view, c)
        style_plot(self.plot, c, font)
        dash = Qt.PenStyle.DashLine
        self.mean.setPen(pg.mkPen(c.mean, width=LINE_WIDTH))
        self.mean.setSymbol("o")
        self.mean.setSymbolBrush(c.mean)
        self.mean.setSymbolPen(pg.mkPen(c.background, width=1))
        self.mean.setSymbolSize(SYMBOL_SIZE)
        self.std.setPen(pg.mkPen(c.std, width=LINE_WIDTH))
        self.std.setSymbol("s")
        self.std.setSymbolBrush(c.std)
        self.std.setSymbolPen(pg.mkPen(c.background, width=1))
        self.std.setSymbolSize(SYMBOL_SIZE)
        self.previous_mean.setPen(pg.mkPen(c.mean, width=LINE_WIDTH * 0.8, style=dash))
        self.previous_std.setPen(pg.mkPen(c.std, width=LINE_WIDTH * 0.8, style=dash))
        self.cursor.setPen(pg.mkPen(c.highlight, width=2))
        self.legend.setLabelTextColor(c.foreground)
        self.legend.setLabelTextSize(label_style(c, font)["size"])
        for _sample, label in self.legend.items:
            # pyqtgraph stores a new colour on existing labels but draws them with the old one until their
            # text is set again: after a switch to the dark theme the legend would be dark on dark.
            label.setText(label.text, color=c.foreground.name(), size=label_style(c, font)["size"])
        self.legend.setBrush(pg.mkBrush(c.background))
        self.legend.setPen(pg.mkPen(c.grid))
        self.axis.picture = None
