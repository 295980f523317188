"""Run progress in the status bar: which node, how far, and a Cancel button. Hidden while nothing runs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from ..progress_bar import ProgressBar
from .controller import RunController

STEPS = 1000


class RunProgress(QWidget):
    """'Running layer2.0 on cpu' [=====     ] [Cancel]."""

    def __init__(self, controller: RunController, cancel: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.label = QLabel(self)
        self.bar = ProgressBar(self)
        self.bar.setRange(0, STEPS)
        self.bar.setTextVisible(True)
        self.bar.setFormat("%p%")
        self.bar.setFixedWidth(self.fontMetrics().horizontalAdvance("0") * 18)
        self.bar.setAccessibleName("Run progress")
        self.cancel = QToolButton(self)
        self.cancel.setDefaultAction(cancel)
        self.cancel.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.setVisible(False)
        controller.running_changed.connect(self._running)
        controller.progress.connect(self.show_progress)

    def _running(self, running: bool) -> None:
        if running:
            device = self.controller.options.device
            self.label.setText(f"Starting on {device}...")
            self.bar.setValue(0)
        self.setVisible(running)

    def show_progress(self, fraction: float, node: str) -> None:
        """Show how far the pass got."""
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * STEPS))
        self.label.setText(f"Running {node} on {self.controller.options.device}")
