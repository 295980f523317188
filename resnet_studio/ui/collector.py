"""Garbage collection on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a threshold is crossed. On a worker
thread it can free Qt wrappers (a plot's menu, a widget) whose C++ destructors take locks that the GUI thread
holds while it waits for the GIL: the app deadlocks. So while a window is open the automatic collector is off and
this object collects instead, on the GUI thread, between events, by the same thresholds Python would use.

A full pass over a heap with torch, numpy, Qt and pyqtgraph takes a third of a second here, far too long for the
GUI thread: so once the window is up, and once more when the engine has loaded, everything alive is frozen
(gc.freeze, which moves objects aside without walking them), and later passes walk only what came since.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

INTERVAL_MS = 200
"""How often the GUI thread looks whether a collection is due."""


class GuiCollector(QObject):
    """Collects cyclic garbage on the GUI thread while at least one window holds it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._holders = 0
        self._owners: set[int] = set()
        self._was_enabled = gc.isenabled()
        self._frozen: set[str] = set()
        self.collections = [0, 0, 0]
        """Collections run here, by generation (tests read it)."""
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)

    def acquire(self) -> None:
        """A window opened: collect here from now on."""
        if self._holders == 0:
            self._was_enabled = gc.isenabled()
            gc.disable()
            self._timer.start()
        self._holders += 1

    def release(self) -> None:
        """A window closed: when none is left, collect once more and give the collector back to Python."""
        if self._holders == 0:
            return
        self._holders -= 1
        if self._holders == 0:
            self._timer.stop()
            gc.collect()
            if self._was_enabled:
                gc.enable()

    def hold(self, owner: QObject) -> None:
        """Collect here while `owner` (a window) lives; let_go(owner) or its destruction ends that."""
        key = id(owner)
        if key in self._owners:
            return
        self._owners.add(key)
        self.acquire()
        owner.destroyed.connect(lambda _=None, k=key: self._let_go_key(k))

    def let_go(self, owner: QObject) -> None:
        """`owner` closed: it no longer needs the collector."""
        self._let_go_key(id(owner))

    def _let_go_key(self, key: int) -> None:
        if key in self._owners:
            self._owners.discard(key)
            self.release()

    @property
    def active(self) -> bool:
        """True while the automatic collector is off and this one collects."""
        return self._holders > 0

    def collect_due(self) -> int:
        """Run the collection Python would have run by now, if any; returns the generation (-1 for none)."""
        count0, count1, count2 = gc.get_count()
        threshold0, threshold1, threshold2 = gc.get_threshold()
        if count0 < threshold0:
            return -1
        generation = 0
        if count1 >= threshold1:
            generation = 1
            if count2 >= threshold2:
                generation = 2
        gc.collect(generation)
        self.collections[generation] += 1
        return generation

    def settle(self, stage: str) -> None:
        """Freeze everything alive now, once per stage ('window', 'engine'): later passes skip it."""
        if stage not in self._frozen:
            self._frozen.add(stage)
            gc.freeze()


def collector() -> GuiCollector:
    """The application's collector (made on first use; it lives as long as the QApplication)."""
    app = QApplication.instance()
    assert app is not None, "the collector needs a QApplication"
    found = app.findChild(GuiCollector, "GuiCollector")
    if isinstance(found, GuiCollector):
        return found
    made = GuiCollector(app)
    made.setObjectName("GuiCollector")
    return made
