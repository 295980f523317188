"""The Problems panel: every diagnostic with its node, expected vs actual, and a Fix button where there is one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import Analysis, Diagnostic
from ..document import Document
from ..theme import ERROR_COLOUR, WARNING_COLOUR

COLUMNS = ("Node", "Problem", "Expected", "Found", "Fix")
FIX_COLUMN = 4
Index = QModelIndex | QPersistentModelIndex


def severity_icon(widget: QWidget, diagnostic: Diagnostic) -> QIcon:
    """The style's error or warning icon."""
    from PySide6.QtWidgets import (
        QStyle,  # when a problem is first shown: the first paint needs no QStyle type
    )

    pixmap = (
        QStyle.StandardPixmap.SP_MessageBoxCritical
        if diagnostic.is_error
        else QStyle.StandardPixmap.SP_MessageBoxWarning
    )
    return widget.style().standardIcon(pixmap)


def count_text(analysis: Analysis) -> str:
    """'2 errors, 1 warning' or 'no problems'."""
    errors, warnings = analysis.totals.errors, analysis.totals.warnings
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) or "no problems"


class ProblemsModel(QAbstractTableModel):
    """The diagnostics of the latest analysis, errors first, in network order."""

    def __init__(self, icon_source: QWidget) -> None:
        super().__init__()
        self._icon_source = icon_source
        self.diagnostics: tuple[Diagnostic, ...] = ()

    def set_diagnostics(self, diagnostics: tuple[Diagnostic, ...]) -> bool:
        """Show these diagnostics; False when nothing changed (the view keeps its selection)."""
        ordered = tuple(sorted(diagnostics, key=lambda d: not d.is_error))
        if ordered == self.diagnostics:
            return False
        self.beginResetModel()
        self.diagnostics = ordered
        self.endResetModel()
        return True

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self.diagnostics)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d, column = self.diagnostics[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return d.node_name + (f" ({d.port})" if d.port and d.port != "x" else "")
            if column == 1:
                return d.message + (f"\nFix: {d.fix.label[0].lower()}{d.fix.label[1:]}" if d.fix else "")
            if column == 2:
                return d.expected or ""
            if column == 3:
                return d.actual or ""
            return ""  # the Fix column holds a button
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return severity_icon(self._icon_source, d)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and d.actual:
            return QColor(ERROR_COLOUR if d.is_error else WARNING_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(d)
        if role == Qt.ItemDataRole.UserRole:
            return d
        return None


class ProblemsPanel(QWidget):
    """All diagnostics; a click selects and centres the node; Fix applies the suggested change (undoable)."""

    node_activated = Signal(str)
    """A problem was clicked: select its node and centre it on the canvas."""
    fix_requested = Signal(object)
    """The Fix button of a diagnostic was pressed."""
    count_changed = Signal(int)
    """The number of problems (for the tab title)."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = ProblemsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.headline = QLabel(self)
        self.empty = QLabel("No problems: every shape fits and every input is connected.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.fix_buttons: dict[int, QPushButton] = {}
        self.table.clicked.connect(self._clicked)
        self.table.activated.connect(self._clicked)
        document.analysis_changed.connect(self.show_analysis)
        document.reloaded.connect(self._reloaded)
        self.show_analysis(document.analysis)

    def _reloaded(self) -> None:
        self.show_analysis(self.document.analysis)

    @property
    def count(self) -> int:
        """How many problems are listed."""
        return len(self.model.diagnostics)

    def show_analysis(self, analysis: Analysis) -> None:
        """List the analysis's diagnostics (nothing is rebuilt when they did not change)."""
        changed = self.model.set_diagnostics(analysis.diagnostics)
        self.headline.setText(count_text(analysis).capitalize() + "  ·  click a row to show the node")
        self.headline.setVisible(bool(analysis.diagnostics))
        self.stack.setCurrentWidget(self.table if self.count else self.empty)
        if changed:
            self._add_fix_buttons()
            self.count_changed.emit(self.count)

    def _add_fix_buttons(self) -> None:
        self.fix_buttons = {}
        for row, diagnostic in enumerate(self.model.diagnostics):
            if diagnostic.fix is None:
                continue
            holder = QWidget(self.table)
            button = QPushButton("Fix", holder)
            button.setToolTip(f"{diagnostic.fix.label} (one undoable step)")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, d=diagnostic: self.fix_requested.emit(d))
            box = QHBoxLayout(holder)
            box.setContentsMargins(4, 2, 4, 2)
            box.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.table.setIndexWidget(self.model.index(row, FIX_COLUMN), holder)
            self.fix_buttons[row] = button
        self.table.resizeColumnToContents(FIX_COLUMN)

    def _clicked(self, index: QModelIndex) -> None:
        diagnostic = self.model.diagnostics[index.row()]
        self.node_activated.emit(diagnostic.node_id)

    def row_of(self, node_id: str) -> int | None:
        """The first row about a node, if any."""
        return next((i for i, d in enumerate(self.model.diagnostics) if d.node_id == node_id), None)
