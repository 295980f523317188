"""The Inspector: the selected node's name, type, parameters, figures, problems and explanation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
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
from .inspector_page import InspectorPage
from .inspector_params import ParamEditors
from .problems import count_text, severity_icon
from .status import partial_text


class InspectorPanel(QScrollArea):
    """Follows the document's selection; every edit is one undoable command and the editors follow the model.

    Selecting another node shows the page of its block type, filled with its values: a page is built the first
    time a type is selected and kept (rebuilding the widgets on every click took 20-40 ms)."""

    fix_requested = Signal(object)
    """The Fix button of a diagnostic was pressed."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.node_id: str | None = None
        self._pages: dict[str, InspectorPage] = {}
        """The page of every block type selected so far, by type name."""
        self._holder = QWidget()
        self._holder_box = QVBoxLayout(self._holder)
        self._holder_box.setContentsMargins(0, 0, 0, 0)
        self._holder_box.setSpacing(0)
        self.page = InspectorPage(self.font(), self._holder)
        """The page in view."""
        self._holder_box.addWidget(self.page)
        self._holder_box.addStretch(1)
        self.setWidget(self._holder)
        document.selection_changed.connect(self._selection_changed)
        document.analysis_changed.connect(self._analysis_changed)
        document.reloaded.connect(self.rebuild)
        document.graph.node_changed.connect(self._node_changed)
        document.settled.connect(self._describe_pending)
        self._describe_waits = False
        self.rebuild()

    # --- the page in view -------------------------------------------------------------------------------------

    @property
    def name_edit(self) -> QLineEdit | None:
        """The node's name (None unless one node is selected)."""
        return self.page.name_edit

    @property
    def params(self) -> ParamEditors | None:
        """The node's parameter editors (None unless one node with parameters is selected)."""
        return self.page.params

    @property
    def describe_label(self) -> QLabel | None:
        """The line that describes what the node does with its input (None unless one node is selected)."""
        return self.page.describe_label

    @property
    def message(self) -> QLabel:
        """Why the last edit was refused."""
        return self.page.message

    @property
    def figures(self) -> dict[str, QLabel]:
        """The value label of every row of the figures table, by its label."""
        return self.page.figures

    @property
    def fix_buttons(self) -> list[QPushButton]:
        """The Fix buttons of the node's problems."""
        return self.page.fix_buttons

    # --- building -----------------------------------------------------------------------------------------

    def _selection_changed(self, _ids: tuple[str, ...]) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Show the page for the current selection, filled with its values."""
        ids = self.document.selection
        if len(ids) == 1 and ids[0] in self.document.graph:
            node = self.document.graph.node(ids[0])
            self.node_id = node.id
            page = self._pages.get(node.type)
            if page is None:
                page = self._pages[node.type] = self._build_node(node)
            self._show_page(page)
            self._fill_node(node)
            return
        self.node_id = None
        page = InspectorPage(self.font(), self._holder)
        if ids:
            self._build_selection(page, ids)
        else:
            self._build_empty(page)
        self._show_page(page)
        self._show_analysis(self.document.analysis)

    def _show_page(self, page: InspectorPage) -> None:
        old, self.page = self.page, page
        if page is old:
            return
        old.hide()  # hidden first: the holder is laid out once, for the new page
        if self._holder_box.indexOf(page) < 0:
            self._holder_box.insertWidget(0, page)
        page.show()
        if old not in self._pages.values():
            old.deleteLater()  # a selection's or the network's page is built anew each time

    def _drop_pages(self) -> None:
        """Forget the kept pages (they are built again, in the new font, as they are needed)."""
        pages, self._pages = self._pages, {}
        for page in pages.values():
            if page is not self.page:
                page.deleteLater()

    def _build_node(self, node: Node) -> InspectorPage:
        """The page of the node's block type (the node's own values are filled by _fill_node)."""
        page = InspectorPage(self.font(), self._holder)
        page.hide()
        layout = page.box
        spec = get_spec(node.type)
        header = QHBoxLayout()
        stripe = QFrame(page)
        stripe.setFixedWidth(6)
        stripe.setStyleSheet(f"background: {spec.category.colour}; border-radius: 3px;")
        header.addWidget(stripe)
        titles = QVBoxLayout()
        page.name_edit = QLineEdit(node.name, page)
        page.name_edit.setAccessibleName("Node name")
        page.name_edit.setToolTip("The node's name; press Enter to rename (names are unique)")
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(self.font().pointSizeF() * 1.3)
        page.name_edit.setFont(font)
        page.name_edit.editingFinished.connect(self._rename)
        titles.addWidget(page.name_edit)
        subtitle = page.heading(f"{spec.title}  \u00b7  {spec.category.label}", 1.0, bold=False)
        subtitle.setToolTip(f"Block type {spec.type_name}")
        subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        titles.addWidget(subtitle)
        header.addLayout(titles, 1)
        layout.addLayout(header)
        page.describe_label = page.heading("", 1.0, bold=False)
        layout.addWidget(page.describe_label)
        layout.addWidget(page.message)

        page.problems_title = page.heading("Problems")
        page.problems_box = QVBoxLayout()
        page.problems_box.setSpacing(6)
        layout.addWidget(page.problems_title)
        layout.addLayout(page.problems_box)

        if spec.params:
            page.section("Parameters")
            page.params = ParamEditors(spec, node.params, page)
            page.params.edited.connect(self._set_param)
            layout.addWidget(page.params)

        page.section("Shapes and costs")
        page.add_figures(grow=True)

        page.section("What it does")
        layout.addWidget(page.heading(spec.summary, 1.0, bold=True))
        layout.addWidget(page.heading(spec.explanation, 1.0, bold=False))
        layout.addStretch(1)
        return page

    def _fill_node(self, node: Node) -> None:
        """Fill the page in view with one node's name, values, figures and problems."""
        page = self.page
        if page.name_edit is not None:
            page.name_edit.setText(node.name)
        page.message.setText("")
        page.message.hide()
        self._show_node_values(node)
        self._show_describe(node)
        self._describe_waits = False
        self._show_analysis(self.document.analysis)

    def _build_selection(self, page: InspectorPage, ids: tuple[str, ...]) -> None:
        layout = page.box
        layout.addWidget(page.message)
        layout.addWidget(page.heading(f"{len(ids)} nodes selected", 1.3))
        names = [self.document.graph.node(n).name for n in ids if n in self.document.graph]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        layout.addWidget(page.heading(shown, 1.0, bold=False))
        page.section("Together")
        page.add_figures()
        layout.addStretch(1)

    def _build_empty(self, page: InspectorPage) -> None:
        layout = page.box
        layout.addWidget(page.message)
        title = self.document.name or self.document.display_name
        layout.addWidget(page.heading(title, 1.3))
        if self.document.description:
            layout.addWidget(page.heading(self.document.description, 1.0, bold=False))
        hint = page.heading(
            "Select a block on the canvas to see its parameters, shapes, costs and what it does. "
            "Drag blocks from the palette to build a network.",
            1.0,
            bold=False,
        )
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(hint)
        page.section("Whole network")
        page.add_figures()
        layout.addStretch(1)

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
        if self.page.figures_form is None:
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
        page, form = self.page, self.page.figures_form
        assert form is not None
        labels = [f.label for f in figures]
        if labels != list(page.figures):
            while form.rowCount():
                form.removeRow(0)
            page.figures = {}
            for figure in figures:
                value = QLabel(form.parentWidget())
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                name = QLabel(figure.label, form.parentWidget())
                name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                form.addRow(name, value)
                page.figures[figure.label] = value
        for figure in figures:
            page.figures[figure.label].setText(figure.text)
            page.figures[figure.label].setToolTip(figure.tooltip)

    def _show_problems(self, analysis: Analysis) -> None:
        box, title = self.page.problems_box, self.page.problems_title
        if box is None or title is None or self.node_id is None:
            return
        result = analysis.nodes.get(self.node_id)
        diagnostics = result.diagnostics if result else ()
        while box.count():
            item = box.takeAt(0)
            card = item.widget()
            if card is not None:
                # Hidden at once: out of the layout it would stay drawn over the page until the event loop
                # deletes it, which a nested loop (a dialog's) puts off.
                card.hide()
                card.deleteLater()
        self.page.fix_buttons = []
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
            self.page.fix_buttons.append(button)
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
            self._drop_pages()  # headings are sized relative to the UI font
            self.rebuild()
