"""Activation thumbnails pinned beside the node cards: a small picture of what each node made of the input.

Each thumbnail is a child item of its card (so it moves with it) placed left of the card, where the skip
connections (which swing round the right) never run; when another card sits there it goes right, or is left
out. The layer finds the cards through the scene's `nodes` mapping and keeps no item of its own between
refreshes, so cards removed or rebuilt by the scene never leave a dangling thumbnail behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .. import colours
from ..run.display import thumbnail_rgb
from .node_item import NodeItem
from .scene import CanvasScene
from .style import CARD_HEIGHT, CARD_WIDTH

if TYPE_CHECKING:
    import numpy as np

    from ...results.run import ForwardResult, NodeRecord  # annotations only: loaded after the first paint

SIZE = 92.0
"""Side of a thumbnail in scene units (the card is 118 high)."""
MARGIN = 14.0
STALE_OPACITY = 0.35


def to_qimage(rgb: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 array as a QImage that owns its pixels."""
    import numpy as np

    data = np.ascontiguousarray(rgb)
    h, w = data.shape[:2]
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class ActivationThumbnail(QGraphicsItem):
    """A framed picture of one node's output; greyed with a 'stale' tag when the run no longer matches."""

    def __init__(self, image: QImage, tooltip: str, parent: NodeItem) -> None:
        super().__init__(parent)
        self.image = image
        self.stale = False
        self.setToolTip(tooltip)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the canvas's own gestures stay in charge
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_image(self, image: QImage, tooltip: str) -> None:
        """Show another picture (the same one again changes nothing: its cached rendering still holds)."""
        if image is self.image:
            return
        self.image = image
        self.setToolTip(tooltip)
        self.update()

    def set_stale(self, stale: bool) -> None:
        """Grey the picture (stale: run again)."""
        if stale != self.stale:
            self.stale = stale
            self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-2.0, -2.0, SIZE + 4.0, SIZE + 4.0)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        rect = QRectF(0.0, 0.0, SIZE, SIZE)
        target = _fit(rect, self.image.width(), self.image.height())
        painter.save()
        if self.stale:
            painter.setOpacity(STALE_OPACITY)
        painter.drawImage(target, self.image)  # nearest pixels: a 7x7 map should look like 7x7 values
        painter.setOpacity(1.0)
        frame = QColor(128, 128, 128) if self.stale else QColor(20, 20, 20, 170)
        pen = QPen(frame, 1.5)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target)
        if self.stale:
            font = QFont(painter.font())
            font.setPixelSize(13)
            font.setBold(True)
            painter.setFont(font)
            tag = QRectF(target.left(), target.bottom() - 20.0, target.width(), 20.0)
            painter.fillRect(tag, QColor(90, 90, 90, 210))
            painter.setPen(QColor(colours.ON_DARK))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, "stale")
        painter.restore()


def _fit(rect: QRectF, w: int, h: int) -> QRectF:
    """The largest rectangle of the image's aspect inside `rect`, centred."""
    if w <= 0 or h <= 0:
        return rect
    scale = min(rect.width() / w, rect.height() / h)
    fw, fh = w * scale, h * scale
    return QRectF(rect.center().x() - fw / 2, rect.center().y() - fh / 2, fw, fh)


def thumbnail_tooltip(node: NodeRecord) -> str:
    """What a thumbnail shows, in words."""
    what = (
        "the image"
        if node.preview is not None and node.preview.ndim == 3
        else (f"the mean over its {node.channels} channels")
    )
    text = f"{node.name}: {what}"
    if node.stats is not None:
        s = node.stats
        text += f"\nmean {s.mean:.3g}, std {s.std:.3g}, {s.zero_fraction:.0%} zeros"
    return text + "\nSelect the block to see every channel in the Activations panel."


class ThumbnailLayer(QObject):
    """Puts a thumbnail beside every card that has a captured map in the current run."""

    def __init__(self, scene: CanvasScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.visible = True
        self.affected: frozenset[str] = frozenset()
        """Nodes whose thumbnails no longer match the network (greyed)."""
        self.result: ForwardResult | None = None
        self._images: dict[str, tuple[QImage, str]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        graph = scene.document.graph
        graph.node_added.connect(self._later)
        graph.node_changed.connect(self._moved)
        scene.document.reloaded.connect(self._later)

    def detach(self) -> None:
        """Stop following the graph (the window is closing)."""
        graph = self.scene.document.graph
        graph.node_added.disconnect(self._later, missing_ok=True)
        graph.node_changed.disconnect(self._moved, missing_ok=True)

    def show_result(self, result: ForwardResult | None) -> None:
        """Thumbnails for a new run (None removes them)."""
        self.result = result
        self._images.clear()
        if result is not None:
            for node in result.nodes:
                rgb = thumbnail_rgb(node)
                if rgb is not None:
                    self._images[node.node_id] = (to_qimage(rgb), thumbnail_tooltip(node))
        self.refresh()

    def set_visible(self, on: bool) -> None:
        """Show or hide every thumbnail (View > Show Activation Thumbnails)."""
        self.visible = on
        self.refresh()

    def set_affected(self, affected: frozenset[str]) -> None:
        """Grey the thumbnails of the nodes an edit can have changed (the others still hold). Only the marks
        change: the pictures and their places are as they were."""
        self.affected = affected
        for node_id, card in self.scene.nodes.items():
            for item in card.childItems():
                if isinstance(item, ActivationThumbnail):
                    item.set_stale(node_id in affected)

    def items(self) -> list[ActivationThumbnail]:
        """The thumbnails on the canvas now."""
        found = []
        for card in self.scene.nodes.values():
            found.extend(c for c in card.childItems() if isinstance(c, ActivationThumbnail))
        return found

    def refresh(self) -> None:
        """Bring every card's thumbnail in line with the result, the toggle and the layout."""
        for node_id, card in self.scene.nodes.items():
            existing = [c for c in card.childItems() if isinstance(c, ActivationThumbnail)]
            entry = self._images.get(node_id) if self.visible else None
            place = self._place(card) if entry is not None else None
            if entry is None or place is None:
                for item in existing:
                    item.setParentItem(None)
                    self.scene.removeItem(item)
                continue
            image, tooltip = entry
            item = existing[0] if existing else ActivationThumbnail(image, tooltip, card)
            if existing:
                item.set_image(image, tooltip)
            item.setPos(place)
            item.set_stale(node_id in self.affected)

    def _place(self, card: NodeItem) -> QPointF | None:
        """Left of the card, or right of it when another card is in the way; None when both are taken."""
        top = (CARD_HEIGHT - SIZE) / 2
        for x in (-SIZE - MARGIN, CARD_WIDTH + MARGIN):
            local = QRectF(x - 2.0, top - 2.0, SIZE + 4.0, SIZE + 4.0)
            area = card.mapRectToScene(local)
            blocked = any(
                isinstance(other, NodeItem) and other is not card for other in self.scene.items(area)
            )
            if not blocked:
                return QPointF(x, top)
        return None

    def _later(self, *_args: object) -> None:
        self._timer.start(0)

    def _moved(self, old: object, new: object) -> None:
        if getattr(old, "position", None) != getattr(new, "position", None):
            self._timer.start(50)  # a card moved next to another: place the thumbnails again
