"""The feature-map grid: one page of channels tiled into ONE image (not a widget per channel), with paging
through every channel, fixed colour levels per node, and a click that picks a channel."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...results.run import NodeRecord
from ..run.display import GAP, Levels, colour_table, grid_columns, mosaic, tile_at
from .plots import PlotColours, style_view

PAGE_SIZES = (16, 64, 256)
DEFAULT_PAGE_SIZE = 64
CACHE_LIMIT = 48
"""Mosaics kept (per node, page and layout): switching back and forth between nodes redraws from here."""


class MosaicImage(pg.ImageItem):
    """The tiled image; reports the tile under a click and describes the one under the cursor."""

    def __init__(self) -> None:
        super().__init__()
        self.tile_shape = (1, 1)
        self.columns = 1
        self.first = 0
        self.count = 0
        self.on_click: Callable[[int], None] | None = None
        self.describe: Callable[[int], str] | None = None

    def tile(self, x: float, y: float) -> int | None:
        """The channel (absolute index) under an image point, or None."""
        index = tile_at(x, y, self.tile_shape, self.columns)
        if index is None or index >= self.count:
            return None
        return self.first + index

    def mouseClickEvent(self, ev: object) -> None:
        pos = ev.pos()  # type: ignore[attr-defined]
        channel = self.tile(pos.x(), pos.y())
        if channel is not None and self.on_click is not None and ev.button() == Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            ev.accept()  # type: ignore[attr-defined]
            self.on_click(channel)

    def hoverEvent(self, ev: object) -> None:
        if ev.isExit():  # type: ignore[attr-defined]
            self.setToolTip("")
            return
        pos = ev.pos()  # type: ignore[attr-defined]
        channel = self.tile(pos.x(), pos.y())
        self.setToolTip(self.describe(channel) if channel is not None and self.describe else "")


class FeatureGrid(QWidget):
    """A page of channels as one mosaic, with page controls; clicking a tile picks that channel."""

    channel_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node: NodeRecord | None = None
        self.levels = Levels(0.0, 1.0, False)
        self.page_size = DEFAULT_PAGE_SIZE
        self.first = 0
        self.channel: int | None = None
        self._cache: dict[tuple[object, ...], np.ndarray] = {}
        self.view = pg.GraphicsLayoutWidget(self)
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.box.setMouseEnabled(x=True, y=True)
        self.image = MosaicImage()
        self.image.on_click = self.channel_clicked.emit
        self.image.describe = self._describe
        self.box.addItem(self.image)
        self.marker = QGraphicsRectItem()
        self.marker.setZValue(10)
        self.box.addItem(self.marker)
        self.marker.hide()
        self.range_label = QLabel(self)
        self.range_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.range_label.setToolTip("The channels on this page (Page Up / Page Down turn pages)")
        self.previous = QToolButton(self)
        self.previous.setArrowType(Qt.ArrowType.LeftArrow)
        self.previous.setToolTip("Previous channels (Page Up)")
        self.previous.setAutoRepeat(True)
        self.previous.clicked.connect(lambda: self.turn(-1))
        self.next = QToolButton(self)
        self.next.setArrowType(Qt.ArrowType.RightArrow)
        self.next.setToolTip("Next channels (Page Down)")
        self.next.setAutoRepeat(True)
        self.next.clicked.connect(lambda: self.turn(1))
        self.per_page = QComboBox(self)
        self.per_page.setAccessibleName("Channels per page")
        for size in PAGE_SIZES:
            self.per_page.addItem(f"{size} per page", size)
        self.per_page.setCurrentIndex(PAGE_SIZES.index(DEFAULT_PAGE_SIZE))
        self.per_page.currentIndexChanged.connect(self._page_size_chosen)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.previous)
        controls.addWidget(self.range_label, 1)
        controls.addWidget(self.next)
        controls.addWidget(self.per_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)

    # --- content ----------------------------------------------------------------------------------------------

    def clear_cache(self) -> None:
        """Forget cached mosaics (a new run arrived)."""
        self._cache.clear()

    def set_colours(self, colours: PlotColours) -> None:
        """Background and marker colours from the palette."""
        style_view(self.view, colours)
        pen = QPen(QColor(colours.highlight))
        pen.setWidthF(3.0)
        pen.setCosmetic(True)
        self.marker.setPen(pen)

    def show_node(self, node: NodeRecord, levels: Levels, channel: int | None = None) -> None:
        """Show a node's maps, on the page that holds `channel` (the first page when None)."""
        self.node, self.levels = node, levels
        first = 0
        if channel is not None and node.kept_channels:
            channel = min(channel, node.kept_channels - 1)
            first = (channel // self.page_size) * self.page_size
        self.channel = channel
        self._show_page(first, reset_view=True)

    def turn(self, pages: int) -> None:
        """Go `pages` pages forward (or back)."""
        if self.node is None:
            return
        last = max(0, (self.node.kept_channels - 1) // self.page_size * self.page_size)
        first = min(max(0, self.first + pages * self.page_size), last)
        if first != self.first:
            self._show_page(first, reset_view=True)

    def set_channel(self, channel: int | None) -> None:
        """Mark a channel (turning to its page when needed)."""
        self.channel = channel
        if (
            self.node is not None
            and channel is not None
            and not (self.first <= channel < self.first + self.page_size)
        ):
            self._show_page((channel // self.page_size) * self.page_size, reset_view=True)
        else:
            self._place_marker()

    def _page_size_chosen(self, _index: int) -> None:
        self.page_size = int(self.per_page.currentData())
        if self.node is not None:
            anchor = self.channel if self.channel is not None else self.first
            self._show_page((anchor // self.page_size) * self.page_size, reset_view=True)

    def _columns(self, count: int) -> int:
        h, w = self.image.tile_shape
        size = self.view.size()
        aspect = (size.width() / max(size.height(), 1)) * (h + GAP) / (w + GAP) if size.height() > 0 else 1.0
        return grid_columns(count, aspect)

    def _show_page(self, first: int, reset_view: bool) -> None:
        node = self.node
        if node is None or node.values is None or node.values.ndim != 3:
            return
        values = node.values
        count = max(0, min(self.page_size, values.shape[0] - first))
        self.first = first
        self.image.tile_shape = (int(values.shape[1]), int(values.shape[2]))
        columns = self._columns(count)
        key = (id(node), first, count, columns)
        image = self._cache.get(key)
        if image is None:
            image = mosaic(values, first, count, columns)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = image
        self.image.columns, self.image.first, self.image.count = columns, first, count
        self.image.setLookupTable(colour_table(self.levels.signed))
        self.image.setImage(image, autoLevels=False, levels=self.levels.as_tuple())
        if reset_view:
            self.box.autoRange(padding=0.01)
        total = node.channels
        kept = node.kept_channels
        text = f"{first + 1}–{first + count} of {total}" if count else "No channels"
        if kept < total:
            text += f" ({kept} kept)"
        self.range_label.setText(text)
        self.previous.setEnabled(first > 0)
        self.next.setEnabled(first + count < kept)
        self._place_marker()

    def _place_marker(self) -> None:
        channel = self.channel
        if channel is None or not (self.first <= channel < self.first + self.image.count):
            self.marker.hide()
            return
        h, w = self.image.tile_shape
        row, col = divmod(channel - self.first, self.image.columns)
        self.marker.setRect(QRectF(col * (w + GAP) - 0.5, row * (h + GAP) - 0.5, w + 1.0, h + 1.0))
        self.marker.show()

    def _describe(self, channel: int) -> str:
        node = self.node
        if node is None or node.values is None:
            return ""
        data = node.values[channel]
        finite = data[np.isfinite(data)]
        if finite.size == 0:
            return f"channel {channel}: no finite values"
        zeros = float(np.count_nonzero(finite == 0)) / finite.size
        return (
            f"channel {channel}: mean {finite.mean():.3g}, max {finite.max():.3g}, "
            f"{zeros:.0%} zeros — click to see it at full size"
        )

    def image_array(self) -> np.ndarray | None:
        """The mosaic shown now (for tests and the benchmark)."""
        return self.image.image
