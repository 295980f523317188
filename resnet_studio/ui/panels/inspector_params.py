"""Editors for a block's parameters, built from its ParamSpecs. They show the model's values and report edits;
the values themselves live only in the graph."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QWidget

from ...core.catalogue import BlockSpec
from ...core.params import Params, ParamSpec, ParamValue

INT_LIMIT = 2**31 - 1
WIDEST_FLOAT = "1.23457e-05"
"""As wide as a float written with :g gets (six significant digits and an exponent)."""


class FloatSpinBox(QDoubleSpinBox):
    """A spin box that shows floats as written ('1e-05', '0.5') rather than with fixed decimals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)  # keep small values such as BatchNorm's eps exact

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"

    # Qt sizes a spin box for the texts of its minimum and maximum, which suits fixed decimals: for a range of
    # 0 to 1 that is one digit, and BatchNorm's eps showed as "1e". Room for any value written with :g instead.
    def sizeHint(self) -> QSize:
        return self._room_for_any_value(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._room_for_any_value(super().minimumSizeHint())

    def _room_for_any_value(self, hint: QSize) -> QSize:
        metrics = self.fontMetrics()
        ends = (self.textFromValue(self.minimum()), self.textFromValue(self.maximum()))
        widest = ("-" if self.minimum() < 0 else "") + WIDEST_FLOAT
        extra = metrics.horizontalAdvance(widest) - max(map(metrics.horizontalAdvance, ends))
        return QSize(hint.width() + max(0, extra), hint.height())

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        if not stripped:
            return QValidator.State.Intermediate, text, pos
        try:
            value = float(stripped)
        except ValueError:
            partial = stripped.lower().rstrip("e+-.")
            ok = partial == "" or partial.replace(".", "", 1).replace("e", "", 1).lstrip("-").isdigit()
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


Editor = QSpinBox | FloatSpinBox | QCheckBox | QComboBox


class ParamEditors(QWidget):
    """One widget per parameter, in a form. `edited(name, value)` fires once per finished change."""

    edited = Signal(str, object)

    def __init__(self, spec: BlockSpec, params: Params, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.editors: dict[str, Editor] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(form.labelAlignment())
        for param in spec.params:
            editor = self._editor(param)
            tip = f"{param.help}\n({param.describe_range()})" if param.help else param.describe_range()
            editor.setToolTip(tip)
            editor.setAccessibleName(param.label)
            label = QLabel(param.label, self)
            label.setToolTip(tip)
            label.setBuddy(editor)
            form.addRow(label, editor)
            self.editors[param.name] = editor
            self.labels[param.name] = label
        self.show_params(params)

    def _editor(self, param: ParamSpec) -> Editor:
        editor: Editor
        if param.kind == "int":
            editor = QSpinBox(self)
            editor.setRange(
                int(param.minimum if param.minimum is not None else -INT_LIMIT),
                int(param.maximum if param.maximum is not None else INT_LIMIT),
            )
            editor.setKeyboardTracking(False)  # one edit when the typing is finished, not one per digit
            editor.setAccelerated(True)
            editor.valueChanged.connect(lambda value, name=param.name: self.edited.emit(name, int(value)))
        elif param.kind == "float":
            editor = FloatSpinBox(self)
            lo = param.minimum if param.minimum is not None else -1e12
            hi = param.maximum if param.maximum is not None else 1e12
            editor.setRange(lo, hi)
            editor.setSingleStep(
                0.05 if hi <= 1 and param.name != "eps" else 1e-5 if param.name == "eps" else 1.0
            )
            editor.setKeyboardTracking(False)
            editor.valueChanged.connect(lambda value, name=param.name: self.edited.emit(name, float(value)))
        elif param.kind == "bool":
            editor = QCheckBox(self)
            editor.toggled.connect(lambda on, name=param.name: self.edited.emit(name, bool(on)))
        else:
            editor = QComboBox(self)
            editor.addItems(list(param.choices))
            editor.currentTextChanged.connect(lambda text, name=param.name: self.edited.emit(name, str(text)))
        return editor

    def show_params(self, params: Params) -> None:
        """Show the model's values (no edits are reported while doing so); a parameter that does not matter with
        the others' values (a basic block's expansion) is shown disabled."""
        for param in self.spec.params:
            editor = self.editors[param.name]
            if param.name not in params:
                continue
            editor.blockSignals(True)
            try:
                _set(editor, params[param.name])
            finally:
                editor.blockSignals(False)
            if param.only_when is not None:
                editor.setEnabled(param.applies(params))
                self.labels[param.name].setEnabled(param.applies(params))


def _set(editor: Editor, value: ParamValue) -> None:
    if isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findText(str(value)))
    elif isinstance(editor, QSpinBox):
        editor.setValue(int(value))
    else:
        editor.setValue(float(value))
