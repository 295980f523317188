"""What to race: two to four networks, the SGD options (with the engine's defaults), read and checked as typed.

A value that is not a number, or out of range, is refused where it was typed: the field is outlined and the
reason shows under the form (and on the Start button's tooltip).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import GraphError
from ...core.model import GraphSnapshot
from ...core.presets import PRESETS, preset
from ...core.project import ProjectFileError, load_project, why_not_opened
from ...results.training import DEFAULT_RACE, RACE_OPTIONS, OptionsError, TrainingOptions
from ..document import Document
from ..theme import ERROR_COLOUR

MAX_NETWORKS = 4
MIN_NETWORKS = 2
CANVAS = "canvas"
"""The combo entry that stands for the network on the canvas (taken when the race starts)."""
OPEN_FILE = "file"


@dataclass(frozen=True)
class Field:
    """One SGD option: its key in TrainingOptions, its label and how to read it."""

    key: str
    label: str
    whole: bool
    tip: str


FIELDS = (
    Field("steps", "Steps", True, "SGD steps each network takes"),
    Field("batch_size", "Batch", True, "Images per step (the same batches for every network)"),
    Field("lr", "Learning rate", False, "The step size of SGD (constant)"),
    Field("momentum", "Momentum", False, "SGD momentum, from 0 up to (not including) 1"),
    Field("weight_decay", "Weight decay", False, "L2 penalty on the weights"),
    Field("seed", "Seed", True, "Seeds the initial weights and the order of the batches"),
)


def short_label(name: str) -> str:
    """The label a preset races under: the default race's ('plain-56'), else its title without '(CIFAR)'."""
    for label, preset_name in DEFAULT_RACE:
        if preset_name == name:
            return label
    return PRESETS[name].title.replace(" (CIFAR)", "")


class NetworkRow(QWidget):
    """One network of the race: a combo of the canvas, the presets and opened files."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, form: RaceForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.combo = QComboBox(self)
        self.combo.setAccessibleName("Network")
        self.combo.addItem("The network on the canvas", CANVAS)
        first = [name for _label, name in DEFAULT_RACE]
        for name in first + [n for n in PRESETS if n not in first]:
            self.combo.addItem(short_label(name), name)
            self.combo.setItemData(self.combo.count() - 1, PRESETS[name].blurb, Qt.ItemDataRole.ToolTipRole)
        self.combo.addItem("Project File...", OPEN_FILE)
        self.combo.activated.connect(self._activated)
        self.remove = QToolButton(self)
        self.remove.setText("×")
        self.remove.setToolTip("Leave this network out of the race")
        self.remove.clicked.connect(self._remove_clicked)
        self.files: dict[int, GraphSnapshot] = {}
        self._last = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.remove)

    def choose(self, key: str) -> None:
        """Select a preset by name, or the canvas."""
        index = self.combo.findData(key)
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self._last = index

    def add_snapshot(self, label: str, snapshot: GraphSnapshot) -> None:
        """Offer (and select) a network that is not a preset: an opened file, or one a script hands over."""
        index = self.combo.count() - 1
        self.combo.insertItem(index, label, f"snapshot:{index}:{label}")
        self.files[index] = snapshot
        self.combo.setCurrentIndex(index)
        self._last = index
        self.changed.emit()

    def entry(self) -> tuple[str, GraphSnapshot]:
        """(label, network) as chosen now; GraphError when the canvas network cannot be trained."""
        key = str(self.combo.currentData())
        index = self.combo.currentIndex()
        if key == CANVAS:
            document = self.form.document
            if not document.analysis.ok:
                raise GraphError("the network on the canvas has errors: fix them first (see Problems)")
            label = document.name or document.display_name.split(".")[0]
            return label, document.graph.snapshot()
        if index in self.files:
            return self.combo.currentText(), self.files[index]
        return short_label(key), preset(key).snapshot()

    def _activated(self, index: int) -> None:
        if self.combo.itemData(index) == OPEN_FILE:
            self.combo.setCurrentIndex(self._last)
            self.form.open_file_for(self)
            return
        self._last = index
        self.changed.emit()

    def _remove_clicked(self) -> None:
        self.remove_requested.emit(self)


class RaceForm(QWidget):
    """The networks and SGD options of the next race."""

    changed = Signal()
    """Something was edited (the panel checks the form again)."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.rows: list[NetworkRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(3)
        self.add_button = QToolButton(self)
        self.add_button.setText("+ Add a Network")
        self.add_button.clicked.connect(self._add_clicked)
        self.fields: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        for i, spec in enumerate(FIELDS):
            edit = QLineEdit(self)
            edit.setText(_text(getattr(RACE_OPTIONS, spec.key)))
            edit.setToolTip(spec.tip)
            edit.setAccessibleName(spec.label)
            edit.setMaximumWidth(90)
            edit.textChanged.connect(self._edited)
            label = QLabel(spec.label, self)
            label.setBuddy(edit)
            grid.addWidget(label, i // 2, (i % 2) * 2)
            grid.addWidget(edit, i // 2, (i % 2) * 2 + 1)
            self.fields[spec.key] = edit
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.problem.hide()
        networks_label = QLabel("<b>Networks</b> (2 to 4, trained side by side on the same batches)", self)
        networks_label.setWordWrap(True)
        options_label = QLabel("<b>SGD</b> (the defaults make the race show in a lecture)", self)
        options_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(networks_label)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.add_button)
        layout.addSpacing(4)
        layout.addWidget(options_label)
        layout.addLayout(grid)
        layout.addWidget(self.problem)
        for _label, name in DEFAULT_RACE:
            self.add_row().choose(name)

    # --- networks ---------------------------------------------------------------------------------------------

    def add_row(self) -> NetworkRow:
        """One more network (a preset at first); at most four."""
        row = NetworkRow(self, self)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self._rows_changed()
        return row

    def set_networks(self, networks: list[tuple[str, GraphSnapshot]]) -> None:
        """Race exactly these networks (labels and snapshots), replacing the rows."""
        for row in list(self.rows):
            self._remove_row(row, force=True)
        for label, snapshot in networks:
            self.add_row().add_snapshot(label, snapshot)
        self._rows_changed()

    def networks(self) -> dict[str, GraphSnapshot]:
        """The chosen networks by label (labels made unique); GraphError when one cannot be used."""
        chosen: dict[str, GraphSnapshot] = {}
        for row in self.rows:
            label, snapshot = row.entry()
            unique, n = label, 2
            while unique in chosen:
                unique, n = f"{label} ({n})", n + 1
            chosen[unique] = snapshot
        return chosen

    def open_file_for(self, row: NetworkRow) -> None:
        """Ask for a project file and race the network in it."""
        path, _ = QFileDialog.getOpenFileName(
            self.window(), "Race a Network from a File", "", "ResNet Studio project (*.json)"
        )
        if not path:
            return
        try:
            project = load_project(path)
        except (ProjectFileError, OSError) as error:
            self.show_problem(f"Cannot race {Path(path).name}: {why_not_opened(error)}")
            return
        label = project.name or path.rsplit("/", 1)[-1].split(".")[0]
        row.add_snapshot(label, project.graph.snapshot())

    def _add_clicked(self) -> None:
        self.add_row()
        self.changed.emit()

    def _remove_row(self, row: NetworkRow, force: bool = False) -> None:
        if (len(self.rows) <= MIN_NETWORKS and not force) or row not in self.rows:
            return
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._rows_changed()
        self.changed.emit()

    def _rows_changed(self) -> None:
        self.add_button.setEnabled(len(self.rows) < MAX_NETWORKS)
        for row in self.rows:
            row.remove.setEnabled(len(self.rows) > MIN_NETWORKS)

    # --- options ----------------------------------------------------------------------------------------------

    def options(self, device: str) -> TrainingOptions:
        """The options as typed, for this device; OptionsError naming the field and the reason otherwise."""
        values: dict[str, object] = {}
        for spec in FIELDS:
            text = self.fields[spec.key].text().strip()
            try:
                values[spec.key] = int(text) if spec.whole else float(text)
            except ValueError:
                kind = "a whole number" if spec.whole else "a number"
                raise OptionsError(f"{spec.label}: {text!r} is not {kind}") from None
        try:
            return TrainingOptions(device=device, **values)  # type: ignore[arg-type]
        except OptionsError as error:
            raise OptionsError(_sentence(str(error))) from None

    def check(self, device: str) -> str:
        """'' when the options can be used, else why not; outlines the field at fault and shows the reason."""
        bad: set[str] = set()
        try:
            self.options(device)
            reason = ""
        except OptionsError as error:
            reason = str(error)
            bad = {s.key for s in FIELDS if reason.lower().startswith(s.label.lower()) or _names(s, reason)}
        for key, edit in self.fields.items():
            edit.setStyleSheet(f"border: 2px solid {ERROR_COLOUR};" if key in bad else "")
        self.show_problem(reason)
        return reason

    def show_problem(self, text: str) -> None:
        """Show why the race cannot start ('' hides it)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_enabled(self, on: bool) -> None:
        """Lock the form while a race runs."""
        for widget in [*self.fields.values(), *self.rows, self.add_button]:
            widget.setEnabled(on)
        if on:
            self._rows_changed()

    def _edited(self) -> None:
        self.changed.emit()


def _text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _sentence(message: str) -> str:
    """The engine's 'the learning rate must be ...' as a field's reason: 'Learning rate must be ...'."""
    text = message[4:] if message.startswith("the ") else message
    return text[:1].upper() + text[1:]


def _names(spec: Field, reason: str) -> bool:
    words = {"batch_size": "batch size", "lr": "learning rate", "weight_decay": "weight decay"}
    return words.get(spec.key, spec.label.lower()) in reason.lower()
