"""The main window as the lessons see it: a protocol, so they need not import the window that creates them."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from ..panels.compare import ComparePanel
from ..run.window import RunUi
from ..shell import Shell


class LessonHost(Shell, Protocol):
    """What a lesson step may use: the shell, the run UI (results docks by key), and the Compare panel."""

    run_ui: RunUi
    compare_dock: QDockWidget

    @property
    def compare_panel(self) -> ComparePanel: ...

    def addAction(self, action: QAction) -> None: ...  # Qt's names from here on
    def splitDockWidget(
        self, first: QDockWidget, second: QDockWidget, orientation: Qt.Orientation
    ) -> None: ...
