"""What landscape to compute: the network to set beside the canvas's, the weights, the grid, range, batch and seed,
read as typed and checked by the same rules as the command line (LandscapeOptions), so a bad value is refused
with the same sentence."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...core.model import GraphSnapshot
from ...core.presets import PRESETS
from ...core.project import ProjectFileError, load_project, why_not_opened
from ...core.shapes import check_batch_size
from ...results.landscape import LandscapeOptions, LandscapeOptionsError
from ..theme import ERROR_COLOUR
from .gradient_words import short_name
from .race_form import short_label

TWIN = "twin"
OPEN_FILE = "file"
INITIAL, RACE, WEIGHTS_FILE = "initial", "race", "weights file"
WEIGHTS = (
    (INITIAL, "At initialisation"),
    (RACE, "Weights from the race"),
    (WEIGHTS_FILE, "From a File..."),
)
DEFAULTS = {"grid": "11", "range": "1", "batch": "32", "seed": "0"}
TIPS = {
    "grid": "Points along each direction (3 to 501): a 5x5 grid comes first, then finer ones",
    "range": "The slice spans -range..range along each (filter-normalised) direction",
    "batch": "Images in the fixed batch the loss is computed on (shapes and textures)",
    "seed": "Seeds the random directions, the batch and the initial weights",
}
WEIGHTS_FILTER = "Weights (*.pt *.pth *.safetensors)"


class LandscapeForm(QWidget):
    """The options row of the Landscape dock."""

    problem = Signal(str)
    """A choice could not be taken (a project file that does not open): why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.other = QComboBox(self)
        self.other.setAccessibleName("Beside")
        self.other.addItem("its plain twin (every skip off)", TWIN)
        for name in PRESETS:
            self.other.addItem(short_label(name), name)
        self.other.addItem("Project File...", OPEN_FILE)
        self.other.activated.connect(self._other_chosen)
        self.files: dict[int, tuple[str, GraphSnapshot]] = {}
        self._other_index = 0
        self.weights = QComboBox(self)
        self.weights.setAccessibleName("Weights")
        for key, text in WEIGHTS:
            self.weights.addItem(text, key)
        self.weights.setToolTip(
            "The weights each surface is centred on. After training, residual and plain networks differ most; "
            "at initialisation they look much alike"
        )
        self.weights.activated.connect(self._weights_chosen)
        self.weights_path = ""
        self._weights_index = 0
        self.fields: dict[str, QLineEdit] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for text, widget in (("Beside", self.other), ("Weights", self.weights)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
        for key, value in DEFAULTS.items():
            edit = QLineEdit(value, self)
            edit.setAccessibleName(key.capitalize())
            edit.setToolTip(TIPS[key])
            edit.setMaximumWidth(64)
            label = QLabel(key.capitalize(), self)
            label.setBuddy(edit)
            layout.addWidget(label)
            layout.addWidget(edit)
            self.fields[key] = edit
        layout.addStretch(1)

    # --- reading ----------------------------------------------------------------------------------------------

    def options(self) -> LandscapeOptions:
        """The options as typed; LandscapeOptionsError saying which value is wrong and why otherwise."""
        grid = self._whole("grid")
        seed = self._whole("seed")
        text = self.fields["range"].text().strip()
        try:
            reach = float(text)
        except ValueError:
            raise LandscapeOptionsError(f"range must be a number, not {text!r}") from None
        return LandscapeOptions(grid=grid, range=reach, seed=seed)

    def batch_size(self) -> int:
        """The batch as typed; LandscapeOptionsError when it is not a usable batch size."""
        value = self._whole("batch")
        try:
            return check_batch_size(value)
        except ValueError as error:
            raise LandscapeOptionsError(str(error)) from None

    def check(self) -> str:
        """'' when the options can be used, else why not (the field at fault outlined)."""
        reason = ""
        try:
            self.options()
            self.batch_size()
        except LandscapeOptionsError as error:
            reason = str(error)
        for key, edit in self.fields.items():
            bad = reason.startswith(key)
            edit.setStyleSheet(f"border: 2px solid {ERROR_COLOUR};" if bad else "")
        return reason

    def _whole(self, key: str) -> int:
        text = self.fields[key].text().strip()
        try:
            return int(text)
        except ValueError:
            raise LandscapeOptionsError(f"{key} must be a whole number, not {text!r}") from None

    @property
    def weights_choice(self) -> str:
        """INITIAL, RACE or WEIGHTS_FILE."""
        return str(self.weights.currentData())

    def set_enabled(self, on: bool) -> None:
        """Lock the form while a landscape is computed."""
        for widget in [self.other, self.weights, *self.fields.values()]:
            widget.setEnabled(on)

    def set_race_available(self, available: bool) -> None:
        """Offer the race's weights only when a race has kept some."""
        model = self.weights.model()
        item = model.item(1) if hasattr(model, "item") else None
        if item is not None:
            item.setEnabled(available)
        if available and self.weights_choice == INITIAL:
            self.weights.setCurrentIndex(1)  # trained weights show the difference; the race has them
        if not available and self.weights_choice == RACE:
            self.weights.setCurrentIndex(0)
        self._weights_index = self.weights.currentIndex()

    def choose_other(self, key: str) -> None:
        """Set the network beside the canvas's: 'plain' (its plain twin) or a preset's name."""
        index = self.other.findData(TWIN if key == "plain" else key)
        if index >= 0:
            self.other.setCurrentIndex(index)
            self._other_index = index

    # --- choosing files ---------------------------------------------------------------------------------------

    def _other_chosen(self, index: int) -> None:
        if self.other.itemData(index) != OPEN_FILE:
            self._other_index = index
            return
        self.other.setCurrentIndex(self._other_index)
        path, _ = QFileDialog.getOpenFileName(
            self.window(), "Beside a Network from a File", "", "ResNet Studio project (*.json)"
        )
        if not path:
            return
        try:
            project = load_project(path)
        except (ProjectFileError, OSError) as error:
            self.problem.emit(f"Cannot open {Path(path).name}: {why_not_opened(error)}")
            return
        label = short_name(project.name or path.rsplit("/", 1)[-1].split(".")[0])
        at = self.other.count() - 1
        self.other.insertItem(at, label, f"file:{at}")
        self.files[at] = (label, project.graph.snapshot())
        self.other.setCurrentIndex(at)
        self._other_index = at

    def _weights_chosen(self, index: int) -> None:
        if self.weights.itemData(index) != WEIGHTS_FILE:
            self._weights_index = index
            return
        path, _ = QFileDialog.getOpenFileName(self.window(), "Weights to Centre On", "", WEIGHTS_FILTER)
        if not path:
            self.weights.setCurrentIndex(self._weights_index)
            return
        self.weights_path = path
        self.weights.setItemText(index, f"From {path.rsplit('/', 1)[-1]}")
        self._weights_index = index
