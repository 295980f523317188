"""The result docks (Activations, Depth, Timing, Output), each holding its panel once it is built.

Panels are built when their dock is first looked at, or one by one in idle time soon after start-up: the window
appears without waiting for pyqtgraph (a fifth of a second to import), and a run's result does not wait for
panels to be made. A panel built after a run takes up the controller's current result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

from ..document import Document
from ..shell import Shell
from .controller import RunController

if TYPE_CHECKING:
    from ..panels.result_panel import ResultPanel

PREBUILD_DELAY_MS = 400
"""Panels not yet seen are built this long after the window was made, one per turn of the event loop."""

PanelFactory = Callable[[Document, RunController, QAction, QWidget], "ResultPanel"]


def _activations(d: Document, c: RunController, run: QAction, parent: QWidget) -> ResultPanel:
    from ..panels.activations import ActivationsPanel

    return ActivationsPanel(d, c, run, parent)


def _depth(d: Document, c: RunController, run: QAction, parent: QWidget) -> ResultPanel:
    from ..panels.depth import DepthPanel

    return DepthPanel(d, c, run, parent)


def _timing(d: Document, c: RunController, run: QAction, parent: QWidget) -> ResultPanel:
    from ..panels.timing import TimingPanel

    return TimingPanel(d, c, run, parent)


def _output(d: Document, c: RunController, run: QAction, parent: QWidget) -> ResultPanel:
    from ..panels.output import OutputPanel

    return OutputPanel(d, c, run, parent)


DOCKS: tuple[tuple[str, str, PanelFactory], ...] = (
    ("Activations", "ActivationsDock", _activations),
    ("Depth", "DepthDock", _depth),
    ("Timing", "TimingDock", _timing),
    ("Output", "OutputDock", _output),
)


class PanelSlot(QWidget):
    """A dock's content: empty until its panel is built."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel: ResultPanel | None = None
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)


class ResultDocks(QObject):
    """The four result docks, tabbed with the Summary, and their panels (built when needed)."""

    def __init__(self, window: Shell, controller: RunController) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.docks: list[QDockWidget] = []
        self._slots: list[PanelSlot] = []
        self._factories: list[PanelFactory] = []
        previous = window.summary_dock
        for title, name, factory in DOCKS:
            slot = PanelSlot(window)
            dock = window.add_dock(title, name, slot, Qt.DockWidgetArea.BottomDockWidgetArea)
            window.tabifyDockWidget(previous, dock)
            previous = dock
            index = len(self.docks)
            dock.visibilityChanged.connect(lambda shown, i=index: self._dock_shown(i, shown))
            self.docks.append(dock)
            self._slots.append(slot)
            self._factories.append(factory)
        QTimer.singleShot(PREBUILD_DELAY_MS, self, self._build_next)

    def panel(self, index: int) -> ResultPanel:
        """The panel of dock `index` (built now if it was not yet)."""
        return self._build(index, not self.docks[index].visibleRegion().isEmpty())

    def built(self) -> list[ResultPanel]:
        """The panels built so far."""
        return [s.panel for s in self._slots if s.panel is not None]

    def _build(self, index: int, shown: bool) -> ResultPanel:
        slot = self._slots[index]
        if slot.panel is None:
            w = self.window
            panel = self._factories[index](w.document, self.controller, w.actions.run, slot)
            slot.box.addWidget(panel)
            slot.panel = panel
            panel.node_activated.connect(w.reveal_node)
            panel.follow_dock(self.docks[index], shown)
        return slot.panel

    def _dock_shown(self, index: int, shown: bool) -> None:
        if shown:
            self._build(index, True)

    def _build_next(self) -> None:
        for index, slot in enumerate(self._slots):
            if slot.panel is None:
                self.panel(index)
                QTimer.singleShot(0, self, self._build_next)
                return
