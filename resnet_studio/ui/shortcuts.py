"""Undo and Redo from every focus: a field that has nothing of its own to undo hands the keys to the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QWidget


def _field_keeps(widget: QWidget, redo: bool) -> bool:
    """True when the focused field should handle Undo/Redo itself (it has typing of its own to take back)."""
    if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
        return False  # a number or a choice: its value is the document's, so undo is the document's
    if isinstance(widget, QLineEdit):
        return widget.isRedoAvailable() if redo else widget.isUndoAvailable()
    return False


_SHORTCUT_OVERRIDE = QEvent.Type.ShortcutOverride


class UndoRedoRouter(QObject):
    """Watches the application's ShortcutOverride events for the window's Undo and Redo keys.

    Spin boxes and combo boxes (the inspector's parameters) claim Ctrl+Z for their text and then do nothing
    visible; this lets the keys reach the window's actions instead, so the last edit is undone from any focus.
    A text field with typing to undo keeps its own undo.
    """

    def __init__(self, window: QWidget, undo: QAction, redo: QAction) -> None:
        super().__init__(window)
        self.window = window
        self.undo, self.redo = undo, redo
        self.watching = False
        """True once the application's events pass here (watch())."""

    def watch(self) -> None:
        """Start watching the application's events. The window calls it after its first paint: every event of
        every object passes a filter on the application, and the first of each kind costs the bindings a type
        lookup (a tenth of the start-up, were it watching from the start)."""
        if not self.watching:
            app = QApplication.instance()
            assert app is not None
            app.installEventFilter(self)
            self.watching = True

    def _which(self, event: QKeyEvent) -> QAction | None:
        pressed = QKeySequence(event.keyCombination())
        for action in (self.undo, self.redo):
            if any(
                key.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for key in action.shortcuts()
            ):
                return action
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != _SHORTCUT_OVERRIDE or not isinstance(event, QKeyEvent):
            return False  # every event of the application passes here: the common case stays short
        focus = QApplication.focusWidget()
        if focus is None or focus.window() is not self.window:
            return False
        if watched is not focus and not (isinstance(watched, QWidget) and watched.isAncestorOf(focus)):
            return False  # the event travels from the focus up through its parents: stop it on every step
        action = self._which(event)
        if action is None or _field_keeps(focus, redo=action is self.redo):
            return False
        event.ignore()
        return True  # not overridden: the window's shortcut runs
