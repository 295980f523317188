"""Dashed rings around the cards of blocks that differ from another network (the Compare panel's view)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .. import colours
from .guard import guarded
from .node_item import NodeItem
from .scene import CanvasScene
from .style import CARD_HEIGHT, CARD_WIDTH

MARGIN = 5.0


class DifferenceRing(QGraphicsItem):
    """A dashed ring around a card; its tooltip says how the block differs."""

    def __init__(self, reason: str, parent: NodeItem) -> None:
        super().__init__(parent)
        self.reason = reason
        self.setToolTip(f"Differs from the compared network: {reason}")
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(-1)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, CARD_WIDTH, CARD_HEIGHT).adjusted(
            -MARGIN - 3, -MARGIN - 3, MARGIN + 3, MARGIN + 3
        )

    @guarded
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        pen = QPen(QColor(colours.DIFFERENCE), 3.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(False)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = self.boundingRect().adjusted(3, 3, -3, -3)
        painter.drawRoundedRect(rect, 10, 10)


class HighlightLayer(QObject):
    """Marks cards by node id; marks follow the cards and are put back after the scene rebuilds."""

    def __init__(self, scene: CanvasScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.marks: dict[str, str] = {}

    def show(self, marks: dict[str, str]) -> None:
        """Ring these nodes (id -> why they differ), and no others."""
        self.marks = dict(marks)
        self.refresh()

    def clear(self) -> None:
        """Remove every ring."""
        self.show({})

    def rings(self) -> list[DifferenceRing]:
        """The rings on the canvas now."""
        found = []
        for card in self.scene.nodes.values():
            found.extend(c for c in card.childItems() if isinstance(c, DifferenceRing))
        return found

    def refresh(self) -> None:
        """Bring every card's ring in line with the marks."""
        for node_id, card in self.scene.nodes.items():
            existing = [c for c in card.childItems() if isinstance(c, DifferenceRing)]
            reason = self.marks.get(node_id)
            if reason is None:
                for ring in existing:
                    ring.setParentItem(None)
                    self.scene.removeItem(ring)
            elif existing:
                existing[0].reason = reason
                existing[0].setToolTip(f"Differs from the compared network: {reason}")
            else:
                DifferenceRing(reason, card)
