"""One page of the inspector: the widgets it fills for a block type, a selection or the whole network."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..theme import ERROR_COLOUR
from .inspector_params import ParamEditors


class InspectorPage(QWidget):
    """The inspector's widgets for one kind of selection. A block type's page is built once and filled again
    for every node of that type (building one costs tens of milliseconds); the panel shows one page at a time."""

    def __init__(self, font: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui_font = QFont(font)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(12, 10, 12, 12)
        self.box.setSpacing(8)
        self.name_edit: QLineEdit | None = None
        self.params: ParamEditors | None = None
        self.describe_label: QLabel | None = None
        self.message = QLabel(self)
        """Why the last edit was refused (hidden when it was not)."""
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.message.hide()
        self.figures: dict[str, QLabel] = {}
        """The value label of every row of the figures table, by its label."""
        self.fix_buttons: list[QPushButton] = []
        self.figures_form: QFormLayout | None = None
        self.problems_box: QVBoxLayout | None = None
        self.problems_title: QLabel | None = None

    def heading(self, text: str, scale: float = 1.0, bold: bool = True) -> QLabel:
        """A selectable, word-wrapped label in the UI font (`scale` times its size)."""
        label = QLabel(text, self)
        font = QFont(self.ui_font)
        font.setBold(bold)
        font.setPointSizeF(max(self.ui_font.pointSizeF(), 1.0) * scale)
        label.setFont(font)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def section(self, title: str) -> None:
        """A rule and a bold title that start a section."""
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.box.addSpacing(4)
        self.box.addWidget(line)
        heading = self.heading(title, 1.0)
        heading.setForegroundRole(QPalette.ColorRole.WindowText)
        self.box.addWidget(heading)

    def add_figures(self, grow: bool = False) -> QFormLayout:
        """The figures table (filled by the panel); `grow`: its values take the whole width."""
        self.figures_form = QFormLayout()
        if grow:
            self.figures_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.box.addLayout(self.figures_form)
        return self.figures_form
