"""The run-settings bar in the toolbar: input size CxHxW, batch size and dtype. Changes re-analyse at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QWidget

from ...core.analysis import RunSettings
from ...core.catalogue import Role, role_of
from ...core.shapes import DTYPE_NAMES
from .. import colours
from ..document import Document

MAX_BATCH = 65536


class ShapeError(ValueError):
    """Text that is not an input size."""


def parse_input_shape(text: str) -> tuple[int, int, int] | None:
    """'3x224x224' -> (3, 224, 224); '224x224' or '224' assume 3 channels; '' means 'use the Input nodes'."""
    text = text.strip().lower().replace("×", "x").replace("*", "x").replace(",", "x").replace(" ", "")
    if not text:
        return None
    parts = text.split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ShapeError(f"expected an input size like 3x224x224, found {text!r}") from None
    if len(values) == 1:
        values = [3, values[0], values[0]]
    elif len(values) == 2:
        values = [3, *values]
    if len(values) != 3:
        raise ShapeError(f"expected three numbers CxHxW (like 3x224x224), found {len(values)}")
    if any(v < 1 for v in values):
        raise ShapeError("every size must be at least 1")
    if values[0] > 4096 or values[1] > 16384 or values[2] > 16384:
        raise ShapeError("at most 4096 channels and 16384 x 16384 pixels")
    return values[0], values[1], values[2]


class RunSettingsBar(QWidget):
    """Input CxHxW, batch size and dtype, always showing the document's settings (they live in the document)."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.shape = QLineEdit(self)
        self.shape.setAccessibleName("Input size")
        self.shape.setClearButtonEnabled(True)
        self._size_shape_field()
        self.batch = QSpinBox(self)
        self.batch.setRange(1, MAX_BATCH)
        self.batch.setAccessibleName("Batch size")
        self.batch.setToolTip(
            "Samples per batch: scales activation memory (not parameters or per-sample MACs)"
        )
        self.dtype = QComboBox(self)
        self.dtype.setAccessibleName("Number format")
        for name in DTYPE_NAMES:
            self.dtype.addItem(name, name)
        self.dtype.setToolTip("Number format: bytes per value for the memory figures")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        for text, widget in (("Input", self.shape), ("Batch", self.batch), ("dtype", self.dtype)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
            layout.addSpacing(6)
        layout.addStretch(1)
        self._error: str | None = None
        self.show_settings(document.settings)
        document.settings_changed.connect(self.show_settings)
        document.analysis_changed.connect(self._analysis_changed)
        self.shape.textEdited.connect(self._check_shape)
        self.shape.editingFinished.connect(self.apply_shape)
        self.batch.valueChanged.connect(self._apply_batch)
        self.dtype.currentIndexChanged.connect(self._apply_dtype)

    def _analysis_changed(self, _analysis: object) -> None:
        self._update_placeholder()

    def _size_shape_field(self) -> None:
        self.shape.setFixedWidth(self.fontMetrics().horizontalAdvance("3x1024x1024 (from Input)") + 36)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_shape_field()  # the UI scale changed

    @property
    def error(self) -> str | None:
        """Why the input size field is red, or None."""
        return self._error

    def show_settings(self, settings: RunSettings) -> None:
        """Make the fields show these settings (without re-applying them)."""
        for widget in (self.shape, self.batch, self.dtype):
            widget.blockSignals(True)
        shape = settings.input_shape
        self.shape.setText("" if shape is None else "x".join(str(d) for d in shape))
        self.batch.setValue(settings.batch_size)
        self.dtype.setCurrentIndex(max(0, self.dtype.findData(settings.dtype)))
        for widget in (self.shape, self.batch, self.dtype):
            widget.blockSignals(False)
        self._set_error(None)
        self._update_placeholder()

    def _update_placeholder(self) -> None:
        inputs = [n for n in self.document.graph.nodes if role_of(n.type) is Role.INPUT]
        if inputs:
            p = inputs[0].params
            own = f"{p.as_int('channels')}x{p.as_int('height')}x{p.as_int('width')}"
            self.shape.setPlaceholderText(f"{own} (from Input)")
        else:
            self.shape.setPlaceholderText("CxHxW")
        self.shape.setToolTip(
            self._error
            or "Input size CxHxW for the analysis, e.g. 3x224x224 or 3x32x32.\n"
            "Leave empty to use the size set on the Input block."
        )

    def _check_shape(self, text: str) -> None:
        try:
            parse_input_shape(text)
        except ShapeError as error:
            self._set_error(str(error))
        else:
            self._set_error(None)

    def apply_shape(self) -> None:
        """Use the typed input size (Enter or leaving the field); invalid text turns red and changes nothing."""
        try:
            shape = parse_input_shape(self.shape.text())
        except ShapeError as error:
            self._set_error(str(error))
            return
        self._set_error(None)
        self.document.set_settings(self._settings(input_shape=shape))

    def _apply_batch(self, value: int) -> None:
        self.document.set_settings(self._settings(batch_size=value))

    def _apply_dtype(self, _index: int) -> None:
        self.document.set_settings(self._settings(dtype=str(self.dtype.currentData())))

    def _settings(self, **changes: object) -> RunSettings:
        s = self.document.settings
        values: dict[str, object] = {
            "input_shape": s.input_shape,
            "batch_size": s.batch_size,
            "dtype": s.dtype,
        }
        values.update(changes)
        return RunSettings(**values)  # type: ignore[arg-type]

    def _set_error(self, message: str | None) -> None:
        self._error = message
        # A red frame that reads on light and dark palettes; cleared as soon as the text is valid again.
        self.shape.setStyleSheet(
            ""
            if message is None
            else f"QLineEdit {{ border: 2px solid {colours.ERROR}; border-radius: 3px; }}"
        )
        self.shape.setProperty("invalid", message is not None)
        self._update_placeholder()
        if message is not None:
            self.shape.setToolTip(message)
        self.shape.setAccessibleDescription(message or "")


__all__ = ["RunSettingsBar", "ShapeError", "parse_input_shape"]
