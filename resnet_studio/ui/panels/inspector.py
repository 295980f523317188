"""The Inspector: the selected node's name, type, parameters, figures, problems and explanation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import Analysis, Diagnostic
from ...core.catalogue import get_spec
from ...core.commands import Rename, SetParam
from ...core.errors import GraphError
from ...core.model import Node
from ...core.params import ParamValue
from ...core.units import macs_text, params_text
from ..document import Document
from ..theme import ERROR_COLOUR, WARNING_COLOUR
from .inspector_figures import Figure, node_figures, selection_figures, weights_figure
from .inspector_params import ParamEditors
from .problems import count_text, severity_icon
from .status import partial_text


class InspectorPanel(QScrollArea):
    """Follows the document's selection; every edit is one undoable command and the editors follow the model."""

    fix_requested = Signal(object)
    """The Fix button of a diagnostic was pressed."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.node_id: str | None = None
        self.name_edit: QLineEdit | None = None
        self.params: ParamEditors | None = None
        self.describe_label: QLabel | None = None
        self.message = QLabel()
        self.figures: dict[str, QLabel] = {}
        self.fix_buttons: list[QPushButton] = []
        self._figures_form: QFormLayout | None = None
        self._problems_box: QVBoxLayout | None = None
        self._problems_title: QLabel | None = None
        document.selection_changed.connect(self._selection_changed)
        document.analysis_changed.connect(self._analysis_changed)
        document.reloaded.connect(self.rebuild)
        document.graph.node_changed.connect(self._node_changed)
        document.settled.connect(self._describe_pending)
        self._describe_waits = False
        self.rebuild()

    # --- building -----------------------------------------------------------------------------------------

    def _selection_changed(self, _ids: tuple[str, ...]) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Lay the panel out for the current selection."""
        ids = self.document.selection
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        self.name_edit = self.params = self.describe_label = None
        self._figures_form = self._problems_box = self._problems_title = None
        self.figures, self.fix_buttons = {}, []
        self.message = QLabel(content)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.message.hide()
        if len(ids) == 1 and ids[0] in self.document.graph:
            self.node_id = ids[0]
            self._build_node(layout, self.document.graph.node(ids[0]))
        else:
            self.node_id = None
            if ids:
                self._build_selection(layout, ids)
            else:
                self._build_empty(layout)
        layout.addStretch(1)
        old = self.takeWidget()
        self.setWidget(content)
        if old is not None:
            old.deleteLater()

    def _heading(self, text: str, parent: QWidget, scale: float = 1.0, bold: bool = True) -> QLabel:
        label = QLabel(text, parent)
        font = QFont(self.font())
        font.setBold(bold)
        font.setPointSizeF(max(self.font().pointSizeF(), 1.0) * scale)
        label.setFont(font)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _section(self, layout: QVBoxLayout, title: str, parent: QWidget) -> None:
        line = QFrame(parent)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addSpacing(4)
        layout.addWidget(line)
        heading = self._heading(title, parent, 1.0)
        heading.setForegroundRole(QPalette.ColorRole.WindowText)
        layout.addWidget(heading)

    def _build_node(self, layout: QVBoxLayout, node: Node) -> None:
        parent = layout.parentWidget()
        spec = get_spec(node.type)
        header = QHBoxLayout()
        stripe = QFrame(parent)
        stripe.setFixedWidth(6)
        stripe.setStyleSheet(f"background: {spec.category.colour}; border-radius: 3px;")
        header.addWidget(stripe)
        titles = QVBoxLayout()
        self.name_edit = QLineEdit(node.name, parent)
        self.name_edit.setAccessibleName("Node name")
        self.name_edit.setToolTip("The node's name; press Enter to rename (names are unique)")
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(self.font().pointSizeF() * 1.3)
        self.name_edit.setFont(font)
        self.name_edit.editingFinished.connect(self._rename)
        titles.addWidget(self.name_edit)
        subtitle = self._heading(f"{spec.title}  \u00b7  {spec.category.label}", parent, 1.0, bold=False)
        subtitle.setToolTip(f"Block type {spec.type_name}")
        subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        titles.addWidget(subtitle)
        header.addLayout(titles, 1)
        layout.addLayout(header)
        self.describe_label = self._heading("", parent, 1.0, bold=False)
        layout.addWidget(self.describe_label)
        layout.addWidget(self.message)

        self._problems_title = self._heading("Problems", parent)
        self._problems_box = QVBoxLayout()
        self._problems_box.setSpacing(6)
        layout.addWidget(self._problems_title)
        layout.addLayout(self._problems_box)

        if spec.params:
            self._section(layout, "Parameters", parent)
            self.params = ParamEditors(spec, node.params, parent)
            self.params.edited.connect(self._set_param)
            layout.addWidget(self.params)

        self._section(layout, "Shapes and costs", parent)
        self._figures_form = QFormLayout()
        self._figures_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self._figures_form)

        self._section(layout, "What it does", parent)
        summary = self._heading(spec.summary, parent, 1.0, bold=True)
        layout.addWidget(summary)
        explanation = self._heading(spec.explanation, parent, 1.0, bold=False)
        layout.addWidget(explanation)
        self._show_node_values(node)
        self._show_describe(node)
        self._describe_waits = False
        self._show_analysis(self.document.analysis)

    def _build_selection(self, layout: QVBoxLayout, ids: tuple[str, ...]) -> None:
        parent = layout.parentWidget()
        layout.addWidget(self._heading(f"{len(ids)} nodes selected", parent, 1.3))
        names = [self.document.graph.node(n).name for n in ids if n in self.document.graph]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        layout.addWidget(self._heading(shown, parent, 1.0, bold=False))
        self._section(layout, "Together", parent)
        self._figures_form = QFormLayout()
        layout.addLayout(self._figures_form)
        self._show_analysis(self.document.analysis)

    def _build_empty(self, layout: QVBoxLayout) -> None:
        parent = layout.parentWidget()
        title = self.document.name or self.document.display_name
        layout.addWidget(self._heading(title, parent, 1.3))
        if self.document.description:
            layout.addWidget(self._heading(self.document.description, parent, 1.0, bold=False))
        hint = self._heading(
            "Select a block on the canvas to see its parameters, shapes, costs and what it does. "
            "Drag blocks from the palette to build a network.",
            parent,
            1.0,
            bold=False,
        )
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(hint)
        self._section(layout, "Whole network", parent)
        self._figures_form = QFormLayout()
        layout.addLayout(self._figures_form)
        self._show_analysis(self.document.analysis)

    # --- following the model ------------------------------------------------------------------------------

    def _node_changed(self, old: Node, new: Node) -> None:
        if new.id == self.node_id and self.widget() is not None:
            self._show_node_values(new)

    def _describe_pending(self) -> None:
        if self._describe_waits and self.node_id is not None and self.node_id in self.document.graph:
            self._show_describe(self.document.graph.node(self.node_id))
        self._describe_waits = False

    def _show_node_values(self, node: Node) -> None:
        """The editors follow the model at once; the line that needs the analysis waits for it (settled)."""
        if (self.name_edit is not None and not self.name_edit.hasFocus()) or (
            self.name_edit is not None
            and self.name_edit.text() != node.name
            and not self.name_edit.isModified()
        ):
            self.name_edit.setText(node.name)
        if self.params is not None:
            self.params.show_params(node.params)
        self._describe_waits = True

    def _show_describe(self, node: Node) -> None:
        if self.describe_label is None:
            return
        result = self.document.analysis.nodes.get(node.id)
        in_shape = result.input_shapes[0] if result and result.input_shapes else None
        try:
            text = get_spec(node.type).describe(node.params, in_shape)
        except Exception:  # a describe rule must never break the inspector: fall back to nothing
            text = ""
        self.describe_label.setText(text.replace(" -> ", " \u2192 "))  # the arrow the canvas cards use
        self.describe_label.setVisible(bool(text))

    def _analysis_changed(self, analysis: Analysis) -> None:
        if self.node_id is not None and self.node_id in self.document.graph:
            self._show_describe(self.document.graph.node(self.node_id))
        self._describe_waits = False
        self._show_analysis(analysis)

    def _show_analysis(self, analysis: Analysis) -> None:
        if self._figures_form is None:
            return
        ids = self.document.selection
        if self.node_id is not None:
            figures = node_figures(analysis.nodes.get(self.node_id), analysis)
            figures += weights_figure(self.document.weights, self.document.graph.node(self.node_id), analysis)
        elif ids:
            figures = selection_figures(ids, analysis)
        else:
            t = analysis.totals
            partial = " so far" if t.partial else ""
            figures = [
                Figure(
                    "Parameters", f"{params_text(t.params)}{partial}", f"{t.params:,} trainable parameters"
                ),
                Figure(
                    "MACs", f"{macs_text(t.macs)}{partial}", f"{t.macs:,} multiply-accumulates per sample"
                ),
                Figure("Nodes", str(len(self.document.graph))),
                Figure("Problems", count_text(analysis)),
            ]
            if t.partial:
                figures.insert(
                    0,
                    Figure(
                        "Partial",
                        f"{partial_text(t)}: fix the problems to count the rest",
                        "The nodes after a problem have unknown shapes, so their parameters and MACs are not "
                        "in these sums yet.",
                    ),
                )
        self._fill_figures(figures)
        self._show_problems(analysis)

    def _fill_figures(self, figures: list[Figure]) -> None:
        form = self._figures_form
        assert form is not None
        labels = [f.label for f in figures]
        if labels != list(self.figures):
            while form.rowCount():
                form.removeRow(0)
            self.figures = {}
            for figure in figures:
                value = QLabel(form.parentWidget())
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                name = QLabel(figure.label, form.parentWidget())
                name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                form.addRow(name, value)
                self.figures[figure.label] = value
        for figure in figures:
            self.figures[figure.label].setText(figure.text)
            self.figures[figure.label].setToolTip(figure.tooltip)

    def _show_problems(self, analysis: Analysis) -> None:
        box, title = self._problems_box, self._problems_title
        if box is None or title is None or self.node_id is None:
            return
        result = analysis.nodes.get(self.node_id)
        diagnostics = result.diagnostics if result else ()
        while box.count():
            item = box.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.fix_buttons = []
        title.setVisible(bool(diagnostics))
        for diagnostic in diagnostics:
            box.addWidget(self._problem_card(diagnostic))

    def _problem_card(self, diagnostic: Diagnostic) -> QWidget:
        card = QFrame()
        card.setObjectName("problem")
        colour = ERROR_COLOUR if diagnostic.is_error else WARNING_COLOUR
        card.setStyleSheet(f"QFrame#problem {{ border: 1px solid {colour}; border-radius: 6px; }}")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        icon = QLabel(card)
        size = self.fontMetrics().height()
        icon.setPixmap(severity_icon(self, diagnostic).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        top.addWidget(icon)
        where = f" (input {diagnostic.port})" if diagnostic.port and diagnostic.port != "x" else ""
        message = QLabel(diagnostic.message + where, card)
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(message, 1)
        layout.addLayout(top)
        if diagnostic.expected or diagnostic.actual:
            detail = QLabel(f"Expected {diagnostic.expected or '?'}, found {diagnostic.actual or '?'}", card)
            detail.setWordWrap(True)
            detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            layout.addWidget(detail)
        if diagnostic.fix is not None:
            button = QPushButton(f"Fix: {diagnostic.fix.label}", card)
            button.setToolTip("Apply the suggested change (one undoable step)")
            button.clicked.connect(lambda _checked=False, d=diagnostic: self.fix_requested.emit(d))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            self.fix_buttons.append(button)
        return card

    # --- edits --------------------------------------------------------------------------------------------

    def _rename(self) -> None:
        if self.name_edit is None or self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        name = self.name_edit.text().strip()
        if name == node.name:
            self.name_edit.setText(node.name)
            return
        try:
            self.document.push(Rename(node.id, name))
        except GraphError as error:
            self.show_message(str(error))
            self.name_edit.setText(node.name)
        else:
            self.show_message(None)

    def _set_param(self, name: str, value: ParamValue) -> None:
        if self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        if node.params.get(name) == value:
            return
        try:
            self.document.push(SetParam(node.id, name, value))
        except GraphError as error:
            self.show_message(str(error))
            if self.params is not None:
                self.params.show_params(self.document.graph.node(node.id).params)
        else:
            self.show_message(None)

    def show_message(self, text: str | None) -> None:
        """Show (or clear) why the last edit was refused."""
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.rebuild()  # headings are sized relative to the UI font
