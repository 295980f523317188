"""Work that the window's first paint does not need, held back until that paint has happened.

A timer started when the window is made is no good for this: on a slow or busy machine the window takes longer
than the timer to appear, and the work (importing pyqtgraph, loading torch on a worker) then competes with it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

HIDDEN_FALLBACK_MS = 3000
"""A window that is still hidden this long after it was made (tests, scripts) runs its held work anyway."""


class FirstPaint(QObject):
    """Runs callbacks a given time after `window` first painted (or, if it is never shown, after a while)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._held: list[tuple[int, Callable[[], object]]] = []
        self.painted = False
        """True once the window has painted (or the fallback for a hidden window ran)."""
        window.installEventFilter(self)
        QTimer.singleShot(HIDDEN_FALLBACK_MS, self, self._if_hidden)

    def later(self, delay_ms: int, callback: Callable[[], object]) -> None:
        """Call `callback` on the GUI thread `delay_ms` after the first paint (from now, if it was)."""
        if self.painted:
            QTimer.singleShot(delay_ms, self, callback)
        else:
            self._held.append((delay_ms, callback))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.painted and watched is self._window and event.type() == QEvent.Type.Paint:
            self._release()
        return False

    def _if_hidden(self) -> None:
        if not self.painted and not self._window.isVisible():
            self._release()

    def _release(self) -> None:
        self.painted = True
        self._window.removeEventFilter(self)
        held, self._held = self._held, []
        for delay_ms, callback in held:
            QTimer.singleShot(delay_ms, self, callback)
