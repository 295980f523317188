"""The network totals in the status bar: params, MACs (and FLOPs), activation memory and the problem count."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from ...core.analysis import Analysis
from ...core.analysis.results import Totals
from ...core.units import bytes_text, exact, flops_text, macs_text, params_text
from ..theme import ERROR_COLOUR, WARNING_COLOUR


def totals_text(analysis: Analysis) -> str:
    """'11.69 M params | 1.81 GMACs (3.63 GFLOPs) | activations 31.4 MiB @ batch 1 float32'."""
    t, s = analysis.totals, analysis.settings
    flops = flops_text(t.flops)
    text = (
        f"{params_text(t.params)} params | {macs_text(t.macs)} ({flops}) | "
        f"activations {bytes_text(t.training_bytes)} @ batch {s.batch_size} {s.dtype}"
    )
    return f"partial, {partial_text(t)}: {text}" if t.partial else text


def partial_text(totals: Totals) -> str:
    """'9 of 12 nodes known': how much of the network the sums cover when some of it is unknown."""
    return f"{totals.nodes - totals.unknown} of {totals.nodes} nodes known"


def problems_text(analysis: Analysis) -> str:
    """'2 errors', '1 warning', '2 errors, 1 warning' or 'no problems'."""
    t = analysis.totals
    parts = []
    if t.errors:
        parts.append(f"{t.errors} error{'s' if t.errors != 1 else ''}")
    if t.warnings:
        parts.append(f"{t.warnings} warning{'s' if t.warnings != 1 else ''}")
    return ", ".join(parts) or "no problems"


class ElidedLabel(QLabel):
    """A label that shortens its text with an ellipsis when the window is too narrow (full text as tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        """Show as much of `text` as fits."""
        self._full = text
        self._elide()

    def full_text(self) -> str:
        """The text before shortening."""
        return self._full

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("…") * 8, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 1)))


class ProblemCount(QLabel):
    """The problem count; clicking it shows the Problems panel."""

    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class StatusTotals(QWidget):
    """Permanent status-bar widget; transient messages appear to its left."""

    problems_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.totals = ElidedLabel(self)
        self.problems = ProblemCount(self)
        self.problems.setCursor(Qt.CursorShape.PointingHandCursor)
        self.problems.setToolTip("Show the Problems panel")
        self.problems.clicked.connect(self.problems_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(0)
        layout.addWidget(self.totals)
        self.separator = QLabel("| ", self)
        layout.addWidget(self.separator)
        layout.addWidget(self.problems)

    def text(self) -> str:
        """The whole line as shown."""
        return f"{self.totals.full_text()} | {self.problems.text()}"

    def show_analysis(self, analysis: Analysis) -> None:
        """Show the totals of an analysis."""
        t, s = analysis.totals, analysis.settings
        self.totals.set_full_text(totals_text(analysis))
        partial = (
            f"Partial sums: {t.unknown} node{'s' if t.unknown != 1 else ''} after a problem "
            "have unknown shapes, so they are left out until it is fixed.\n"
            if t.partial
            else ""
        )
        self.totals.setToolTip(
            f"{partial}{exact(t.params)} trainable parameters ({bytes_text(t.param_bytes)} as {s.dtype}), "
            f"{exact(t.buffers)} buffer values\n"
            f"{exact(t.macs)} MACs per sample; FLOPs = 2 x MACs = {exact(t.flops)}\n"
            f"{exact(t.training_bytes)} bytes of activations kept for backward at batch {s.batch_size}"
        )
        self.problems.setText(problems_text(analysis))
        colour = ERROR_COLOUR if t.errors else WARNING_COLOUR if t.warnings else ""
        self.problems.setStyleSheet(f"color: {colour}; font-weight: 600;" if colour else "")
