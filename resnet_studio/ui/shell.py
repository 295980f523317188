"""The main window as its parts (menus, the run UI, the result docks) see it: a protocol, so they need not import
the window that creates them (which would make an import circle)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDockWidget, QMenuBar, QStatusBar, QToolBar, QWidget

from .actions import WindowActions
from .canvas import CanvasView
from .document import Document
from .files import FileController
from .first_paint import FirstPaint
from .settings_store import SettingsStore


class Shell(Protocol):
    """The main window: its document, canvas, actions, files, settings, docks and status bar."""

    actions: WindowActions  # type: ignore[assignment]  # the window's named actions (shadows QWidget.actions)
    document: Document
    canvas: CanvasView
    files: FileController
    first_paint: FirstPaint
    store: SettingsStore
    toolbar: QToolBar
    palette_dock: QDockWidget
    inspector_dock: QDockWidget
    problems_dock: QDockWidget
    summary_dock: QDockWidget
    compare_dock: QDockWidget
    lesson_dock: QDockWidget

    def show_status(self, text: str) -> None: ...
    def add_dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget: ...
    def menuBar(self) -> QMenuBar: ...  # Qt's names from here on
    def statusBar(self) -> QStatusBar: ...
    def addToolBar(self, area: Qt.ToolBarArea, toolbar: QToolBar) -> None: ...
    def addToolBarBreak(self, area: Qt.ToolBarArea) -> None: ...
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...
    def resizeDocks(
        self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation
    ) -> None: ...
    def height(self) -> int: ...
    def palette(self) -> QPalette: ...
