"""The result docks (Activations, Depth, Timing, Output, Gradients, Landscape, Race), each holding its panel once it is built.

Panels are built when their dock is first looked at, or one by one in idle time soon after the window's first
paint: the window appears without waiting for pyqtgraph (a fifth of a second to import), and a run's result does
not wait for panels to be made. A panel built after a run takes up the controller's current result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QVBoxLayout, QWidget

from ..document import Document
from ..shell import Shell
from .controller import RunController

if TYPE_CHECKING:
    from ..panels.panel_frame import PanelFrame

PREBUILD_DELAY_MS = 400
"""Panels not yet seen are built this long after the window first painted, one per turn of the event loop."""

NARROWEST_SLOT = 240
SHORTEST_SLOT = 160
"""The least width and height of a result dock, in pixels: smaller than its panel, the panel scrolls."""

PanelFactory = Callable[[Document, RunController, QAction, QWidget], "PanelFrame"]


def _activations(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.activations import ActivationsPanel

    return ActivationsPanel(d, c, run, parent)


def _depth(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.depth import DepthPanel

    return DepthPanel(d, c, run, parent)


def _timing(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.timing import TimingPanel

    return TimingPanel(d, c, run, parent)


def _output(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.output import OutputPanel

    return OutputPanel(d, c, run, parent)


def _gradients(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.gradients import GradientsPanel

    return GradientsPanel(d, c, run, parent)


def _landscape(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.landscape import LandscapePanel

    return LandscapePanel(d, c, run, parent)


def _race(d: Document, c: RunController, run: QAction, parent: QWidget) -> PanelFrame:
    from ..panels.race import RacePanel

    return RacePanel(d, c, run, parent)


@dataclass(frozen=True)
class ResultDock:
    """One dock of results: how code names it, its title, the object name its layout is saved under, its panel."""

    key: str
    title: str
    object_name: str
    factory: PanelFactory
    shows_runs: bool = True
    """The panel shows forward runs (a ResultPanel); False for the teaching panels, which run their own jobs."""


DOCKS: tuple[ResultDock, ...] = (
    ResultDock("activations", "Activations", "ActivationsDock", _activations),
    ResultDock("depth", "Depth", "DepthDock", _depth),
    ResultDock("timing", "Timing", "TimingDock", _timing),
    ResultDock("output", "Output", "OutputDock", _output),
    ResultDock("gradients", "Gradients", "GradientsDock", _gradients, shows_runs=False),
    ResultDock("landscape", "Landscape", "LandscapeDock", _landscape, shows_runs=False),
    ResultDock("race", "Race", "RaceDock", _race, shows_runs=False),
)
"""The result docks, in tab order."""


class PanelSlot(QScrollArea):
    """A dock's content: empty until its panel is built. It scrolls when the dock is smaller than its panel: the
    docks share one tab group, as wide and tall as its largest panel needs, which on a laptop's screen squeezed
    the palette and the inspector to slivers and the canvas to a strip. Its preferred size is its panel's.

    The slot sizes its panel itself, and only while its tab is in front: Qt parks the docks behind other tabs out
    of sight at a token size, where a scroll area that resizes its widget would lay their panels out again at
    every change (a stale banner coming and going)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible stop in the keyboard's Tab order
        self.panel: PanelFrame | None = None
        inner = QWidget(self)
        self.box = QVBoxLayout(inner)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.setWidget(inner)
        inner.installEventFilter(self)
        self._in_front = False

    def follow(self, dock: QDockWidget) -> None:
        """Size the panel while the dock's tab is in front (connect before anything that reads the panel's size)."""
        dock.visibilityChanged.connect(self._front)

    def _front(self, shown: bool) -> None:
        self._in_front = shown
        self._fit_panel()

    def minimumSizeHint(self) -> QSize:
        inner = self.widget().minimumSizeHint()
        return QSize(min(inner.width(), NARROWEST_SLOT), min(inner.height(), SHORTEST_SLOT))

    def sizeHint(self) -> QSize:
        return self.widget().sizeHint()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched is self.widget():
            self.updateGeometry()  # the panel arrived or its text changed size: the dock follows its needs
            self._fit_panel()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_panel()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_panel()

    def _fit_panel(self) -> None:
        """The panel fills the slot, and is never smaller than it needs (larger than the slot, it scrolls)."""
        if not self._in_front:
            return  # hidden, or behind another tab: sized when it comes to the front
        inner, need = self.widget(), self.widget().minimumSizeHint()
        width, height = self.width(), self.height()
        across = self.verticalScrollBar().sizeHint().width()  # a scroll bar takes room from the other side
        down = self.horizontalScrollBar().sizeHint().height()
        tall = need.height() > height
        wide = need.width() > width - (across if tall else 0)
        tall = tall or (wide and need.height() > height - down)
        width -= across if tall else 0
        height -= down if wide else 0
        inner.resize(max(width, need.width()), max(height, need.height()))


class ResultDocks(QObject):
    """The result docks, tabbed with the Summary, and their panels (built when needed), by key."""

    def __init__(self, window: Shell, controller: RunController) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.docks: dict[str, QDockWidget] = {}
        self._slots: dict[str, PanelSlot] = {}
        self._specs = {spec.key: spec for spec in DOCKS}
        previous = window.summary_dock
        for spec in DOCKS:
            slot = PanelSlot(window)
            dock = window.add_dock(spec.title, spec.object_name, slot, Qt.DockWidgetArea.BottomDockWidgetArea)
            window.tabifyDockWidget(previous, dock)
            previous = dock
            slot.follow(dock)
            dock.visibilityChanged.connect(lambda shown, key=spec.key: self._dock_shown(key, shown))
            self.docks[spec.key] = dock
            self._slots[spec.key] = slot
        window.first_paint.later(PREBUILD_DELAY_MS, self._build_next)

    def panel(self, key: str) -> PanelFrame:
        """The panel of the dock named `key` ('activations', 'depth', ...), built now if it was not yet."""
        return self._build(key, not self.docks[key].visibleRegion().isEmpty())

    def run_keys(self) -> list[str]:
        """The keys of the docks that show forward runs, in tab order."""
        return [key for key, spec in self._specs.items() if spec.shows_runs]

    def built(self) -> list[PanelFrame]:
        """The panels built so far."""
        return [s.panel for s in self._slots.values() if s.panel is not None]

    def _build(self, key: str, shown: bool) -> PanelFrame:
        slot = self._slots[key]
        if slot.panel is None:
            w = self.window
            panel = self._specs[key].factory(w.document, self.controller, w.actions.run, slot)
            slot.box.addWidget(panel)
            slot.panel = panel
            panel.node_activated.connect(w.reveal_node)
            panel.status_message.connect(w.show_status)
            panel.attach_canvas(w.canvas.canvas)
            panel.follow_dock(self.docks[key], shown)
        return slot.panel

    def _dock_shown(self, key: str, shown: bool) -> None:
        if shown:
            self._build(key, True)

    def _build_next(self) -> None:
        for key, slot in self._slots.items():
            if slot.panel is None:
                self.panel(key)
                QTimer.singleShot(0, self, self._build_next)
                return
