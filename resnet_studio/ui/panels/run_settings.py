"""The run-settings bar in the toolbar: input size CxHxW, batch size and dtype. Changes re-analyse at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QToolTip, QWidget

from ...core.analysis import RunSettings
from ...core.catalogue import Role, role_of
from ...core.errors import InputSizeError
from ...core.shapes import DTYPE_NAMES, MAX_BATCH, parse_input_size
from .. import colours
from ..document import Document


def parse_input_shape(text: str) -> tuple[int, int, int] | None:
    """The field's text as an input size: '' means 'use the Input nodes'; anything else is read by the core's
    one grammar (CxHxW, strict); raises InputSizeError with what was expected."""
    if not text.strip():
        return None
    return parse_input_size(text)


class RunSettingsBar(QWidget):
    """Input CxHxW, batch size and dtype, always showing the document's settings (they live in the document)."""

    refused = Signal(str)
    """A typed input size was not used: why (for the status bar)."""

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
        for text, widget in (("Input size", self.shape), ("Batch", self.batch), ("dtype", self.dtype)):
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
        except InputSizeError as error:
            self._set_error(str(error))
        else:
            self._set_error(None)

    def apply_shape(self) -> None:
        """Use the typed input size (Enter or leaving the field); invalid text turns red and changes nothing."""
        try:
            shape = parse_input_shape(self.shape.text())
        except InputSizeError as error:
            self._set_error(str(error))
            message = f"Input size not used: {error}"
            # Where the user looks: just under the field, and in the status bar until the next message.
            QToolTip.showText(self.shape.mapToGlobal(QPoint(0, self.shape.height())), message, self.shape)
            self.refused.emit(message)
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


__all__ = ["RunSettingsBar", "parse_input_shape"]
