"""The main window: the canvas in the middle, palette, inspector, problems and summary docked around it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QChildEvent, QEvent, QSize, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMessageBox, QToolBar, QWidget

from ..core.analysis import Diagnostic
from ..core.catalogue import get_spec
from ..core.edits import apply_fix
from ..core.errors import GraphError
from .actions import WindowActions
from .canvas import CanvasView
from .collector import collector
from .dock_state import keep_tab_names_whole, restore_dock_state
from .document import Document
from .files import FileController
from .first_paint import FirstPaint
from .menus import build_menus, shortcut_table
from .panels.inspector import InspectorPanel
from .panels.palette import PalettePanel
from .panels.problems import ProblemsPanel
from .panels.run_settings import RunSettingsBar
from .panels.status import StatusTotals
from .panels.summary import SummaryPanel
from .recovery import Autosaver, Recovery, left_behind
from .resources import icon
from .run.window import RunUi
from .settings_store import SettingsStore
from .shortcuts import UndoRedoRouter
from .theme import PRESENTATION_SCALE, ThemeMode, apply_theme, apply_ui_scale, next_scale

if TYPE_CHECKING:
    from .lessons import LessonsUi
    from .panels.compare import ComparePanel

APP_NAME = "ResNet Studio"
ICON_SIZE = 20
STATUS_SECONDS = 5
STATUS_MARGIN = 24
"""Pixels between a status message and the totals beside it (the bar's own margins, and a gap)."""
FIRST_START_SIDE_WIDTHS = (230, 360)
"""The palette's and the inspector's widths at first start, at text size 1."""


class MainWindow(QMainWindow):
    """One document in one window. The window wires panels to the document and actions to the canvas."""

    def __init__(self, document: Document, store: SettingsStore, parent: QWidget | None = None) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # Colours and text size before any widget is made (this window too): every widget is made with them,
        # none is laid out and styled twice.
        apply_theme(app, store.theme())
        presenting = PRESENTATION_SCALE if store.flag("presentation", False) else 1.0
        apply_ui_scale(app, store.ui_scale() * presenting)
        super().__init__(parent)
        self.document = document
        self.store = store
        self._app = app
        collector().hold(self)  # from now on, garbage is collected on this (the GUI) thread only
        self.setObjectName("MainWindow")
        self._scale: float | None = None
        self._side_widths: tuple[list[float], list[int]] | None = None
        """The side panels' widths at text size 1 and as the last text size step left them."""
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self.canvas = CanvasView(document, self)
        self.setCentralWidget(self.canvas)
        self.first_paint = FirstPaint(self)
        self.setAcceptDrops(True)  # project and checkpoint files dropped anywhere on the window
        self.actions = WindowActions(self, document.undo_stack)
        self.files = FileController(self, document, store, self.canvas.export_image)
        self.autosaver = Autosaver(document, self)
        self.palette_panel = PalettePanel(self, describe_now=False)
        self.first_paint.later(0, self.palette_panel.describe_presets)
        self.inspector = InspectorPanel(document, self)
        self.problems = ProblemsPanel(document, self)
        self.summary = SummaryPanel(document, self)
        self.run_settings = RunSettingsBar(document, self)
        self.run_settings.refused.connect(self.show_status)
        self.palette_dock = self.add_dock(
            "Palette", "PaletteDock", self.palette_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector_dock = self.add_dock(
            "Inspector", "InspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.problems_dock = self.add_dock(
            "Problems", "ProblemsDock", self.problems, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.summary_dock = self.add_dock(
            "Summary", "SummaryDock", self.summary, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.problems_dock, self.summary_dock)
        # Palette and inspector run the full height: the inspector needs it more than the tables do.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.toolbar = self._toolbar()
        self.totals = StatusTotals(self)
        self.statusBar().addPermanentWidget(self.totals)
        self.run_ui = RunUi(self)
        self.compare_dock = self.add_dock(
            "Compare", "CompareDock", QWidget(), Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.run_ui.docks[-1], self.compare_dock)
        self._compare_panel: ComparePanel | None = None
        self.compare_dock.visibilityChanged.connect(lambda shown: shown and self.compare_panel)
        self.first_paint.later(0, lambda: self.compare_panel)
        self.lesson_dock = self.add_dock(
            "Lesson", "LessonDock", QWidget(), Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.lesson_dock.hide()  # before tabifying: hidden after, it leaves its tab bar drawn over the panels
        self.tabifyDockWidget(self.inspector_dock, self.lesson_dock)
        self._lessons: LessonsUi | None = None
        self._docks_before_presenting: QByteArray | None = None
        self.lessons_menu = build_menus(self, self.run_ui, lambda: self.lessons)
        self.undo_router = UndoRedoRouter(self, self.actions.undo, self.actions.redo)
        self.first_paint.later(0, self.undo_router.watch)
        self._default_state = self.saveState()
        self._connect()
        self._restore()
        self._show_title()
        self.totals.show_analysis(document.analysis)
        self._problem_count_changed(self.problems.count)
        self._selection_changed(document.selection)
        # checked as the dock shows (from the Panels menu, a restored layout, a lesson): its panel is there by then
        self.lesson_dock.toggleViewAction().toggled.connect(lambda shown: shown and self.lessons)
        self.first_paint.later(0, lambda: self.lessons)

    @property
    def lessons(self) -> LessonsUi:
        """The lessons: their menu entries, panel and stepping (made soon after the first paint, or when used)."""
        if self._lessons is None:
            from .lessons import LessonsUi

            self._lessons = LessonsUi(self)
            self._lessons.fill_menu(self.lessons_menu)
        return self._lessons

    @property
    def compare_panel(self) -> ComparePanel:
        """The Compare panel (made soon after the first paint, or when its dock shows or it is used)."""
        if self._compare_panel is None:
            from .canvas.highlights import HighlightLayer
            from .panels.compare import ComparePanel

            panel = ComparePanel(self.document, HighlightLayer(self.canvas.canvas, self), self)
            placeholder = self.compare_dock.widget()
            self.compare_dock.setWidget(panel)
            if placeholder is not None:
                placeholder.deleteLater()
            self._compare_panel = panel
        return self._compare_panel

    # --- construction -------------------------------------------------------------------------------------

    def add_dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _toolbar(self) -> QToolBar:
        a = self.actions
        bar = QToolBar("Toolbar", self)
        bar.setObjectName("MainToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for group in ((a.new, a.open, a.save), (a.undo, a.redo), (a.fit, a.auto_layout, a.presentation)):
            bar.addActions(list(group))
            bar.addSeparator()
        bar.addWidget(self.run_settings)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        # Short labels beside the icons in the toolbar; the menus keep the full names.
        for action, label in (
            (a.new, "New"),
            (a.open, "Open"),
            (a.save, "Save"),
            (a.fit, "Fit"),
            (a.auto_layout, "Layout"),
            (a.presentation, "Present"),
        ):
            action.setIconText(label)
        a.undo.setIconText("Undo")
        a.redo.setIconText("Redo")
        self._refresh_icons()
        return bar

    def _refresh_icons(self) -> None:
        a, palette = self.actions, self._app.palette()
        names = {
            a.new: "new",
            a.open: "open",
            a.save: "save",
            a.undo: "undo",
            a.redo: "redo",
            a.fit: "fit",
            a.auto_layout: "layout",
            a.presentation: "presentation",
            a.export_png: "export",
            a.export_svg: "export",
        }
        for action, name in names.items():
            action.setIcon(icon(name, palette))

    def _connect(self) -> None:
        a, c, files, d = self.actions, self.canvas, self.files, self.document
        triggers: dict[object, Callable[[], object]] = {
            a.new: files.new,
            a.open: files.open,
            a.save: files.save,
            a.save_as: files.save_as,
            a.export_png: lambda: files.export_image(".png"),
            a.export_svg: lambda: files.export_image(".svg"),
            a.export_csv: lambda: self.summary.export("csv"),
            a.export_markdown: lambda: self.summary.export("markdown"),
            a.quit: self.close,
            a.cut: c.cut_selection,
            a.copy: c.copy_selection,
            a.paste: c.paste,
            a.duplicate: c.duplicate_selection,
            a.delete: c.delete_selection,
            a.delete_reconnect: c.delete_with_reconnect,
            a.select_all: c.select_all,
            a.find_block: self._find_block,
            a.explode: self._explode,
            a.collapse: self._collapse,
            a.auto_layout: c.auto_layout,
            a.fit: c.fit_all,
            a.reset_zoom: c.reset_zoom,
            a.zoom_in: lambda: c.zoom_by(1.25),
            a.zoom_out: lambda: c.zoom_by(0.8),
            a.larger_ui: lambda: self.set_ui_scale(next_scale(self.store.ui_scale(), 1)),
            a.smaller_ui: lambda: self.set_ui_scale(next_scale(self.store.ui_scale(), -1)),
            a.reset_ui: lambda: self.set_ui_scale(1.0),
            a.theme_system: lambda: self.set_theme("system"),
            a.theme_light: lambda: self.set_theme("light"),
            a.theme_dark: lambda: self.set_theme("dark"),
            a.reset_layout: self.reset_layout,
            a.shortcuts: self._show_shortcuts,
            a.about: self._about,
        }
        for action, slot in triggers.items():
            action.triggered.connect(lambda _checked=False, slot=slot: self._guarded(slot))  # type: ignore[attr-defined]
        a.edge_labels.toggled.connect(self.set_edge_labels)
        a.snap.toggled.connect(self.set_snap)
        a.presentation.toggled.connect(self.set_presentation)
        c.status_message.connect(self.show_status)
        files.status.connect(self.show_status)
        d.file_changed.connect(self._show_title)
        d.analysis_changed.connect(self.totals.show_analysis)
        d.selection_changed.connect(self._selection_changed)
        d.reloaded.connect(self._reloaded)
        self.palette_panel.block_activated.connect(lambda t: self._guarded(lambda: c.add_block_at_centre(t)))
        self.palette_panel.preset_activated.connect(files.open_preset)
        self.problems.node_activated.connect(self.reveal_node)
        self.summary.node_activated.connect(self.reveal_node)
        self.problems.fix_requested.connect(self.apply_fix)
        self.inspector.fix_requested.connect(self.apply_fix)
        self.problems.count_changed.connect(self._problem_count_changed)
        self.totals.problems_clicked.connect(self.show_problems)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._system_colours_changed)

    def _restore(self) -> None:
        """Window geometry, dock layout and view options from the last session."""
        geometry = self.store.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry()
            self.resize(min(1480, int(screen.width() * 0.92)), min(920, int(screen.height() * 0.9)))
            self._size_docks_as_at_first_start(1.0)
        state = self.store.window_state()
        if state is None or not restore_dock_state(self, state):
            self._raise_first_tab()
        a = self.actions
        a.edge_labels.setChecked(self.store.flag("edge_labels", False))
        a.snap.setChecked(self.store.flag("snap_to_grid", True))
        self.set_edge_labels(a.edge_labels.isChecked())
        self.set_snap(a.snap.isChecked())
        {"system": a.theme_system, "light": a.theme_light, "dark": a.theme_dark}[
            self.store.theme()
        ].setChecked(True)
        self.set_theme(self.store.theme(), remember=False)
        a.presentation.setChecked(self.store.flag("presentation", False))
        self._apply_scale()

    # --- view options -------------------------------------------------------------------------------------

    def set_edge_labels(self, on: bool) -> None:
        """Show the tensor shape on every edge (useful in class)."""
        self.canvas.set_show_edge_labels(on)
        self.store.set_flag("edge_labels", on)

    def set_snap(self, on: bool) -> None:
        """Snap moved blocks to the grid."""
        self.canvas.set_snap_to_grid(on)
        self.store.set_flag("snap_to_grid", on)

    def set_presentation(self, on: bool) -> None:
        """Larger text in every panel and thicker lines on the canvas, for projectors. The canvas gets the room:
        the panels not in use fold away while presenting and come back as they were afterwards."""
        self.store.set_flag("presentation", on)
        if on and self._docks_before_presenting is None:
            self._docks_before_presenting = self.saveState()
            in_use = self._dock_in_use()
            for dock in self.all_docks():
                if dock is not in_use:
                    dock.hide()
        if not on and self._docks_before_presenting is not None:
            # The text back to its size first (every panel's least width with it), then the panels as they were.
            self._apply_scale(resize_docks=False)
            restore_dock_state(self, self._docks_before_presenting)
            self._docks_before_presenting = None
        else:
            self._apply_scale()
        self.show_status("Presentation mode on (F5 to leave)" if on else "Presentation mode off")

    def set_ui_scale(self, scale: float) -> None:
        """Scale the whole interface (Ctrl+= / Ctrl+-)."""
        self.store.set_ui_scale(scale)
        self._apply_scale()
        self.show_status(f"Text size {round(scale * 100)}%")

    def _apply_scale(self, resize_docks: bool = True) -> None:
        presentation = self.actions.presentation.isChecked()
        factor = self.store.ui_scale() * (PRESENTATION_SCALE if presentation else 1.0)
        side = [self.palette_dock, self.inspector_dock]
        base: list[float] = []
        if resize_docks and self._scale is not None and self.isVisible():
            # Side panels grow with their text, so the palette and inspector stay readable. They are sized from
            # their widths at text size 1 (the user's, unless a step left them as it set them), not from the last
            # step's: a step cut short by the bottom panels' least width would otherwise narrow them for good.
            seen = [d.width() for d in side]
            if self._side_widths is not None and seen == self._side_widths[1]:
                base = self._side_widths[0]
            else:
                base = [width / self._scale for width in seen]
        self._scale = factor
        font = self._app.font()
        apply_ui_scale(self._app, factor)
        if self.isVisible() and self._app.font() != font:
            # The new text reaches every panel now, the hidden ones too: their least widths follow it before any
            # panel is sized (a panel hidden in a tab would otherwise keep the old text's). Not at start-up: the
            # window lays out once, when it is shown.
            QApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
            for dock in self.all_docks():
                dock.layout().activate()
        if base:
            self.resizeDocks(side, [round(width * factor) for width in base], Qt.Orientation.Horizontal)
            self.layout().activate()
            self._side_widths = (base, [d.width() for d in side])
        self.toolbar.setIconSize(QSize(round(ICON_SIZE * factor), round(ICON_SIZE * factor)))
        self.canvas.set_presentation(presentation)

    def set_theme(self, mode: ThemeMode, remember: bool = True) -> None:
        """Light, dark, or whatever the desktop uses."""
        if remember:
            self.store.set_theme(mode)
        apply_theme(self._app, mode)
        self._refresh_icons()
        self.run_ui.refresh_icons()

    def _system_colours_changed(self, _scheme: object) -> None:
        """The desktop switched between light and dark: follow it unless the user chose colours."""
        self.set_theme(self.store.theme(), remember=False)

    def all_docks(self) -> list[QDockWidget]:
        """Every panel dock: the editor's and the run results'."""
        return [
            self.palette_dock,
            self.inspector_dock,
            self.problems_dock,
            self.summary_dock,
            *self.run_ui.docks,
            self.compare_dock,
            self.lesson_dock,
        ]

    def _dock_in_use(self) -> QDockWidget | None:
        """The panel holding the keyboard focus, if any (it stays while presenting)."""
        focus = self._app.focusWidget()
        for dock in self.all_docks():
            if focus is not None and dock.isAncestorOf(focus):
                return dock
        return None

    def reset_layout(self) -> None:
        """Put every panel back where it was at first start, at its first-start size (grown with the text)."""
        restore_dock_state(self, self._default_state)
        for dock in (self.palette_dock, self.inspector_dock, self.problems_dock, self.summary_dock):
            dock.show()
        for dock in self.run_ui.docks:
            dock.show()
        self.layout().activate()
        self._size_docks_as_at_first_start(self._scale or 1.0)
        self._side_widths = None  # the next text size step reads the widths set here
        self._raise_first_tab()

    def _size_docks_as_at_first_start(self, scale: float) -> None:
        """The palette and inspector at their first-start widths times `scale`; the panels below the canvas at
        under a third of the window: the canvas is what people work in."""
        widths = [round(width * scale) for width in FIRST_START_SIDE_WIDTHS]
        self.resizeDocks([self.palette_dock, self.inspector_dock], widths, Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [round(self.height() * 0.3)], Qt.Orientation.Vertical)

    def _raise_first_tab(self) -> None:
        """The summary in front while the network has no problems (the more useful tab then), else the problems."""
        (self.problems_dock if self.document.analysis.diagnostics else self.summary_dock).raise_()

    # --- document events ----------------------------------------------------------------------------------

    def _show_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*]")
        self.setWindowModified(self.document.is_modified)

    def _reloaded(self) -> None:
        self._show_title()
        self.show_whole_network()

    def show_whole_network(self) -> None:
        """Fit the network in the view (every document opens so; the layout keeps the cards readable)."""
        self.canvas.fit_all()

    def _selection_changed(self, ids: tuple[str, ...]) -> None:
        a, graph = self.actions, self.document.graph
        for action in (a.cut, a.copy, a.delete, a.delete_reconnect, a.duplicate):
            action.setEnabled(bool(ids))
        single = graph.node(ids[0]) if len(ids) == 1 and ids[0] in graph else None
        a.explode.setEnabled(single is not None and get_spec(single.type).is_composite)
        a.collapse.setEnabled(single is not None and single.expanded_from is not None)

    def _problem_count_changed(self, count: int) -> None:
        self.problems_dock.setWindowTitle(f"Problems ({count})")

    # --- commands -----------------------------------------------------------------------------------------

    def reveal_node(self, node_id: str) -> None:
        """Select a node and centre it on the canvas (from the Problems and Summary panels)."""
        if node_id not in self.document.graph:
            return
        self.document.set_selection((node_id,))
        self._guarded(lambda: self.canvas.centre_on_node(node_id))

    def apply_fix(self, diagnostic: Diagnostic) -> None:
        """Carry out a diagnostic's suggested fix as one undoable step."""
        try:
            command = apply_fix(self.document.graph, diagnostic)
            self.document.push(command)
        except GraphError as error:
            self.show_status(f"Cannot fix {diagnostic.node_name}: {error}")
            return
        self.show_status(self.document.undo_stack.undoText())

    def show_problems(self) -> None:
        """Bring the Problems panel to the front."""
        self.problems_dock.show()
        self.problems_dock.raise_()

    def show_status(self, text: str) -> None:
        """A transient message in the status bar, shortened with an ellipsis where it meets the totals (Qt cut it
        off mid-word, hard against them)."""
        bar = self.statusBar()
        beside = [w.x() for w in (self.run_ui.progress, self.totals) if w.isVisible()]
        room = min(beside, default=bar.width()) - STATUS_MARGIN
        if room > 0:
            text = bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)
        bar.showMessage(text, STATUS_SECONDS * 1000)

    def _find_block(self) -> None:
        self.palette_dock.show()
        self.palette_dock.raise_()
        self.palette_panel.focus_search()

    def _explode(self) -> None:
        ids = self.document.selection
        if len(ids) == 1:
            self.canvas.explode(ids[0])

    def _collapse(self) -> None:
        ids = self.document.selection
        if len(ids) == 1 and ids[0] in self.document.graph:
            origin = self.document.graph.node(ids[0]).expanded_from
            if origin is not None:
                self.canvas.collapse(origin.id)

    def _guarded(self, slot: Callable[[], object]) -> None:
        """Run a command; a refused edit (GraphError) becomes a status-bar message instead of a traceback."""
        try:
            slot()
        except GraphError as error:
            self.show_status(str(error))

    def _show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", shortcut_table(self.actions))

    def _about(self) -> None:
        from .about import about_html  # reads package metadata: not before the first paint

        QMessageBox.about(self, f"About {APP_NAME}", about_html(APP_NAME))

    # --- files dropped on the window ---------------------------------------------------------------------

    def dropped_file(self, event: QDragMoveEvent | QDropEvent) -> str | None:
        """The project or checkpoint a drag carries (its first local file), or None."""
        data = event.mimeData()
        if data is None or not data.hasUrls():
            return None
        for url in data.urls():
            if url.isLocalFile() and self.files.openable(url.toLocalFile()):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.dropped_file(event)
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.files.open(path)

    # --- closing ------------------------------------------------------------------------------------------

    def offer_recovery(self, found: list[Recovery] | None = None) -> bool:
        """After a crash: offer the unsaved work it left (newest first); True when some was recovered."""
        for recovery in found if found is not None else left_behind():
            answer = QMessageBox.question(
                self,
                "Recover unsaved work",
                f"ResNet Studio closed without saving your changes to {recovery.describe()}.\n\n"
                "Recover them? (Discard deletes them for good.)",
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Ignore,
                QMessageBox.StandardButton.Yes,
            )
            if answer == QMessageBox.StandardButton.Discard:
                recovery.discard()
            elif answer == QMessageBox.StandardButton.Yes and self.files.recover(recovery):
                return True
        return False

    def childEvent(self, event: QChildEvent) -> None:
        super().childEvent(event)
        if event.type() is QEvent.Type.ChildPolished:
            keep_tab_names_whole(event.child())

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.run_ui.shutdown()  # cancels a run in progress and waits for its thread
        self.files.shutdown()  # a checkpoint being opened
        if self._lessons is not None:
            self._lessons.shutdown()
        # while presenting, the panels folded away are remembered as they were before
        self.store.save_window(self.saveGeometry(), self._docks_before_presenting or self.saveState())
        event.accept()
        self.autosaver.stop()  # closed on purpose: nothing to recover
        collector().let_go(self)
