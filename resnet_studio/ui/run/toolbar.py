"""The run toolbar: device, input (random with a seed, the sample image, an image file), weights, Run, Cancel.

Batch size and number format are document settings and live in the run-settings bar beside it. The device list
starts with the CPU and fills in once the worker thread has asked torch (so the window never waits on it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ...results.run_request import DeviceInfo, InputChoice, RunOptions
from .. import colours
from ..resources import icon
from .controller import RunController

"""The Run button's play triangle (reads on light and dark toolbars)."""
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
WEIGHTS_FILTER = "Weights (*.safetensors *.pt *.pth *.bin);;All files (*)"
OPEN_IMAGE = "__open__"
MAX_SEED = 2**31 - 1
DEVICE_CHARS = 18
"""The device box is as wide as this many characters, whatever the devices turn out to be."""


def run_icon_palette(palette: QPalette) -> QPalette:
    """A palette whose text colour is the Run green (the icon helper draws in the text colour)."""
    coloured = QPalette(palette)
    coloured.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText, QColor(colours.RUN))
    return coloured


class DeviceBox(QComboBox):
    """The device list; opening it asks for the devices if they are not known yet."""

    opened = Signal()

    def showPopup(self) -> None:
        self.opened.emit()
        # the open list is as wide as its longest name, the box itself keeps its width
        self.view().setMinimumWidth(self.view().sizeHintForColumn(0) + 24)
        super().showPopup()


class RunToolbar(QWidget):
    """Device, input, seed, weights, and the Run / Cancel buttons (driven by the window's actions)."""

    def __init__(
        self, controller: RunController, run: QAction, cancel: QAction, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.device = DeviceBox(self)
        self.device.setAccessibleName("Device")
        self.device.setToolTip("Where the forward pass runs: the CPU, a CUDA GPU or Apple's MPS")
        # Sized once, for a name like "CPU (16 threads)": the list fills in a few seconds after start, and a box
        # that grew then would push the Run button away from under the pointer. Longer names are elided here and
        # shown whole in the open list and the tooltip.
        self.device.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device.setMinimumContentsLength(DEVICE_CHARS)
        self.device.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.input = QComboBox(self)
        self.input.setAccessibleName("Input image")
        self.input.setToolTip("What goes into the network: random numbers, the sample image, or your image")
        self.input.addItem("Random", "random")
        self.input.addItem("Sample image", "sample")
        self.input.addItem("Open image...", OPEN_IMAGE)
        self.seed = QSpinBox(self)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setAccessibleName("Seed")
        self.seed.setFixedWidth(self.seed.fontMetrics().horizontalAdvance("0000000000") + 36)
        self.seed.setToolTip(
            "Seeds the random input and the random weights: the same seed gives the same run"
        )
        self.seed_label = QLabel("Seed", self)
        self.seed_label.setBuddy(self.seed)
        self.weights = QToolButton(self)
        self.weights.setAccessibleName("Weights")
        self.weights.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.weights)
        self.open_weights = menu.addAction("Open Weights File...")
        self.open_weights.triggered.connect(self.choose_weights)
        self.random_weights = menu.addAction("Random Weights (seeded)")
        self.random_weights.triggered.connect(lambda: controller.set_weights(None))
        self.race_weights = menu.addMenu("Weights from the Race")
        self.race_weights.aboutToShow.connect(self._fill_race_weights)
        self._fill_race_weights()
        self.weights.setMenu(menu)
        self.run_button = QToolButton(self)
        self.run_button.setDefaultAction(run)
        self.run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.run_button.setObjectName("RunButton")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setDefaultAction(cancel)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        # The bar may be narrower than it likes (a 1024-pixel projector in presentation mode): the labels then
        # go, and the controls and Run stay whole. The layout does not hold the bar at its own least width.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.labels: list[QLabel] = []
        """The words before the controls, hidden while the bar is too narrow for them."""
        for text, widget in (("Device", self.device), ("Input image", self.input)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
            layout.addSpacing(4)
            self.labels.append(label)
        self.labels.append(self.seed_label)
        layout.addWidget(self.seed_label)
        layout.addWidget(self.seed)
        layout.addSpacing(4)
        layout.addWidget(self.weights)
        layout.addSpacing(8)
        layout.addWidget(self.run_button)
        layout.addWidget(self.cancel_button)
        self.show_devices(controller.devices)
        self.show_options(controller.options)
        controller.devices_changed.connect(self.show_devices)
        controller.options_changed.connect(self.show_options)
        controller.document.reloaded.connect(lambda: self.show_options(controller.options))  # its weights
        self.device.opened.connect(controller.probe_devices)
        self.device.activated.connect(self._device_chosen)
        self.input.activated.connect(self._input_chosen)
        self.seed.valueChanged.connect(self._seed_changed)

    # --- width ------------------------------------------------------------------------------------------------

    def _label_widths(self) -> tuple[int, int]:
        """(width of the labels shown now, width of all of them), each with the spacing before its control."""
        spacing = self.layout().spacing()
        widths = [(label.sizeHint().width() + spacing, label.isHidden()) for label in self.labels]
        return sum(w for w, hidden in widths if not hidden), sum(w for w, _ in widths)

    def sizeHint(self) -> QSize:
        hint = self.layout().sizeHint()
        shown, every = self._label_widths()
        return QSize(hint.width() - shown + every, hint.height())

    def minimumSizeHint(self) -> QSize:
        least = self.layout().minimumSize()
        shown, _ = self._label_widths()
        return QSize(least.width() - shown, least.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        fits = event.size().width() >= self.sizeHint().width()
        for label in self.labels:
            if label.isHidden() == fits:
                label.setVisible(fits)

    # --- showing the controller's state -----------------------------------------------------------------------

    def show_devices(self, devices: tuple[DeviceInfo, ...]) -> None:
        """List the devices (the current one stays selected when it is still there)."""
        self.device.blockSignals(True)
        self.device.clear()
        for device in devices:
            self.device.addItem(device.label(), device.name)
            self.device.setItemData(self.device.count() - 1, device.label(), Qt.ItemDataRole.ToolTipRole)
        self.device.blockSignals(False)
        self._select_device(self.controller.options.device)

    def show_options(self, options: RunOptions) -> None:
        """Make the fields show these options."""
        self._select_device(options.device)
        choice = options.input
        self.input.blockSignals(True)
        if choice.kind == "image" and choice.path:
            index = self.input.findData(choice.path)
            if index < 0:
                self.input.insertItem(self.input.count() - 1, f"Image: {Path(choice.path).name}", choice.path)
                index = self.input.count() - 2
                self.input.setItemData(index, choice.path, Qt.ItemDataRole.ToolTipRole)
            self.input.setCurrentIndex(index)
        else:
            self.input.setCurrentIndex(max(0, self.input.findData(choice.kind)))
        self.input.blockSignals(False)
        self.seed.blockSignals(True)
        self.seed.setValue(choice.seed)
        self.seed.blockSignals(False)
        random = choice.kind == "random"
        self.seed.setToolTip(
            "Seeds the random input and the random weights"
            if random and options.weights is None
            else "Seeds the random input"
            if random
            else "Seeds the random weights"
            if options.weights is None
            else "Nothing is random in this run"
        )
        self.seed.setEnabled(random or options.weights is None)
        if options.trained is not None:
            self.weights.setText(f"Weights: {options.trained.label} (trained)")
            self.weights.setToolTip(f"The weights of {options.trained.describe()} in the race")
        elif options.weights:
            name = Path(options.weights).name
            self.weights.setText(f"Weights: {name}")
            self.weights.setToolTip(f"Weights loaded before each run: {options.weights}")
        elif (attached := self.controller.document.weights) is not None:
            self.weights.setText(f"Weights: {attached.source}")
            self.weights.setToolTip(
                f"The weights that came with the network ({attached.source}); layers you add or whose shape "
                "you change start random (see the Inspector). Open a weights file to use other weights."
            )
        else:
            self.weights.setText("Weights: random")
            self.weights.setToolTip("Seeded random weights (He initialisation); open a file for trained ones")

    def _select_device(self, name: str) -> None:
        index = self.device.findData(name)
        if index < 0:
            # A device asked for by name (the Run menu, a test) that the list does not show yet.
            self.device.addItem(name, name)
            index = self.device.count() - 1
        self.device.blockSignals(True)
        self.device.setCurrentIndex(index)
        self.device.blockSignals(False)

    # --- user choices -----------------------------------------------------------------------------------------

    def _device_chosen(self, index: int) -> None:
        self.controller.set_device(str(self.device.itemData(index)))

    def _input_chosen(self, index: int) -> None:
        data = str(self.input.itemData(index))
        seed = self.seed.value()
        if data == OPEN_IMAGE:
            self.choose_image()
        elif data in ("random", "sample"):
            self.controller.set_input(InputChoice(data, None, seed))  # type: ignore[arg-type]
        else:
            self.controller.set_input(InputChoice("image", data, seed))

    def _seed_changed(self, value: int) -> None:
        current = self.controller.options.input
        self.controller.set_input(InputChoice(current.kind, current.path, value))

    def choose_image(self) -> bool:
        """Ask for an image file to run; True when one was chosen."""
        path, _ = QFileDialog.getOpenFileName(self.window(), "Run on an Image", "", IMAGE_FILTER)
        if not path:
            self.show_options(self.controller.options)  # back to what was selected
            return False
        self.controller.set_input(InputChoice("image", path, self.seed.value()))
        return True

    def _fill_race_weights(self) -> None:
        menu, c = self.race_weights, self.controller
        menu.clear()
        for trained in c.race_weights:
            action = menu.addAction(trained.describe())
            action.setCheckable(True)
            action.setChecked(c.options.trained is trained)
            action.triggered.connect(lambda _checked=False, t=trained: c.use_trained(t))
        if not c.race_weights:
            menu.addAction("Train networks in the Race panel first").setEnabled(False)

    def choose_weights(self) -> bool:
        """Ask for a weights file to load before each run; True when one was chosen."""
        path, _ = QFileDialog.getOpenFileName(self.window(), "Load Weights", "", WEIGHTS_FILTER)
        if not path:
            return False
        self.controller.set_weights(path)
        return True

    def refresh_icons(self, palette: QPalette) -> None:
        """Redraw the Run icon in green for this palette."""
        self.run_button.defaultAction().setIcon(icon("run", run_icon_palette(palette)))
