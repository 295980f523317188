"""A stage's label on the canvas: 'layer2' over '4 blocks, 128 ch, 28x28', on the flow line above its first card."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...core.layout import CARD_WIDTH, STAGE_BAND
from .guard import guarded
from .style import CanvasStyle

OVERHANG = 44.0
"""How far the label reaches past its column's cards on each side."""
ABOVE = 14.0
"""Free space between the band's top and the label (the flow line shows there)."""
BELOW = 22.0
"""Free space between the label and the card (room for the arrow into the card)."""
HEIGHT = STAGE_BAND - ABOVE - BELOW


class StageLabelItem(QGraphicsItem):
    """Draws one stage's name and what it holds; the scene places it above the stage's first card."""

    def __init__(self, name: str, style: CanvasStyle) -> None:
        super().__init__()
        self.name = name
        self.caption = ""
        self._style = style
        self._fonts = self._make_fonts()
        self.setZValue(0.8)  # over the edges (the flow passes under it), under the cards
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    @property
    def text(self) -> str:
        """The label in one line: 'layer2: 4 blocks, 128 ch, 28x28'."""
        return f"{self.name}: {self.caption}" if self.caption else self.name

    def set_caption(self, caption: str) -> None:
        """Show what the stage holds now (from the live analysis)."""
        if caption != self.caption:
            self.caption = caption
            self.setToolTip(self.text)
            self.update()

    def set_style(self, style: CanvasStyle) -> None:
        """Repaint with another theme or presentation mode."""
        self._style = style
        self._fonts = self._make_fonts()
        self.update()

    def place_above(self, card_top_left: QPointF) -> None:
        """Sit in the band above a card whose top-left corner is here."""
        self.setPos(card_top_left.x() - OVERHANG, card_top_left.y() - STAGE_BAND + ABOVE)

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, CARD_WIDTH + 2 * OVERHANG, HEIGHT)

    def _make_fonts(self) -> tuple[QFont, QFont]:
        title = QFont(self._style.title_font)
        title.setPixelSize(round(HEIGHT * 0.38))
        detail = QFont(self._style.body_font)
        detail.setPixelSize(round(HEIGHT * 0.34))
        return title, detail

    def fitted_fonts(self) -> tuple[QFont, QFont]:
        """The fonts, shrunk until both lines fit the label's width (nothing is ever cut off)."""
        room = CARD_WIDTH + 2 * OVERHANG - 16.0
        fitted = []
        for font, text in zip(self._fonts, (self.name, self.caption)):
            width = QFontMetricsF(font).horizontalAdvance(text)
            if width > room:
                font = QFont(font)
                font.setPixelSize(max(6, int(font.pixelSize() * room / width)))
            fitted.append(font)
        return fitted[0], fitted[1]

    @guarded
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s = self._style
        rect = self.boundingRect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(s.card_border, s.border_width))
        painter.setBrush(QBrush(s.badge if not s.dark else s.card))
        painter.drawRoundedRect(rect, rect.height() / 2.6, rect.height() / 2.6)
        title, detail = self.fitted_fonts()
        half = rect.height() / 2
        painter.setPen(s.text)
        painter.setFont(title)
        painter.drawText(rect.adjusted(8, 3, -8, -half + 2), Qt.AlignmentFlag.AlignCenter, self.name)
        painter.setPen(s.muted)
        painter.setFont(detail)
        painter.drawText(rect.adjusted(8, half - 2, -8, -3), Qt.AlignmentFlag.AlignCenter, self.caption)
