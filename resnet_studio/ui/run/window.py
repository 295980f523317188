"""Running from the main window: the controller, the run toolbar, the progress in the status bar, the result
docks (Activations, Depth, Timing, Output, and the teaching docks), the canvas thumbnails, and the Run menu's
commands.

The window creates one RunUi after its own docks and before its menus; closing the window (or quitting the
app) calls shutdown(), which cancels a run in progress and waits for its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMenu, QMessageBox, QToolBar

from ...core.units import bytes_text
from ...results.run_request import InputChoice
from ..canvas.thumbnails import ThumbnailLayer
from ..resources import icon
from ..shell import Shell
from .controller import RunController
from .docks import ResultDocks
from .progress import RunProgress
from .toolbar import RunToolbar, run_icon_palette

if TYPE_CHECKING:
    from ...results.run import ForwardResult  # annotations only: results load after the first paint
    from ..panels.activations import ActivationsPanel
    from ..panels.depth import DepthPanel
    from ..panels.gradients import GradientsPanel
    from ..panels.landscape import LandscapePanel
    from ..panels.output import OutputPanel
    from ..panels.panel_frame import PanelFrame
    from ..panels.race import RacePanel
    from ..panels.result_panel import ResultPanel
    from ..panels.timing import TimingPanel

DEVICE_PROBE_DELAY_MS = 1500
"""Devices are looked for (torch loads, on a worker thread) this long after the window first painted."""
RESULT_DOCK_HEIGHT = 0.42
"""After the first run the bottom docks grow to this share of the window, so the maps are big enough to read."""


class RunUi(QObject):
    """Everything the main window needs to run the network and show what flows through it."""

    def __init__(self, window: Shell) -> None:
        super().__init__(window)
        self.window = window
        a, document = window.actions, window.document
        self.controller = RunController(document, self)
        self.toolbar = RunToolbar(self.controller, a.run, a.cancel_run, window)
        self.results = ResultDocks(window, self.controller)
        self.docks = list(self.results.docks.values())
        """Every result dock, in tab order."""
        self.activations_dock = self.results.docks["activations"]
        self.bar = QToolBar("Run", window)
        self.bar.setObjectName("RunToolbar")
        self.bar.setMovable(False)
        self.bar.addWidget(self.toolbar)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # its own row: the settings bar needs the first
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.progress = RunProgress(self.controller, a.cancel_run, window)
        window.statusBar().insertPermanentWidget(0, self.progress)
        self.thumbnails = ThumbnailLayer(window.canvas.canvas, self)
        self._grown = False
        self._grown_docks = False
        """The docks below the canvas have grown once (for a first result or a teaching panel)."""
        self._closed = False
        self._connect()
        self._availability(self.controller.blocked_reason)
        self._running(False)
        a.export_statistics.setEnabled(False)  # until a run has statistics to export
        self.refresh_icons()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        window.first_paint.later(DEVICE_PROBE_DELAY_MS, self.controller.probe_devices)

    # --- the result panels (built when first needed) -------------------------------------------------------

    @property
    def activations(self) -> ActivationsPanel:
        """The Activations panel."""
        return cast("ActivationsPanel", self.results.panel("activations"))

    @property
    def depth(self) -> DepthPanel:
        """The depth plot."""
        return cast("DepthPanel", self.results.panel("depth"))

    @property
    def timing(self) -> TimingPanel:
        """The timing chart."""
        return cast("TimingPanel", self.results.panel("timing"))

    @property
    def output(self) -> OutputPanel:
        """The class scores."""
        return cast("OutputPanel", self.results.panel("output"))

    @property
    def gradients(self) -> GradientsPanel:
        """Gradient flow of the network and another."""
        return cast("GradientsPanel", self.results.panel("gradients"))

    @property
    def landscape(self) -> LandscapePanel:
        """Loss landscapes of the network and another."""
        return cast("LandscapePanel", self.results.panel("landscape"))

    @property
    def race(self) -> RacePanel:
        """The degradation race."""
        return cast("RacePanel", self.results.panel("race"))

    def dock(self, key: str) -> QDockWidget:
        """The result dock named `key` ('activations', 'depth', 'timing', 'output', 'gradients', 'landscape',
        'race')."""
        return self.results.docks[key]

    @property
    def panels(self) -> tuple[ResultPanel, ...]:
        """Every panel that shows forward runs, in dock order."""
        return tuple(cast("ResultPanel", self.results.panel(key)) for key in self.results.run_keys())

    def _connect(self) -> None:
        a, c, w = self.window.actions, self.controller, self.window
        # From the first paint on: a layout restored with a teaching panel in front keeps its heights.
        w.first_paint.later(0, self._watch_teaching_docks)
        triggers: dict[object, Callable[[], object]] = {
            a.run: self.run,
            a.cancel_run: c.cancel,
            a.open_image: self.toolbar.choose_image,
            a.open_weights: self.toolbar.choose_weights,
            a.random_weights: lambda: c.set_weights(None),
            a.export_statistics: lambda: self.export_statistics(),
            a.export_plot: lambda: self.export_plot(),
        }
        for action, slot in triggers.items():
            action.triggered.connect(lambda _checked=False, slot=slot: slot())  # type: ignore[attr-defined]
        a.thumbnails.setChecked(w.store.flag("activation_thumbnails", True))
        self.thumbnails.set_visible(a.thumbnails.isChecked())
        a.thumbnails.toggled.connect(self.set_thumbnails)
        c.running_changed.connect(self._running)
        c.availability_changed.connect(self._availability)
        c.result_changed.connect(self._result_changed)
        c.affected_changed.connect(self.thumbnails.set_affected)
        c.finished.connect(self._finished)
        w.document.reloaded.connect(c.clear)

    # --- commands ---------------------------------------------------------------------------------------------

    def run(self) -> bool:
        """Start a forward pass (the Run command); False when it cannot run now."""
        if not self.controller.can_run:
            reason = self.controller.blocked_reason
            if reason:
                self.window.show_status(reason)
            return False
        return self.controller.run()

    def set_thumbnails(self, on: bool) -> None:
        """Show or hide the activation thumbnails on the canvas."""
        self.thumbnails.set_visible(on)
        self.window.store.set_flag("activation_thumbnails", on)

    def export_statistics(self, path: str | None = None) -> bool:
        """Write the current run's statistics as CSV (asks where when no path is given)."""
        result = self.controller.current
        if result is None:
            self.window.show_status("Nothing to export yet: run the network first")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Export Run Statistics", "activations.csv", "CSV table (*.csv)"
            )
            if not path:
                return False
        from .export import write_statistics_csv

        try:
            target = write_statistics_csv(result, path)
        except OSError as error:
            QMessageBox.warning(self.window, "Export Run Statistics", f"Could not write {path}: {error}")
            return False
        self.window.show_status(f"Saved the statistics of {len(result.nodes)} nodes to {target.name}")
        return True

    def export_plot(self, path: str | None = None) -> bool:
        """Save the result panel in view as a PNG."""
        panel = self.visible_panel()
        saved = panel.export_png(path)
        if saved is not None:
            self.window.show_status(f"Saved {panel.title_text} to {saved.name}")
        return saved is not None

    def visible_panel(self) -> PanelFrame:
        """The result panel the user is looking at (the Activations panel when none is in view)."""
        for key, dock in self.results.docks.items():
            panel = self.results.panel(key)
            if dock.isVisible() and not panel.visibleRegion().isEmpty():
                return panel
        return self.activations

    def fill_run_menu(self, menu: QMenu, probe: bool = True) -> None:
        """Fill the Run menu (again each time it opens, so the device list is current); `probe` looks for the
        devices when they are not known yet (not while the window is being built: torch would load then)."""
        a, c = self.window.actions, self.controller
        menu.clear()
        menu.addActions([a.run, a.cancel_run])
        menu.addSeparator()
        devices = menu.addMenu("&Device")
        group = QActionGroup(devices)
        for device in c.devices:
            action = devices.addAction(device.label())
            action.setCheckable(True)
            action.setChecked(device.name == c.options.device)
            action.triggered.connect(lambda _checked=False, name=device.name: c.set_device(name))
            group.addAction(action)
        if not c.devices_known:
            if probe:
                c.probe_devices()
            looking = devices.addAction("Looking for GPUs...")
            looking.setEnabled(False)
        inputs = menu.addMenu("&Input")
        for title, kind in (("&Random", "random"), ("&Sample Image", "sample")):
            action = inputs.addAction(title)
            action.setCheckable(True)
            action.setChecked(c.options.input.kind == kind)
            seed = c.options.input.seed
            action.triggered.connect(
                lambda _checked=False, k=kind, s=seed: c.set_input(InputChoice(k, None, s))
            )
        inputs.addAction(a.open_image)
        menu.addActions([a.open_weights, a.random_weights])
        menu.addSeparator()
        menu.addActions([a.export_statistics, a.export_plot])

    def refresh_icons(self) -> None:
        """Icons in the palette's colours (the Run triangle in green)."""
        palette = self.window.palette()
        self.window.actions.run.setIcon(icon("run", run_icon_palette(palette)))
        self.window.actions.cancel_run.setIcon(icon("stop", palette))

    # --- controller events ------------------------------------------------------------------------------------

    def _running(self, running: bool) -> None:
        a = self.window.actions
        a.cancel_run.setEnabled(running)
        a.run.setEnabled(self.controller.can_run)

    def _availability(self, reason: str | None) -> None:
        a = self.window.actions
        a.run.setEnabled(self.controller.can_run)
        if reason is not None:
            tip = f"Run is unavailable: {reason}"
        elif self.controller.running:
            tip = "A run is on its way (Cancel stops it)"
        else:
            tip = "Send an input through the network and plot what each block makes of it (Ctrl+R)"
        a.run.setToolTip(tip)
        a.run.setStatusTip(tip)
        self.toolbar.run_button.setToolTip(tip)

    def _result_changed(self, result: ForwardResult | None) -> None:
        self.window.actions.export_statistics.setEnabled(result is not None)
        # The thumbnails and the first showing of the docks each repaint a large area: separate steps of the
        # event loop keep every step short (the window answers in between).
        QTimer.singleShot(0, self, self._show_thumbnails)
        if result is not None and not self._grown:
            self._grown = True
            QTimer.singleShot(0, self, self._show_results_dock)

    def _show_thumbnails(self) -> None:
        if not self._closed:
            self.thumbnails.show_result(self.controller.current)

    def _show_results_dock(self) -> None:
        if self._closed:
            return
        self.activations_dock.show()
        self.activations_dock.raise_()
        self._grow_for(self.activations_dock)

    def _watch_teaching_docks(self) -> None:
        for key in ("gradients", "landscape", "race"):  # the teaching panels, which run their own jobs
            dock = self.results.docks[key]
            dock.visibilityChanged.connect(lambda shown, dock=dock: shown and self._grow_for(dock))

    def _grow_for(self, dock: QDockWidget) -> None:
        """The first time results or a teaching panel are shown, the docks below the canvas grow to
        RESULT_DOCK_HEIGHT of the window (they start lower, leaving the canvas the room), unless already as tall."""
        if self._grown_docks or self._closed:
            return
        self._grown_docks = True
        height = round(self.window.height() * RESULT_DOCK_HEIGHT)
        if dock.height() < height:
            QTimer.singleShot(
                0, self, lambda: self.window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
            )

    def _finished(self, result: ForwardResult) -> None:
        if result.status == "cancelled":
            self.window.show_status("Run cancelled: the results shown are from the run before")
            return
        if result.error is not None:
            self.window.show_status(f"{result.error.title}: {result.error.message}")
            self.activations_dock.show()
            self.activations_dock.raise_()
            return
        memory = f", peak memory {bytes_text(result.peak_memory_bytes)}" if result.peak_memory_bytes else ""
        self.window.show_status(
            f"Ran {len(result.nodes)} nodes on {result.device_title or result.device} in "
            f"{result.total_ms:.0f} ms{memory} ({result.input})"
        )

    # --- closing ----------------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Cancel a run in progress and wait for its thread (the window is closing or the app quits)."""
        if self._closed:
            return
        self._closed = True
        self.thumbnails.detach()
        for panel in self.results.built():
            panel.shutdown()  # the teaching panels' own jobs (a race, a gradient pass)
        self.controller.shutdown()
