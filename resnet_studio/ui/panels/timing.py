"""The Timing panel: milliseconds per node as bars (in the canvas's category colours), the total, and the run's
peak memory beside the analysis' estimate."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...core.catalogue import Role, get_spec, role_of
from ...core.errors import GraphError
from ...core.units import bytes_text
from ...results.run import ForwardResult, NodeRecord
from ..document import Document
from ..run.controller import RunController
from .plots import NodeAxis, plot_font, style_plot, style_view
from .result_panel import ResultPanel

BAR_WIDTH = 0.8


def timed_nodes(result: ForwardResult) -> list[NodeRecord]:
    """Nodes with a time, in network order (Input and Output take none worth showing)."""
    shown = [n for n in result.nodes if n.time_ms is not None]
    return [n for n in shown if role_of(n.type) not in (Role.INPUT, Role.OUTPUT)]


def category_colour(node_type: str, fallback: QColor) -> QColor:
    """The card header colour of a block type (the same colour as on the canvas)."""
    try:
        return QColor(get_spec(node_type).category.colour)
    except (GraphError, KeyError):
        return fallback


def memory_text(result: ForwardResult) -> str:
    """'peak memory 15.2 MiB · estimate 60.1 MiB' (what the peak measures is in memory_tooltip)."""
    parts = []
    if result.peak_memory_bytes is not None:
        parts.append(f"peak memory {bytes_text(result.peak_memory_bytes)}")
    if result.estimated_memory_bytes is not None:
        parts.append(f"estimate {bytes_text(result.estimated_memory_bytes)}")
    return " · ".join(parts)


def memory_tooltip(result: ForwardResult) -> str:
    """What the memory figures mean."""
    lines = []
    if result.peak_memory_bytes is not None:
        lines.append(f"Peak memory: {result.memory_measure or 'as measured by the engine'}")
    if result.estimated_memory_bytes is not None:
        lines.append("Estimate: the analysis' figure for the weights and every node's output at this batch")
    return "\n".join(lines)


class TimingPanel(ResultPanel):
    """Per-node time bars, the total time and the memory figures of the run."""

    title_text = "Timing and Memory"

    def __init__(
        self,
        document: Document,
        controller: RunController,
        run_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(document, controller, run_action, parent)
        self.axis = NodeAxis("bottom")
        self.view = pg.PlotWidget(self.content, enableMenu=False, axisItems={"bottom": self.axis})
        self.plot: pg.PlotItem = self.view.getPlotItem()
        self.plot.setLabel("left", "time (ms)")
        self.plot.setLabel("bottom", "node (network order)")
        self.plot.setMouseEnabled(x=True, y=False)
        self.bars = pg.BarGraphItem(x=[0], height=[0], width=BAR_WIDTH)
        self.marked = pg.BarGraphItem(x=[0], height=[0], width=BAR_WIDTH)
        self.plot.addItem(self.bars)
        self.plot.addItem(self.marked)
        self.marked.hide()
        self.nodes: list[NodeRecord] = []
        self.view.scene().sigMouseClicked.connect(self._clicked)
        self.view.scene().sigMouseMoved.connect(self._hovered)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        document.selection_changed.connect(self._selection_changed)
        self.finish_setup()

    def show_result(self, result: ForwardResult) -> None:
        """Bars for every timed node."""
        self.nodes = timed_nodes(result)
        self.axis.set_names([n.name for n in self.nodes])
        times = np.array([n.time_ms for n in self.nodes], dtype=np.float64)
        brushes = [pg.mkBrush(category_colour(n.type, self.colours.bar)) for n in self.nodes]
        x = np.arange(len(self.nodes), dtype=np.float64)
        self.bars.setOpts(x=x, height=times, width=BAR_WIDTH, brushes=brushes, pens=[pg.mkPen(None)] * len(x))
        total = result.total_ms
        device = result.device_title or result.device
        memory = memory_text(result)
        self.subtitle.setText(f"total {total:.1f} ms on {device}" + (f" · {memory}" if memory else ""))
        self.subtitle.setToolTip(memory_tooltip(result))
        self.plot.enableAutoRange()
        self._mark_selection()

    def _selection_changed(self, _ids: tuple[str, ...]) -> None:
        self._mark_selection()

    def _mark_selection(self) -> None:
        ids = set(self.document.selection)
        chosen = [i for i, n in enumerate(self.nodes) if n.node_id in ids]
        if not chosen:
            self.marked.hide()
            return
        heights = [self.nodes[i].time_ms or 0.0 for i in chosen]
        pen = pg.mkPen(self.colours.highlight, width=3)
        self.marked.setOpts(x=chosen, height=heights, width=BAR_WIDTH, brush=pg.mkBrush(None), pen=pen)
        self.marked.show()

    def _index_at(self, scene_pos: QPointF) -> int | None:
        if not self.nodes or not self.plot.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.plot.vb.mapSceneToView(scene_pos)
        index = round(point.x())
        if 0 <= index < len(self.nodes) and abs(point.x() - index) <= BAR_WIDTH / 2:
            return index
        return None

    def _clicked(self, event: object) -> None:
        index = self._index_at(event.scenePos())  # type: ignore[attr-defined]
        if index is not None:
            self.node_activated.emit(self.nodes[index].node_id)

    def _hovered(self, scene_pos: QPointF) -> None:
        index = self._index_at(scene_pos)
        if index is None:
            self.view.setToolTip("")
            return
        node = self.nodes[index]
        total = sum(n.time_ms or 0.0 for n in self.nodes) or 1.0
        share = (node.time_ms or 0.0) / total
        self.view.setToolTip(f"{node.name} ({node.type}): {node.time_ms:.2f} ms, {share:.0%} of the pass")

    def restyle(self) -> None:
        """Colours and fonts."""
        style_view(self.view, self.colours)
        style_plot(self.plot, self.colours, plot_font(self), grid=(False, True))
        self.axis.picture = None
        if self.result is not None:
            self.show_result(self.result)
