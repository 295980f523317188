"""The degradation race: two to four networks trained side by side on the same batches, their loss and accuracy
drawn live, the step from which the gap is clear marked, and the weights they reached kept for runs, gradient
flow and saving.

Training runs on a worker thread; its points arrive in batches and the plots redraw at most twenty times a
second, so the window stays responsive however fast the steps come.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import GraphError
from ...core.presets import preset
from ...results.datasets import DataChoice
from ...results.training import (
    DEFAULT_RACE,
    GAP_CLEAR_AFTER,
    GAP_WINDOW,
    RACE_OPTIONS,
    OptionsError,
    RaceRefusal,
    RaceResult,
    TrainedNetwork,
    TrainingCurve,
    gap_step,
)
from ..document import Document
from ..run.controller import RunController
from ..teaching.race_job import RaceJob
from ..theme import ERROR_COLOUR, WARNING_COLOUR
from ..workers.race import SaveWeightsWorker
from ..workers.thread import WorkerThread
from .data_sample import DataPicker
from .panel_frame import PanelFrame, escape
from .plots import plot_font
from .race_form import RaceForm, short_label
from .race_plots import RacePlots

REDRAW_MS = 50
"""The plots redraw at most this often while points stream in (20 times a second)."""
FORM_WIDTH = 340
WEIGHT_SUFFIXES = (".safetensors", ".pt", ".pth")


def find_gap(curves: list[TrainingCurve]) -> tuple[int, TrainingCurve, TrainingCurve] | None:
    """(step, behind, ahead): the step from which the network with the highest loss stays clearly behind the
    one with the lowest (loss averaged over GAP_WINDOW steps), or None while none is."""
    usable = [c for c in curves if c.steps >= GAP_WINDOW and c.status not in ("diverged", "failed")]
    if len(usable) < 2:
        return None
    shared = min(c.steps for c in usable)
    latest = {c.label: c.smoothed_losses(GAP_WINDOW)[shared - 1] for c in usable}
    ahead = min(usable, key=lambda c: latest[c.label])
    behind = max(usable, key=lambda c: latest[c.label])
    step = gap_step(behind, ahead)
    return None if step is None else (step, behind, ahead)


class RacePanel(PanelFrame):
    """Start, pause, resume and cancel a race; watch it; keep and save what the networks learned."""

    title_text = "Degradation Race"

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
        self.job = RaceJob(self)
        self._start_when_read = False
        self.form = RaceForm(document, self)
        self.data = DataPicker(self)
        self.plots = RacePlots(self)
        self.start_button = QPushButton("Start", self)
        self.start_button.setToolTip(
            "Train the networks side by side (Pause and Cancel keep what they learned)"
        )
        self.pause_button = QPushButton("Pause", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.gap_label = QLabel(self)
        self.gap_label.setWordWrap(True)
        self.gap_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.weights_label = QLabel("Weights reached:", self)
        self.weights_choice = QComboBox(self)
        self.weights_choice.setAccessibleName("Trained network")
        self.use_button = QPushButton("Use for Runs", self)
        self.use_button.setToolTip(
            "Forward runs use these weights (the canvas must show the same network); the Gradients panel can "
            "use them too"
        )
        self.save_button = QPushButton("Save Weights...", self)
        self.save_button.setToolTip("Write the weights as .safetensors or a PyTorch state dict (.pt)")
        self.x_axis = QComboBox(self)
        self.x_axis.addItems(["Against step", "Against time"])
        self.x_axis.setToolTip("Plot against the step, or against wall-clock seconds since Start")
        self.log_loss = QCheckBox("Log loss", self)
        self.header.insertWidget(self.header.count() - 1, self.x_axis)
        self.header.insertWidget(self.header.count() - 1, self.log_loss)
        self._saving: WorkerThread | None = None
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self.draw)
        self._shown_stops: set[str] = set()
        self.gap_at: int | None = None
        """The step from which the gap is clear, once it is (None before)."""
        self._closing = False
        self._lay_out()
        self._connect()
        self.stack.setCurrentWidget(self.content)
        self.plots.set_networks([label for label, _name in DEFAULT_RACE])
        self._show_expectation()
        self._show_state("idle")
        self._show_weights(controller.race_weights)
        self.finish_setup()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        side = QWidget(self)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(self.form)
        column.addLayout(buttons)
        column.addSpacing(6)
        column.addWidget(self.data)
        column.addStretch(1)
        scroll = QScrollArea(self.content)
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFixedWidth(FORM_WIDTH)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.board = QWidget(self.content)
        """What Export PNG saves: the plots with the line about the gap."""
        board = QVBoxLayout(self.board)
        board.setContentsMargins(0, 0, 0, 0)
        board.addWidget(self.gap_label)
        board.addWidget(self.plots, 1)
        weights = QHBoxLayout()
        weights.addWidget(self.weights_label)
        weights.addWidget(self.weights_choice, 1)
        weights.addWidget(self.use_button)
        weights.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self.board, 1)
        right.addLayout(weights)
        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        layout.addLayout(right, 1)

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self._pause_clicked)
        self.cancel_button.clicked.connect(self.job.cancel)
        self.use_button.clicked.connect(self.use_weights)
        self.save_button.clicked.connect(self._save_clicked)
        self.x_axis.currentIndexChanged.connect(self._x_axis_changed)
        self.log_loss.toggled.connect(self.plots.set_log_loss)
        self.form.changed.connect(self._form_changed)
        self.data.failed.connect(self._data_failed)
        self.data.settled.connect(self._data_settled)
        self.data.choice_changed.connect(self._data_changed)
        self.job.state_changed.connect(self._show_state)
        self.job.curves_changed.connect(self._curves_changed)
        self.job.finished.connect(self._finished)
        self.controller.race_weights_changed.connect(self._show_weights)

    # --- commands ---------------------------------------------------------------------------------------------

    def start(self) -> bool:
        """Start a race with the form's networks, options and data; False (with the reason shown) otherwise."""
        device = self.controller.options.device
        if self.form.check(device):
            return False
        try:
            networks = self.form.networks()
            options = self.form.options(device)
        except (GraphError, OptionsError) as error:
            self.form.show_problem(str(error))
            return False
        if self.data.loading:
            self.form.show_problem("The data set is still being read: start again in a moment")
            return False
        self.problem_banner.hide()
        self._shown_stops.clear()
        self.gap_at = None
        started = self.job.start(networks, self.data.choice, options)
        if started:
            self.status_message.emit(f"Race started: {', '.join(networks)} on {self.data.choice.describe()}")
            self._show_expectation()
        return started

    def race(self, presets: list[str], steps: int | None = None) -> bool:
        """Race these presets (with `steps` SGD steps when given) with the form's other options."""
        self.form.set_networks([(short_label(name), preset(name).snapshot()) for name in presets])
        if steps is not None:
            self.form.fields["steps"].setText(str(steps))
        if self.data.loading:  # the panel was just opened: its data set is being read
            self._start_when_read = True
            self.status_message.emit("The race starts as soon as the data set has been read")
            return True
        return self.start()

    def _data_settled(self) -> None:
        if self._start_when_read:
            self._start_when_read = False
            self.start()

    def use_weights(self) -> bool:
        """Let forward runs (and the Gradients panel) use the chosen trained network's weights."""
        trained = self._chosen()
        if trained is None:
            return False
        self.controller.use_trained(trained)
        if trained.snapshot.structure() == self.document.graph.snapshot().structure():
            self.status_message.emit(f"Runs now use the weights of {trained.describe()}")
        else:
            self.status_message.emit(
                f"Runs now use the weights of {trained.describe()}, but the canvas shows another network: "
                f"open {trained.label} (File > New from Preset) to run them"
            )
        return True

    def save_weights(self, path: str) -> bool:
        """Write the chosen trained network's weights to `path` on a worker thread."""
        trained = self._chosen()
        if trained is None or self._saving is not None:
            return False
        if Path(path).suffix.lower() not in WEIGHT_SUFFIXES:
            path += ".safetensors"
        worker = SaveWeightsWorker(trained.weights, path)
        worker.finished.connect(self._saved)
        self._saving = WorkerThread(worker, self)
        self._saving.done.connect(self._save_done)
        self._saving.start()
        self.save_button.setEnabled(False)
        return True

    def shutdown(self) -> None:
        """Cancel the race, wait for it and for a save or a data set being read (the window is closing)."""
        self._closing = True
        self._redraw.stop()
        self.job.shutdown()
        self.data.shutdown()
        if self._saving is not None:
            self._saving.stop()

    # --- showing ----------------------------------------------------------------------------------------------

    def bring_up_to_date(self) -> None:
        """The first look reads the data set for its sample."""
        self.data.show_sample()

    def _curves_changed(self) -> None:
        if not self._redraw.isActive():
            self._redraw.start()

    def draw(self) -> None:
        """Redraw the curves, the gap and the progress (called at most REDRAW_MS apart while training)."""
        curves = self.job.curves
        labels = [c.label for c in curves]
        if labels and labels != self.plots.labels:
            self.plots.set_networks(labels)
        self.plots.show_curves(curves)
        self._show_gap(curves)
        self._show_stops(curves)
        self._show_progress(curves)

    def _show_progress(self, curves: list[TrainingCurve]) -> None:
        options = self.job.options
        if options is None or not curves:
            self.subtitle.setText("")
            return
        step = max(c.steps for c in curves)
        seconds = max((c.points[-1].wall_seconds for c in curves if c.points), default=0.0)
        state = {"paused": " · paused", "cancelling": " · cancelling..."}.get(self.job.state, "")
        self.subtitle.setText(f"step {step} of {options.steps} · {seconds:.0f} s{state}")

    def _show_gap(self, curves: list[TrainingCurve]) -> None:
        found = find_gap(curves)
        if found is None:
            self.plots.mark_gap(None)
            if self.gap_at is not None:
                self.gap_at = None
                self._show_expectation()
            return
        step, behind, ahead = found
        point = next(p for p in ahead.points if p.step == step)
        self.plots.mark_gap(point.wall_seconds if self.plots.against_time else step)
        shared = min(behind.steps, ahead.steps) - 1
        slow, fast = behind.smoothed_losses(GAP_WINDOW)[shared], ahead.smoothed_losses(GAP_WINDOW)[shared]
        self.gap_label.setText(
            f"<b>The gap is clear from step {step}</b> ({point.wall_seconds:.0f} s): {escape(behind.label)} stays "
            f"behind {escape(ahead.label)} (loss {slow:.2f} against {fast:.2f}, averaged over {GAP_WINDOW} steps)."
        )
        if self.gap_at != step:
            self.gap_at = step
            self.status_message.emit(
                f"The gap is clear: {behind.label} behind {ahead.label} from step {step}"
            )

    def _show_expectation(self) -> None:
        """What to watch for, before the gap shows."""
        options, data = self.job.options, self.job.data
        labels = [c.label for c in self.job.curves] or [label for label, _name in DEFAULT_RACE]
        default = (
            labels == [label for label, _name in DEFAULT_RACE]
            and (options is None or replace(options, device=RACE_OPTIONS.device) == RACE_OPTIONS)
            and (data is None or data == DataChoice())
        )
        if default:
            text = (
                f"With these settings the gap shows after about {GAP_CLEAR_AFTER} steps: plain-56's loss stays "
                "clearly above ResNet-56's, and deeper is worse without skips. The step is marked when it happens."
            )
        else:
            text = (
                "The step from which the network with the highest loss stays clearly behind the one with the lowest "
                f"(averaged over {GAP_WINDOW} steps: 0.5 apart and twice as high) is marked when it happens."
            )
        self.gap_label.setText(text)

    def _show_stops(self, curves: list[TrainingCurve]) -> None:
        stops = [c.stop for c in curves if c.stop is not None and c.stop.kind != "cancelled"]
        if not stops:
            return
        text = "<br>".join(f"<b>{escape(s.message)}.</b> {escape(s.suggestion)}" for s in stops)
        self.problem_banner.show_message(text, ERROR_COLOUR)
        for stop in stops:
            if stop.message not in self._shown_stops:
                self._shown_stops.add(stop.message)
                self.status_message.emit(str(stop))

    def _show_state(self, state: str) -> None:
        idle = state == "idle"
        self.start_button.setEnabled(idle)
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.cancel_button.setEnabled(state in ("running", "paused"))
        self.form.set_enabled(idle)
        self.data.set_enabled(idle)
        if idle:
            self._form_changed()
        self._show_progress(self.job.curves)

    def _show_weights(self, networks: tuple[TrainedNetwork, ...]) -> None:
        self.weights_choice.clear()
        for trained in networks:
            self.weights_choice.addItem(trained.describe())
        document = self.document.graph.snapshot().structure()
        same = next((i for i, t in enumerate(networks) if t.snapshot.structure() == document), 0)
        self.weights_choice.setCurrentIndex(same)
        for widget in (self.weights_label, self.weights_choice, self.use_button, self.save_button):
            widget.setEnabled(bool(networks))
        self.save_button.setEnabled(bool(networks) and self._saving is None)

    def _chosen(self) -> TrainedNetwork | None:
        index = self.weights_choice.currentIndex()
        networks = self.controller.race_weights
        return networks[index] if 0 <= index < len(networks) else None

    # --- events -----------------------------------------------------------------------------------------------

    def _form_changed(self) -> None:
        reason = self.form.check(self.controller.options.device)
        self.start_button.setToolTip(
            f"Cannot start: {reason}" if reason else "Train the networks side by side on the same batches"
        )
        if self.job.state == "idle":
            self.start_button.setEnabled(not reason)

    def _pause_clicked(self) -> None:
        if self.job.state == "paused":
            self.job.resume()
        else:
            self.job.pause()

    def _finished(self, result: RaceResult | RaceRefusal) -> None:
        self.draw()
        if isinstance(result, RaceRefusal):
            self.problem_banner.show_message(
                f"<b>The race could not start.</b> {escape(result.message)}", ERROR_COLOUR
            )
            self.status_message.emit(f"The race could not start: {result.message}")
            return
        kept = tuple(
            TrainedNetwork(c.label, self.job.networks[c.label], c.weights)
            for c in result.curves
            if c.weights is not None and c.label in self.job.networks
        )
        if kept:
            self.controller.keep_race_weights(kept)
        finals = ", ".join(
            f"{c.label} {c.smoothed_losses(GAP_WINDOW)[-1]:.2f}" for c in result.curves if c.points
        )
        verb = "cancelled" if result.status == "cancelled" else "finished"
        self.status_message.emit(f"Race {verb}: loss {finals} (averaged over the last {GAP_WINDOW} steps)")

    def _data_failed(self, message: str) -> None:
        self.problem_banner.show_message(
            f"<b>This folder cannot be used.</b> {escape(message)}", WARNING_COLOUR
        )
        self.status_message.emit(f"This folder cannot be used: {message}")

    def _data_changed(self, choice: DataChoice) -> None:
        self.problem_banner.hide()
        self.status_message.emit(f"The race trains on {choice.describe()}")

    def _x_axis_changed(self, index: int) -> None:
        self.plots.set_against_time(index == 1)
        self.draw()

    def _save_clicked(self) -> None:
        trained = self._chosen()
        if trained is None:
            return
        suggestion = trained.label.lower().replace(" ", "_") + ".safetensors"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Weights", suggestion, "safetensors (*.safetensors);;PyTorch state dict (*.pt *.pth)"
        )
        if path:
            self.save_weights(path)

    def _saved(self, path: str, error: str) -> None:
        if self._closing:
            return
        if error:
            self.problem_banner.show_message(f"<b>Not saved.</b> {escape(error)}", ERROR_COLOUR)
            self.status_message.emit(f"Not saved: {error}")
        else:
            self.status_message.emit(f"Saved the weights to {Path(path).name}")

    def _save_done(self) -> None:
        job, self._saving = self._saving, None
        if job is not None:
            job.deleteLater()
        if not self._closing:
            self.save_button.setEnabled(bool(self.controller.race_weights))

    # --- look -------------------------------------------------------------------------------------------------

    def restyle(self) -> None:
        """Plot colours and fonts."""
        self.plots.restyle(self.colours, plot_font(self))

    def export_target(self) -> QWidget:
        """The plots and the line about the gap (not the form)."""
        return self.board
