"""The Landscape dock: the loss surface around the weights of the network on the canvas and of another one (its
plain twin, a preset or a file), along two seeded, filter-normalised random directions (Li et al. 2018), on one
colour scale; a coarse grid first, refined while one watches. Beside each surface the map of where it is not
convex within the slice; a curve through the centre; a 3D view where OpenGL works; PNG and SVG for slides."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import Analysis
from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...core.presets import plain_twin, preset
from ...core.switches import switch_values
from ...results.landscape import LandscapeOptions
from ...results.landscape_request import LandscapeOutcome, LandscapeRequest, LandscapeSubject
from ..document import Document
from ..progress_bar import ProgressBar
from ..run.controller import RunController
from ..teaching.landscape_job import LandscapeJob
from ..theme import ERROR_COLOUR, WARNING_COLOUR
from .gradient_words import network_name
from .gradients import classes_of
from .landscape_form import INITIAL, RACE, TWIN, WEIGHTS_FILE, LandscapeForm
from .landscape_plots import LossCurves, SurfaceMaps
from .landscape_words import EXPLANATION, INITIAL_HINT, surface_words
from .panel_frame import PanelFrame, escape
from .plots import export_svg, plot_font
from .race_form import short_label

VIEWS = (("maps", "Surfaces and non-convexity"), ("curve", "Curve through the centre"), ("3d", "3D surface"))
SIDE_WIDTH = 300
REDRAW_MS = 150
"""While points stream in, the surfaces are redrawn at most this often (a redraw of two surfaces with their
contours takes tens of milliseconds of the GUI thread)."""
STALE_TEXT = "The network changed since this landscape: compute again to update."


class LandscapePanel(PanelFrame):
    """Loss landscapes of the canvas network beside another network, computed in the background."""

    title_text = "Loss Landscape"

    def __init__(
        self,
        document: Document,
        controller: RunController,
        run_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self.job = LandscapeJob(self)
        self.form = LandscapeForm(self)
        self.compute_button = QPushButton("Compute Landscapes", self)
        self.compute_button.setToolTip(
            "The loss over a grid around each network's weights, coarse grid first; both networks are computed "
            "side by side on the CPU"
        )
        self.progress = ProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.view = QComboBox(self)
        self.view.setAccessibleName("View")
        for key, text in VIEWS:
            self.view.addItem(text, key)
        self.log_box = QCheckBox("Log colour scale", self)
        self.log_box.setChecked(True)
        self.log_box.setToolTip("Colours (and the curve's axis) by the logarithm of the loss")
        self.gl_note = QLabel(self)
        self.readout = QLabel(self)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.svg_button = QToolButton(self)
        self.svg_button.setText("Export SVG...")
        self.svg_button.setToolTip("Save the surfaces and the words beside them as an SVG drawing")
        self.header.addWidget(self.svg_button)
        self.maps = SurfaceMaps(self)
        self.curves = LossCurves(self)
        self.surface_3d: QWidget | None = None
        self.views = QStackedWidget(self)
        self.views.addWidget(self.maps)
        self.views.addWidget(self.curves)
        self.words = QLabel(self)
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation = QLabel(EXPLANATION, self)
        self.explanation.setWordWrap(True)
        self._dirty = False
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self.bring_up_to_date)
        self.last_problem = ""
        """The last reason shown for a landscape that could not be computed."""
        self._lay_out()
        self._connect()
        self.stack.setCurrentWidget(self.content)
        self._show_running(False)
        self._show_waiting()
        self.finish_setup()

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        controls.setSpacing(6)
        controls.addWidget(self.form, 1)
        controls.addWidget(self.compute_button)
        controls.addWidget(self.progress)
        controls.addWidget(self.cancel_button)
        looks = QHBoxLayout()
        looks.setSpacing(10)
        label = QLabel("View", self)
        label.setBuddy(self.view)
        for widget in (label, self.view, self.log_box, self.gl_note):
            looks.addWidget(widget)
        looks.addStretch(1)
        looks.addWidget(self.readout)
        side = QWidget(self)
        column = QVBoxLayout(side)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(self.words)
        column.addSpacing(4)
        column.addWidget(self.explanation)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFixedWidth(SIDE_WIDTH)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.board = QWidget(self.content)
        """What Export saves: the view shown and the words beside it."""
        board = QHBoxLayout(self.board)
        board.setContentsMargins(0, 0, 0, 0)
        board.addWidget(self.views, 1)
        board.addWidget(scroll)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(controls)
        layout.addLayout(looks)
        layout.addWidget(self.board, 1)

    def _connect(self) -> None:
        self.compute_button.clicked.connect(self._compute_clicked)
        self.cancel_button.clicked.connect(self.job.cancel)
        self.svg_button.clicked.connect(self._export_svg_clicked)
        self.view.currentIndexChanged.connect(self._view_chosen)
        self.log_box.toggled.connect(self._log_toggled)
        self.maps.hovered.connect(self.readout.setText)
        self.form.problem.connect(self._problem)
        self.job.running_changed.connect(self._show_running)
        self.job.surfaces_changed.connect(self._surfaces_changed)
        self.job.finished.connect(self._finished)
        self.document.analysis_changed.connect(self._analysis_changed)
        self.document.reloaded.connect(self._reloaded)
        self.controller.race_weights_changed.connect(self._race_weights_changed)
        self._race_weights_changed(self.controller.race_weights)

    # --- commands ---------------------------------------------------------------------------------------------

    def compute(self, other: str | None = None, grid: int | None = None) -> bool:
        """Compute the landscapes in the background (beside `other`: 'plain' or a preset's name, and on a grid
        of `grid` points, when given); False, with the reason shown, when they cannot start. A computation on its
        way is cancelled for the new one."""
        if other is not None:
            self.form.choose_other(other)
        if grid is not None:
            self.form.fields["grid"].setText(str(grid))
        request = self.request()
        if request is None:
            return False
        self.problem_banner.hide()
        self.last_problem = ""
        started = self.job.start(request)
        if started:
            self.status_message.emit(f"Computing loss landscapes: {' and '.join(request.labels)}")
        return started

    def request(self) -> LandscapeRequest | None:
        """What Compute would start now (None, with the reason shown, when it cannot)."""
        reason = self.form.check()
        if reason:
            self._problem(reason[:1].upper() + reason[1:])
            return None
        options: LandscapeOptions = self.form.options()
        analysis = self.document.analysis
        if not analysis.ok or not analysis.order:
            self._problem("Fix the errors in the network first (see Problems): it cannot be built as it is.")
            return None
        if classes_of(analysis) is None:
            self._problem(
                "The landscape is the loss of a classifier: the network must end in an Output that gives one "
                "score per class (add a Head, or a Linear layer before the Output)."
            )
            return None
        if self.form.weights_choice == WEIGHTS_FILE and not Path(self.form.weights_path).is_file():
            self._problem(f"There is no weights file {self.form.weights_path!r}: choose another.")
            return None
        subjects = self._subjects()
        settings = self.document.settings
        return LandscapeRequest(
            subjects,
            options,
            batch_size=self.form.batch_size(),
            device=self.controller.options.device,
            input_shape=settings.input_shape,
        )

    def _subjects(self) -> tuple[LandscapeSubject, LandscapeSubject]:
        graph = self.document.graph
        snapshot = graph.snapshot()
        skips, norms = switch_values(graph, "skip"), switch_values(graph, "norm")
        base = self.document.name or self.document.display_name.split(".")[0]
        name = network_name(base, skips, norms)
        key = str(self.form.other.currentData())
        index = self.form.other.currentIndex()
        other: GraphSnapshot
        if key == TWIN:
            other = plain_twin(Graph(snapshot)).snapshot()
            twin = network_name(base, frozenset({False}), norms)
            other_name = twin if skips != {False} else f"{name} (its own plain twin)"
        elif index in self.form.files:
            other_name, other = self.form.files[index]
        else:
            other_name, other = short_label(key), preset(key).snapshot()
        if other_name == name:
            other_name += " (other)"
        choice = self.form.weights_choice
        subjects = []
        for k, (label, network) in enumerate(((name, snapshot), (other_name, other))):
            if choice == WEIGHTS_FILE and k == 0:
                path = self.form.weights_path
                subjects.append(LandscapeSubject(label, network, path, f"weights from {Path(path).name}"))
                continue
            trained = self.controller.trained_for(network) if choice in (RACE, WEIGHTS_FILE) else None
            if trained is not None:
                steps = trained.weights.step
                subjects.append(
                    LandscapeSubject(label, network, trained.weights, f"after {steps} steps of the race")
                )
            else:
                note = (
                    "at initialisation" if choice == INITIAL else "at initialisation (it was not in the race)"
                )
                subjects.append(LandscapeSubject(label, network, None, note))
        return subjects[0], subjects[1]

    def shutdown(self) -> None:
        """Cancel a computation and wait for it (the window is closing)."""
        self.job.shutdown()

    # --- showing ----------------------------------------------------------------------------------------------

    def _surfaces_changed(self) -> None:
        total = self.job.total
        if self.job.running and total:
            self.progress.setValue(round(1000 * self.job.done / total))
            self.progress.setToolTip(f"{self.job.done} of {total} points")
        self._dirty = True
        if not self.on_screen:
            return
        if not self.job.running:
            self._redraw.stop()
            self.bring_up_to_date()
        elif not self._redraw.isActive():
            self._redraw.start()

    def bring_up_to_date(self) -> None:
        """Draw the surfaces as far as they are known."""
        if not self._dirty:
            return
        self._dirty = False
        surfaces = self.job.surfaces
        log = self.log_box.isChecked()
        if not surfaces:
            self.maps.clear_surfaces()
            self.curves.show_surfaces([], log)
            return
        key = str(self.view.currentData())
        if key == "maps":
            self.maps.show_surfaces(surfaces, log)
        elif key == "curve":
            self.curves.show_surfaces(surfaces, log)
        elif self.surface_3d is not None:
            self.surface_3d.show_surfaces(surfaces, log)  # type: ignore[attr-defined]
        self.words.setText(surface_words(surfaces, self.job.request))
        request = self.job.request
        if request is not None:
            options = request.options
            self.subtitle.setText(
                f"{options.grid}x{options.grid} over [-{options.range:g}, {options.range:g}]² · "
                f"a batch of {request.batch_size} · seed {options.seed} · {request.device}"
            )

    def _finished(self, outcome: LandscapeOutcome) -> None:
        self._redraw.stop()
        if self.on_screen:
            self.bring_up_to_date()  # the last points now, not a redraw interval later
        if outcome.status == "cancelled":
            self.status_message.emit("Landscape cancelled: the points computed so far stay on show")
            return
        if outcome.status == "error":
            text = "; ".join(outcome.failures) or "the landscape failed"
            self._problem(text)
            self.status_message.emit(f"Landscape failed: {text}")
            return
        self.stale_banner.hide()
        labels = " and ".join(outcome.request.labels)
        self.status_message.emit(f"Loss landscapes of {labels} complete")

    def _show_waiting(self) -> None:
        self.words.setText(
            "<p>Press <b>Compute Landscapes</b> to see the loss around the weights of the network and of its "
            f"plain twin, on one colour scale: a 5x5 grid first, refined while you watch.</p><p><i>{INITIAL_HINT}"
            "</i></p>"
        )

    def _show_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.compute_button.setEnabled(not running)
        self.form.set_enabled(not running)
        self.progress.setValue(0)

    def _problem(self, text: str) -> None:
        self.last_problem = text
        self.problem_banner.show_message(f"<b>No landscape.</b> {escape(text)}", ERROR_COLOUR)

    # --- events -----------------------------------------------------------------------------------------------

    def _compute_clicked(self) -> None:
        self.compute()

    def _view_chosen(self, _index: int) -> None:
        key = str(self.view.currentData())
        if key == "3d" and self.surface_3d is None:
            from .landscape_3d import SurfaceView3D, opengl_problem

            problem = opengl_problem()
            if problem:
                self.gl_note.setText(problem)
                self.view.setCurrentIndex(0)
                return
            view = SurfaceView3D(self)
            view.set_background(self.colours.background)
            self.surface_3d = view
            self.views.addWidget(view)
        pages: dict[str, QWidget | None] = {"maps": self.maps, "curve": self.curves, "3d": self.surface_3d}
        page = pages.get(key)
        if page is not None:
            self.views.setCurrentWidget(page)
        self._dirty = True
        self.bring_up_to_date()

    def _log_toggled(self, _on: bool) -> None:
        self._dirty = True
        self.bring_up_to_date()

    def _analysis_changed(self, _analysis: Analysis) -> None:
        request = self.job.request
        if request is None or self.job.running:
            return
        if request.subjects[0].network.structure() != self.document.graph.snapshot().structure():
            self.stale_banner.show_message(STALE_TEXT, WARNING_COLOUR, "Compute Again", self.compute)
        else:
            self.stale_banner.hide()

    def _reloaded(self) -> None:
        self.job.forget()
        self.subtitle.setText("")
        self.stale_banner.hide()
        self.problem_banner.hide()
        self._show_waiting()

    def _race_weights_changed(self, networks: tuple[object, ...]) -> None:
        self.form.set_race_available(bool(networks))

    # --- look and export --------------------------------------------------------------------------------------

    def restyle(self) -> None:
        """Plot colours and fonts."""
        font = plot_font(self)
        self.maps.restyle(self.colours, font)
        self.curves.restyle(self.colours, font)
        self.explanation.setFont(plot_font(self, 0.9))
        if self.surface_3d is not None:
            self.surface_3d.set_background(self.colours.background)  # type: ignore[attr-defined]
        self._dirty = True
        if self.on_screen:
            self.bring_up_to_date()

    def export_target(self) -> QWidget:
        """The view shown and the words beside it."""
        return self.board

    def export_svg(self, path: str | Path | None = None) -> Path | None:
        """Save the view and its words as an SVG (asks where when no path is given); None when cancelled or it
        failed."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export Plot", "landscape.svg", "SVG drawing (*.svg)"
            )
            if not chosen:
                return None
            path = chosen
        self.bring_up_to_date()
        try:
            return export_svg(self.export_target(), path, "Loss landscapes")
        except OSError as error:
            QMessageBox.warning(self, "Export Plot", str(error))
            return None

    def _export_svg_clicked(self) -> None:
        self.export_svg()
