"""The legend of the canvas tint: a colour bar from 'far less gradient than the last block' (blue) through 'as
much' (no tint) to 'far more' (vermillion), with what it measures."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ..canvas.gradient_tint import DECADES, tint_colour

CAPTION = (
    "<b>Card tint</b>: the gradient reaching each block's output, against the last block's before the head"
)
TICKS = ((-DECADES, "1/1000"), (0.0, "same"), (DECADES, "1000x"))


class TintLegend(QWidget):
    """A caption over a colour bar with three labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(CAPTION, self)
        self.caption.setWordWrap(True)
        self.bar = TintBar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.bar)
        self.setToolTip(
            "Blue: the block gets far less gradient than the last block (vanishing); vermillion: far more "
            "(exploding); no tint: about as much. Hover over a card for its figures."
        )


class TintBar(QWidget):
    """The colour bar from 1/1000 through 'same' to 1000x."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(260, round(line + 18))

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        dark = self.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5
        line = self.fontMetrics().height()
        bar = QRectF(4, 2, self.width() - 8, 12)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        base = self.palette().color(QPalette.ColorRole.Base)
        for position, decades in ((0.0, -DECADES), (0.5, 0.0), (1.0, DECADES)):
            gradient.setColorAt(position, _over(base, tint_colour(decades, dark)))
        painter.fillRect(bar, gradient)
        painter.setPen(QColor(text))
        painter.drawRect(bar)
        for decades, label in TICKS:
            x = bar.left() + bar.width() * (decades + DECADES) / (2 * DECADES)
            align = (
                Qt.AlignmentFlag.AlignLeft
                if decades < 0
                else Qt.AlignmentFlag.AlignRight
                if decades > 0
                else Qt.AlignmentFlag.AlignHCenter
            )
            width = 80.0
            left = x if decades < 0 else x - width if decades > 0 else x - width / 2
            painter.drawText(QRectF(left, bar.bottom() + 2, width, line), align, label)
        painter.end()


def _over(base: QColor, wash: QColor) -> QColor:
    """The wash painted over the card colour, as one opaque colour."""
    a = (
        wash.alphaF() * 1.6
    )  # the bar shows the colour a little stronger than a card wash, to be read at a glance
    a = min(a, 1.0)
    return QColor.fromRgbF(
        base.redF() * (1 - a) + wash.redF() * a,
        base.greenF() * (1 - a) + wash.greenF() * a,
        base.blueF() * (1 - a) + wash.blueF() * a,
    )
