"""A progress bar that repaints with the rest of the window.

QProgressBar.setValue repaints at once whenever the shown text or bar moves, and in Qt 6 an immediate repaint
of one widget paints everything else dirty in the window with it: called from each progress signal of a run, it
drew the result panels' plots in the middle of the signal. This bar draws the same native control, but only
asks for an update, so the window paints once, between events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionProgressBar

# QStyle and its options are imported when a bar is first measured or drawn: making their Python types (with a
# few hundred enum members) costs milliseconds that the window's first paint does not need.


class ProgressBar(QWidget):
    """The style's progress bar, with a percentage text, updated without an immediate repaint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._minimum, self._maximum, self._value = 0, 100, 0
        self._format = "%p%"
        self._text_visible = True
        self._shown = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def setRange(self, minimum: int, maximum: int) -> None:
        """The values at the empty and the full bar."""
        self._minimum, self._maximum = minimum, max(minimum, maximum)
        self.setValue(self._value)

    def minimum(self) -> int:
        """The value at the empty bar."""
        return self._minimum

    def maximum(self) -> int:
        """The value at the full bar."""
        return self._maximum

    def setValue(self, value: int) -> None:
        """Move the bar (clamped to the range); it is drawn with the window's next paint."""
        value = max(self._minimum, min(self._maximum, int(value)))
        if value != self._value:
            self._value = value
            self.update()

    def value(self) -> int:
        """Where the bar is."""
        return self._value

    def reset(self) -> None:
        """Back to the empty bar."""
        self.setValue(self._minimum)

    def setFormat(self, text: str) -> None:
        """The text on the bar: %p is the percentage, %v the value, %m the maximum."""
        self._format = text
        self.update()

    def setTextVisible(self, visible: bool) -> None:
        """Whether the bar shows its text."""
        self._text_visible = visible
        self.update()

    def text(self) -> str:
        """The text the bar shows now."""
        span = self._maximum - self._minimum
        percent = round(100 * (self._value - self._minimum) / span) if span else 100
        return (
            self._format.replace("%p", str(percent))
            .replace("%v", str(self._value))
            .replace("%m", str(self._maximum))
        )

    def _option(self) -> QStyleOptionProgressBar:
        from PySide6.QtWidgets import QStyle, QStyleOptionProgressBar

        option = QStyleOptionProgressBar()
        option.initFrom(self)
        option.minimum, option.maximum, option.progress = self._minimum, self._maximum, self._value
        option.text = self.text()
        option.textVisible = self._text_visible
        option.textAlignment = Qt.AlignmentFlag.AlignCenter
        option.state |= QStyle.StateFlag.State_Horizontal
        return option

    def sizeHint(self) -> QSize:
        """As tall as a line of text with the style's frame."""
        metrics = self.fontMetrics()
        content = QSize(metrics.horizontalAdvance("0") * 10, metrics.height() + 4)
        if not self._shown:  # the style measures it once it is shown (see the note on the imports above)
            return content
        from PySide6.QtWidgets import QStyle

        return self.style().sizeFromContents(
            QStyle.ContentsType.CT_ProgressBar, self._option(), content, self
        )

    def minimumSizeHint(self) -> QSize:
        """As tall as the size hint."""
        return QSize(self.fontMetrics().horizontalAdvance("0") * 4, self.sizeHint().height())

    def showEvent(self, event: QShowEvent) -> None:
        """Measured by the style from now on."""
        if not self._shown:
            self._shown = True
            self.updateGeometry()
        super().showEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """The style's progress bar control."""
        from PySide6.QtWidgets import QStyle

        painter = QPainter(self)
        self.style().drawControl(QStyle.ControlElement.CE_ProgressBar, self._option(), painter, self)
        painter.end()
