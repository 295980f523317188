"""The Gradients dock: after one backward pass on a batch of the data set, the gradient norm of every convolution
of the network on the canvas and of another (its plain twin, a preset or a file) on a log axis; the difference in
words; the canvas cards tinted by how much gradient reaches them; whole-network switches for the skip
connections and the normalisation (one undo step each), after which the comparison runs again and the one before
stays dashed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import Analysis, analyze
from ...core.catalogue import Role, get_spec
from ...core.errors import GraphError
from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...core.presets import PRESETS, plain_twin, preset
from ...core.project import ProjectFileError, load_project, why_not_opened
from ...core.switches import set_everywhere, switch_values
from ...results.gradients import GradientOutcome, GradientRequest
from ..canvas.gradient_tint import GradientTintLayer, ratio_words
from ..canvas.scene import CanvasScene
from ..document import Document
from ..progress_bar import ProgressBar
from ..run.controller import RunController
from ..teaching.gradient_job import GradientJob
from ..theme import ERROR_COLOUR, WARNING_COLOUR
from .gradient_plot import GradientPlot
from .gradient_words import EXPLANATION, flow_sentence, network_name, short_name, verdict
from .panel_frame import PanelFrame, escape
from .plots import plot_font
from .race_form import short_label
from .tint_legend import TintLegend

TWIN = "twin"
OPEN_FILE = "file"
INITIALISATIONS = (
    ("he", "He initialisation (as torchvision)"),
    ("pytorch", "PyTorch's default initialisation"),
    ("race", "Weights from the race"),
)
SIDE_WIDTH = 360
HE_HINT = (
    "Without BatchNorm, He initialisation keeps a plain network's gradient alive at the start; choose PyTorch's "
    "default initialisation under Weights to see it vanish, as in reference implementations."
)
STALE_TEXT = "The network changed since this comparison: compare again to update."


def classes_of(analysis: Analysis) -> int | None:
    """How many class scores the network's (first) output gives; None when it is not one score per class."""
    for node in analysis:
        if get_spec(node.type).role is Role.OUTPUT:
            shape = node.output_shape
            return shape[0] if shape is not None and len(shape) == 1 else None
    return None


class GradientsPanel(PanelFrame):
    """Gradient flow of the canvas network beside another network, with the switches that change it."""

    title_text = "Gradient Flow"

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
        self.job = GradientJob(self)
        self.tint: GradientTintLayer | None = None
        self.plot = GradientPlot(self)
        self.other = QComboBox(self)
        self.other.setAccessibleName("Compare with")
        self.other.addItem("its plain twin (every skip off)", TWIN)
        for name in PRESETS:
            self.other.addItem(short_label(name), name)
        self.other.addItem("Project File...", OPEN_FILE)
        self.other.activated.connect(self._other_chosen)
        self._files: dict[int, tuple[str, GraphSnapshot]] = {}
        self._other_index = 0
        self.weights = QComboBox(self)
        self.weights.setAccessibleName("Weights")
        for key, text in INITIALISATIONS:
            self.weights.addItem(text, key)
        self.weights.setToolTip(
            "The weights the networks start from. Race weights are used for a network trained in the last race "
            "(the same blocks); the others start from He initialisation"
        )
        self.batch = QSpinBox(self)
        self.batch.setRange(2, 512)
        self.batch.setValue(32)
        self.batch.setToolTip("Images in the batch (from the procedural shapes and textures)")
        self.compare_button = QPushButton("Compare Gradients", self)
        self.compare_button.setToolTip(
            "One backward pass through each network on the same batch; runs on the device chosen in the run "
            "toolbar"
        )
        self.progress = ProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.skips = QCheckBox("Skip connections", self)
        self.skips.setToolTip(
            "Every residual block's skip connection on or off (one undo step); compares again"
        )
        self.norm = QCheckBox("BatchNorm", self)
        self.norm.setToolTip("BatchNorm in every block and the stem, or none (one undo step); compares again")
        self.tint_box = QCheckBox("Tint the canvas", self)
        self.tint_box.setChecked(True)
        self.tint_box.setToolTip("Wash each block's card by how much gradient reaches it")
        self.words = QLabel(self)
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.earlier_words = QLabel(self)
        self.earlier_words.setWordWrap(True)
        self.legend = TintLegend(self)
        self.explanation = QLabel(EXPLANATION, self)
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._lay_out()
        self._connect()
        self.stack.setCurrentWidget(self.content)
        self._show_running(False)
        self._sync_switches()
        self._show_waiting()
        self.finish_setup()

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        controls.setSpacing(6)
        for text, widget in (("Compare with", self.other), ("Weights", self.weights), ("Batch", self.batch)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget)
        controls.addWidget(self.compare_button)
        controls.addWidget(self.progress)
        controls.addWidget(self.cancel_button)
        controls.addStretch(1)
        switches = QHBoxLayout()
        switches.setSpacing(14)
        for box in (self.skips, self.norm, self.tint_box):
            switches.addWidget(box)
        switches.addStretch(1)
        side = QWidget(self)
        column = QVBoxLayout(side)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(self.words)
        column.addWidget(self.earlier_words)
        column.addSpacing(4)
        column.addWidget(self.legend)
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
        """What Export PNG saves: the plot and the words beside it."""
        board = QHBoxLayout(self.board)
        board.setContentsMargins(0, 0, 0, 0)
        board.addWidget(self.plot, 1)
        board.addWidget(scroll)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(controls)
        layout.addLayout(switches)
        layout.addWidget(self.board, 1)

    def _connect(self) -> None:
        self.compare_button.clicked.connect(self.compare)
        self.cancel_button.clicked.connect(self.job.cancel)
        self.skips.clicked.connect(self._skips_clicked)
        self.norm.clicked.connect(self._norm_clicked)
        self.tint_box.toggled.connect(self._show_tint)
        self.job.running_changed.connect(self._show_running)
        self.job.progress.connect(self._progressed)
        self.job.finished.connect(self._finished)
        self.document.analysis_changed.connect(self._analysis_changed)
        self.document.reloaded.connect(self._reloaded)
        self.controller.race_weights_changed.connect(self._race_weights_changed)
        self._race_weights_changed(self.controller.race_weights)

    def attach_canvas(self, scene: QGraphicsScene) -> None:
        """Tint this canvas's cards."""
        if self.tint is None and isinstance(scene, CanvasScene):
            self.tint = GradientTintLayer(scene, self)

    # --- commands ---------------------------------------------------------------------------------------------

    def compare(self) -> bool:
        """Compare the canvas network with the chosen other one in the background; False (with the reason
        shown) when it cannot start."""
        if self.job.running:
            return False
        analysis = self.document.analysis
        if not analysis.ok or not analysis.order:
            self._problem("Fix the errors in the network first (see Problems): it cannot be built as it is.")
            return False
        request = self.request()
        if request is None:
            return False
        self.problem_banner.hide()
        started = self.job.start(request)
        if started:
            self.status_message.emit(f"Comparing gradients: {request.names[0]} and {request.names[1]}")
        return started

    def compare_with(self, other: str) -> bool:
        """Compare with 'plain' (the plain twin) or a preset by name, as if chosen and Compare pressed."""
        index = self.other.findData(TWIN if other == "plain" else other)
        if index < 0:
            self._problem(f"There is no network called {other!r} to compare with")
            return False
        self.other.setCurrentIndex(index)
        self._other_index = index
        return self.compare()

    def request(self) -> GradientRequest | None:
        """The comparison Compare would start now (None, with the reason shown, when the other network cannot
        be had)."""
        graph = self.document.graph
        snapshot = graph.snapshot()
        skips, norms = switch_values(graph, "skip"), switch_values(graph, "norm")
        base = self.document.name or self.document.display_name.split(".")[0]
        name = network_name(base, skips, norms)
        key = str(self.other.currentData())
        index = self.other.currentIndex()
        if key == TWIN:
            other = plain_twin(Graph(snapshot)).snapshot()
            twin = network_name(base, frozenset({False}), norms)
            other_name = twin if skips != {False} else f"{name} (its own plain twin)"
        elif index in self._files:
            other_name, other = self._files[index]
        else:
            other_name, other = short_label(key), preset(key).snapshot()
        if other_name == name:
            other_name += " (other)"
        settings = self.document.settings
        classes = [
            classes_of(self.document.analysis),
            classes_of(analyze(Graph(other), settings.input_shape)),
        ]
        counts = [c for c in classes if c is not None]
        initialisation = str(self.weights.currentData())
        weights = (None, None)
        if initialisation == "race":
            found = (self.controller.trained_for(snapshot), self.controller.trained_for(other))
            weights = tuple(t.weights if t is not None else None for t in found)  # type: ignore[assignment]
        return GradientRequest(
            snapshot,
            other,
            (name, other_name),
            batch_size=self.batch.value(),
            device=self.controller.options.device,
            input_shape=settings.input_shape,
            classes=min(counts) if counts else 10,
            weights=weights,
            initialisation="pytorch" if initialisation == "pytorch" else "he",
        )

    def set_switch(self, name: str, value: object) -> bool:
        """Set a parameter in every block that has it as one undo step, then compare again (the comparison
        before stays dashed); False when nothing changed."""
        try:
            command = set_everywhere(self.document.graph, name, value)
        except GraphError as error:
            self.status_message.emit(str(error))
            self._sync_switches()
            return False
        if command is None:
            self._sync_switches()
            return False
        self.document.push(command)
        self.status_message.emit(self.document.undo_stack.undoText())
        self.compare()
        return True

    def shutdown(self) -> None:
        """Cancel a comparison and wait for it; take the tint off the canvas (the window is closing)."""
        self.job.shutdown()
        if self.tint is not None:
            self.tint.detach()

    # --- showing ----------------------------------------------------------------------------------------------

    def _finished(self, outcome: GradientOutcome) -> None:
        if outcome.status == "cancelled":
            self.status_message.emit("Gradient comparison cancelled: the one shown is from before")
            return
        if outcome.status == "error":
            error = outcome.error
            text = f"{error.title}: {error.message}" if error is not None else "the comparison failed"
            self._problem(text)
            self.status_message.emit(text)
            return
        self.show_outcome(outcome, self.job.previous)
        comparison = outcome.comparison
        self.status_message.emit(
            f"Gradient flow: {flow_sentence(comparison.other)}; {flow_sentence(comparison.network)}"
        )

    def show_outcome(self, outcome: GradientOutcome, before: GradientOutcome | None) -> None:
        """Plot a comparison, and the one before it dashed."""
        comparison = outcome.comparison
        earlier = (before.comparison.network, before.comparison.other) if before is not None else ()
        self.plot.show_flows((comparison.network, comparison.other), earlier)
        lines = []
        for flow in (comparison.network, comparison.other):
            ratio = flow.first_to_last()
            lines.append(
                f"<p><b style='font-size:large'>{escape(flow_sentence(flow))}</b><br>{verdict(ratio)}</p>"
            )
        if outcome.request.initialisation == "he" and switch_values(
            Graph(outcome.request.network), "norm"
        ) == {"none"}:
            lines.append(f"<p><i>{HE_HINT}</i></p>")
        self.words.setText("".join(lines))
        if before is not None:
            old = before.comparison
            self.earlier_words.setText(
                f"<i>Dashed, before: {escape(flow_sentence(old.network))}; {escape(flow_sentence(old.other))}</i>"
            )
        else:
            self.earlier_words.setText("")
        device = comparison.network.device
        self.subtitle.setText(f"{outcome.batch} · {device} · loss {comparison.network.loss:.3g}")
        self.stale_banner.hide()
        self._show_tint(self.tint_box.isChecked())

    def _show_waiting(self) -> None:
        self.words.setText(
            "<p>Press <b>Compare Gradients</b> to send one batch of shapes and textures through the network and "
            "through its plain twin, and see how much gradient reaches each convolution.</p>"
        )

    def _show_tint(self, on: bool) -> None:
        if self.tint is None:
            return
        current = self.job.current
        if not on or current is None or self._stale(current):
            self.tint.show({}, {})
            return
        flow = current.comparison.network
        graph = self.document.graph
        shapes = {
            graph.node(n.node_id).name: n.output_shape for n in self.document.analysis if n.node_id in graph
        }
        maps = [b for b in flow.blocks if (shape := shapes.get(b.node)) is not None and len(shape) == 3]
        if not maps:
            self.tint.show({}, {})
            return
        reference = maps[-1]
        ratios: dict[str, float] = {}
        tips: dict[str, str] = {}
        for block in flow.blocks:
            try:
                node = graph.node_by_name(block.node)
            except GraphError:
                continue
            ratio = block.grad_norm / reference.grad_norm if reference.grad_norm > 0 else float("inf")
            ratios[node.id] = ratio
            tips[node.id] = (
                f"{block.node} ({flow.label}): gradient reaching its output {block.grad_norm:.3g}, "
                f"{ratio_words(ratio)} {reference.node}'s"
            )
        self.tint.show(ratios, tips)

    def _show_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.compare_button.setEnabled(not running)
        self.progress.setValue(0)

    def _progressed(self, fraction: float, node: str) -> None:
        self.progress.setValue(round(fraction * 1000))
        self.progress.setToolTip(node)

    def _problem(self, text: str) -> None:
        self.problem_banner.show_message(f"<b>Gradient flow failed.</b> {escape(text)}", ERROR_COLOUR)

    def _stale(self, outcome: GradientOutcome) -> bool:
        return outcome.request.network.structure() != self.document.graph.snapshot().structure()

    # --- events -----------------------------------------------------------------------------------------------

    def _analysis_changed(self, _analysis: Analysis) -> None:
        self._sync_switches()
        current = self.job.current
        if current is not None and self._stale(current) and not self.job.running:
            self.stale_banner.show_message(STALE_TEXT, WARNING_COLOUR, "Compare Again", self.compare)
        elif current is not None:
            self.stale_banner.hide()
        self._show_tint(self.tint_box.isChecked())

    def _reloaded(self) -> None:
        self.job.forget()
        self.plot.clear()
        self.subtitle.setText("")
        self.earlier_words.setText("")
        self.stale_banner.hide()
        self.problem_banner.hide()
        self._show_waiting()
        self._sync_switches()
        self._show_tint(False)

    def _sync_switches(self) -> None:
        graph = self.document.graph
        for box, name, on_value in ((self.skips, "skip", True), (self.norm, "norm", "batchnorm")):
            values = switch_values(graph, name)
            box.blockSignals(True)
            box.setEnabled(bool(values))
            if not values:
                box.setCheckState(Qt.CheckState.Unchecked)
            elif values == {on_value}:
                box.setCheckState(Qt.CheckState.Checked)
            elif on_value in values:
                box.setCheckState(Qt.CheckState.PartiallyChecked)
            else:
                box.setCheckState(Qt.CheckState.Unchecked)
            box.blockSignals(False)

    def _skips_clicked(self, on: bool) -> None:
        self.set_switch("skip", on)

    def _norm_clicked(self, on: bool) -> None:
        self.set_switch("norm", "batchnorm" if on else "none")

    def _race_weights_changed(self, networks: tuple[object, ...]) -> None:
        model = self.weights.model()
        item = model.item(2) if hasattr(model, "item") else None
        if item is not None:
            item.setEnabled(bool(networks))
        if not networks and self.weights.currentIndex() == 2:
            self.weights.setCurrentIndex(0)

    def _other_chosen(self, index: int) -> None:
        if self.other.itemData(index) != OPEN_FILE:
            self._other_index = index
            return
        self.other.setCurrentIndex(self._other_index)
        path, _ = QFileDialog.getOpenFileName(
            self.window(), "Compare with a Network from a File", "", "ResNet Studio project (*.json)"
        )
        if not path:
            return
        try:
            project = load_project(path)
        except (ProjectFileError, OSError) as error:
            self._problem(f"Cannot compare with {Path(path).name}: {why_not_opened(error)}")
            return
        label = short_name(project.name or path.rsplit("/", 1)[-1].split(".")[0])
        at = self.other.count() - 1
        self.other.insertItem(at, label, f"file:{at}")
        self._files[at] = (label, project.graph.snapshot())
        self.other.setCurrentIndex(at)
        self._other_index = at

    # --- look -------------------------------------------------------------------------------------------------

    def restyle(self) -> None:
        """Plot colours and fonts; the tint follows the theme."""
        self.plot.restyle(self.colours, plot_font(self))
        small = plot_font(self, 0.9)
        self.explanation.setFont(small)
        self.legend.bar.update()
        if self.tint is not None:
            self.tint.refresh()

    def export_target(self) -> QWidget:
        """The plot and the words beside it."""
        return self.board
