"""The Summary panel: the sortable per-layer table, a filter, and CSV / Markdown export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import Analysis
from ...core.report import render
from ..document import Document
from .summary_model import NODE_ID_ROLE, SORT_ROLE, SummaryModel

EXPORT_FILTERS = {"csv": "CSV table (*.csv)", "markdown": "Markdown table (*.md)"}
EXPORT_SUFFIX = {"csv": ".csv", "markdown": ".md"}


class SummaryPanel(QWidget):
    """Per-layer figures of the whole network; selecting a row selects the node."""

    node_activated = Signal(str)
    """A row was clicked: select this node and centre it."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = SummaryModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # network order until a header is clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        # Uniform rows: measuring every row on each update would cost far more than the update itself.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._size_rows()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setResizeContentsPrecision(200)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter layers by name or type")
        self.filter.setClearButtonEnabled(True)
        self.totals = QLabel(self)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QToolButton(self)
        self.export_button.setText("Export")
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_csv_action = QAction("Save as CSV...", self)
        self.export_markdown_action = QAction("Save as Markdown...", self)
        self.copy_markdown_action = QAction("Copy as Markdown", self)
        menu.addActions([self.export_csv_action, self.export_markdown_action, self.copy_markdown_action])
        self.export_button.setMenu(menu)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        self._syncing = False
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().selectionChanged.connect(self._rows_selected)
        self.table.clicked.connect(self._clicked)
        self.export_csv_action.triggered.connect(lambda: self.export("csv"))
        self.export_markdown_action.triggered.connect(lambda: self.export("markdown"))
        self.copy_markdown_action.triggered.connect(self.copy_markdown)
        document.analysis_changed.connect(self.show_analysis)
        document.reloaded.connect(self._reloaded)
        document.selection_changed.connect(self.show_selection)
        self.show_analysis(document.analysis)

    def _reloaded(self) -> None:
        self.show_analysis(self.document.analysis)

    def _size_rows(self) -> None:
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_rows()  # the UI scale changed
            if self.model.rowCount():
                self.table.resizeColumnsToContents()

    # --- analysis -----------------------------------------------------------------------------------------

    def show_analysis(self, analysis: Analysis) -> None:
        """Bring the table up to date (only changed rows are touched unless nodes were added or removed)."""
        resets = self.model.resets
        self.model.update(self.document.graph, analysis)
        t = analysis.totals
        self.totals.setText(
            f"{self.model.rowCount()} nodes  ·  {t.params:,} parameters  ·  {t.macs:,} MACs  ·  "
            f"{t.buffers:,} buffer values".replace(",", "\u2009")
        )
        if self.model.resets != resets:
            self.show_selection(self.document.selection)
            if self.model.rowCount():
                self.table.resizeColumnsToContents()  # new names may be longer (a sample of rows is measured)

    # --- selection ----------------------------------------------------------------------------------------

    def show_selection(self, node_ids: tuple[str, ...]) -> None:
        """Select the rows of the selected nodes (the one selection shared with the canvas)."""
        selection = QItemSelection()
        for node_id in node_ids:
            row = self.model.row_of(node_id)
            if row is None:
                continue
            left = self.proxy.mapFromSource(self.model.index(row, 0))
            right = self.proxy.mapFromSource(self.model.index(row, self.model.columnCount() - 1))
            if left.isValid():
                selection.select(left, right)
        self._syncing = True
        try:
            self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if node_ids and not selection.isEmpty():
                self.table.scrollTo(selection.indexes()[0])
        finally:
            self._syncing = False

    def _rows_selected(self) -> None:
        if self._syncing:
            return
        rows = self.table.selectionModel().selectedRows()
        ids = [str(index.data(NODE_ID_ROLE)) for index in rows]
        self.document.set_selection(ids)

    def _clicked(self, index: QModelIndex) -> None:
        self.node_activated.emit(str(index.data(NODE_ID_ROLE)))

    def node_at_row(self, row: int) -> str:
        """The node id shown in a visible (sorted, filtered) row."""
        return str(self.proxy.index(row, 0).data(NODE_ID_ROLE))

    # --- export -------------------------------------------------------------------------------------------

    def text(self, fmt: str) -> str:
        """The summary as CSV or Markdown (core.report.render)."""
        return render(self.document.graph, self.document.analysis, fmt)  # type: ignore[arg-type]

    def export(self, fmt: str, path: str | None = None) -> Path | None:
        """Write the summary as CSV or Markdown; asks for a file name unless one is given."""
        if path is None:
            stem = Path(self.document.display_name).stem or "summary"
            suggested = str(
                Path(self.document.path.parent if self.document.path else Path.home()) / f"{stem}-summary"
            )
            path, _ = QFileDialog.getSaveFileName(
                self, "Export summary", suggested + EXPORT_SUFFIX[fmt], EXPORT_FILTERS[fmt]
            )
            if not path:
                return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(EXPORT_SUFFIX[fmt])
        try:
            target.write_text(self.text(fmt), encoding="utf-8")
        except OSError as error:
            QMessageBox.critical(self, "Export failed", f"Cannot write {target}: {error.strerror or error}")
            return None
        return target

    def copy_markdown(self) -> None:
        """Put the Markdown table on the clipboard (for slides and notes)."""
        QGuiApplication.clipboard().setText(self.text("markdown"))
