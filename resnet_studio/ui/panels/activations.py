"""The Activations panel: what the selected node made of the input. A grid of its feature maps (paging
through every channel), one channel at full size, the histogram of its values and its statistics.

It follows the document's selection, so clicking through the blocks on the canvas walks through the
network. Everything it draws for a node is cached until the next run, so switching nodes is quick.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QStackedWidget, QWidget

from ...core.catalogue import Role, role_of
from ...core.shapes import format_shape
from ...results.run import ForwardResult, NodeRecord
from ..document import Document
from ..run.controller import RunController
from ..run.display import Levels, levels_for
from .activation_views import ChannelView, HistogramView, StatsView, VectorView
from .feature_grid import FeatureGrid
from .plots import plot_font
from .result_panel import ResultPanel


class ActivationsPanel(ResultPanel):
    """Feature maps, one channel, histogram and statistics of the selected node."""

    title_text = "Activations"

    def __init__(
        self,
        document: Document,
        controller: RunController,
        run_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(document, controller, run_action, parent)
        self.node: NodeRecord | None = None
        self.grid = FeatureGrid(self.content)
        self.vector = VectorView(self.content)
        self.note = QLabel(self.content)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.left = QStackedWidget(self.content)
        for widget in (self.grid, self.vector, self.note):
            self.left.addWidget(widget)
        self.channel_view = ChannelView(self.content)
        self.histogram = HistogramView(self.content)
        self.stats = StatsView(self.content)
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.addWidget(self.histogram)
        right.addWidget(self.stats)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 0)
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self.content)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.channel_view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._levels: dict[int, Levels] = {}
        self.grid.channel_clicked.connect(self.set_channel)
        self.channel_view.channel_changed.connect(self.grid.set_channel)
        for key, pages in (
            (QKeySequence.StandardKey.MoveToNextPage, 1),
            (QKeySequence.StandardKey.MoveToPreviousPage, -1),
        ):
            shortcut = QShortcut(key, self, lambda p=pages: self.grid.turn(p))
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        document.selection_changed.connect(self._selection_changed)
        self.finish_setup()

    # --- showing ----------------------------------------------------------------------------------------------

    def show_result(self, result: ForwardResult) -> None:
        """A new run: drop the cached pictures and show the selected node (or the first block)."""
        self.grid.clear_cache()
        self._levels.clear()
        wanted = self._wanted_node(result)
        if wanted is not None:
            self.show_node(wanted)

    def _wanted_node(self, result: ForwardResult) -> NodeRecord | None:
        for node_id in (*self.document.selection, self.node.node_id if self.node else None):
            if node_id is not None:
                found = result.find(node_id)
                if found is not None and found.stats is not None:
                    return found
        captured = result.captured
        blocks = [n for n in captured if role_of(n.type) is not Role.INPUT]
        shown = blocks or list(captured)
        return shown[0] if shown else None

    def show_node(self, node: NodeRecord) -> None:
        """Show one node's maps, histogram and statistics."""
        self.node = node
        self.title.setText(f"Activations: {node.name}")
        shape = format_shape(node.shape)
        time = "" if node.time_ms is None else f" · {node.time_ms:.1f} ms"
        self.subtitle.setText(f"{node.type} · output {shape}{time}")
        if node.stats is None or node.values is None:
            self._note(f"{node.name} has no captured values in this run.")
            return
        levels = self._levels.get(id(node))
        if levels is None:
            levels = self._levels[id(node)] = levels_for(node.stats)
        channel = self.channel_view.channel if self.channel_view.node is not None else 0
        if node.is_map:
            self.left.setCurrentWidget(self.grid)
            self.channel_view.show()
            channel = min(channel, node.kept_channels - 1)
            self.grid.show_node(node, levels, channel)
            self.channel_view.show_node(node, levels, channel)
        else:
            self.left.setCurrentWidget(self.vector)
            self.channel_view.hide()
            self.vector.show_node(node)
        self.histogram.show_node(node)
        self.stats.show_node(node)
        if self.controller.stale:
            self.update_stale()  # another node: stale or not by its own inputs

    def shows_affected(self, affected: frozenset[str]) -> bool:
        """Stale only when the node shown is one the edit can have changed (upstream results still hold)."""
        return self.node is not None and self.node.node_id in affected

    def set_channel(self, channel: int) -> None:
        """Show this channel at full size and mark it in the grid."""
        self.channel_view.set_channel(channel)
        self.grid.set_channel(channel)

    def _note(self, text: str) -> None:
        self.left.setCurrentWidget(self.note)
        self.note.setText(text)
        self.channel_view.hide()

    def _selection_changed(self, ids: tuple[str, ...]) -> None:
        if not ids or self.controller.current is None:
            return
        node = self.controller.current.find(ids[0])
        if node is not None:
            self.show_node(node)
            return
        graph_node = self.document.graph.node(ids[0]) if ids[0] in self.document.graph else None
        if graph_node is not None:
            self.node = None
            self.title.setText(f"Activations: {graph_node.name}")
            self.subtitle.setText("")
            self._note(
                f"{graph_node.name} was not part of the last run (it was added since). Run again to see it."
            )

    # --- look -------------------------------------------------------------------------------------------------

    def restyle(self) -> None:
        """Colours and fonts of every plot."""
        font = plot_font(self)
        c = self.colours
        self.grid.set_colours(c)
        self.channel_view.set_colours(c, font)
        self.histogram.set_colours(c, font)
        self.vector.set_colours(c, font)
        self.stats.restyle()
