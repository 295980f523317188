"""The Compare panel: the network on the canvas beside a preset, a project file, or itself as it was when pinned;
totals and stages side by side with differences and ratios, and the blocks that differ ringed on the canvas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import Analysis, RunSettings, analyze
from ...core.compare import Comparison, compare, missing_names, node_differences
from ...core.compare_report import names_text, rows
from ...core.errors import UnknownPresetError
from ...core.graph import Graph
from ...core.presets import PRESETS, preset
from ...core.project import ProjectFileError, load, why_not_opened
from .. import colours
from ..canvas.highlights import HighlightLayer
from ..document import Document

REFRESH_MS = 120
"""Edits in a row are compared once, this long after the last."""
PIN, FILE = "pin", "file"
HEADING = "Compare the network on the canvas with a preset, a file, or itself before an edit."
NOTHING_COMPARED = (
    "Choose a preset or a project file above, or press Pin This Network and then edit it: the two networks are "
    "set side by side, in total and stage by stage (parameters, MACs, memory, receptive field), and the blocks "
    "that differ are ringed on the canvas."
)


@dataclass(frozen=True)
class Reference:
    """The network the canvas is compared with: its title, its graph, and whether it is the canvas's own past."""

    title: str
    graph: Graph
    pinned: bool = False


class ComparePanel(QWidget):
    """Compares the document's network with a reference, live as the network is edited."""

    compared = Signal(object)
    """The new Comparison (None when there is nothing to compare with)."""

    def __init__(self, document: Document, highlights: HighlightLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ComparePanel")
        self.document = document
        self.highlights = highlights
        self.reference: Reference | None = None
        self.comparison: Comparison | None = None
        self.choice = QComboBox(self)
        self.choice.setObjectName("CompareWith")
        self.choice.addItem("Choose a network...", None)
        for name, found in PRESETS.items():
            self.choice.addItem(found.title, name)
        self.choice.addItem("A project file...", FILE)
        self.choice.activated.connect(self._chosen)
        self.pin = QPushButton("Pin This Network", self)
        self.pin.setToolTip("Keep the network as it is now, then edit it to compare after with before")
        self.pin.clicked.connect(self.pin_current)
        self.mark = QCheckBox("Ring the blocks that differ on the canvas", self)
        self.mark.setChecked(True)
        self.mark.toggled.connect(self._show_marks)
        self.heading = QLabel(HEADING)
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("CompareTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setHorizontalHeaderLabels(["Part", "Figure", "", "", "Difference", "Ratio"])
        self.empty = QLabel(NOTHING_COMPARED, self)
        self.empty.setObjectName("CompareEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)  # drawn muted, as the Problems panel's empty state
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.differences = QLabel("", self)
        self.differences.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Compare with", self))
        top.addWidget(self.choice, 1)
        top.addWidget(self.pin)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.heading)
        box.addWidget(self.stack, 1)
        box.addWidget(self.differences)
        box.addWidget(self.mark)
        self._other: tuple[Reference, RunSettings, Analysis] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        document.analysis_changed.connect(self._later)
        document.reloaded.connect(self._later)

    # --- choosing the reference -------------------------------------------------------------------------------

    def compare_with_preset(self, name: str) -> bool:
        """Compare with a preset network; False (and a message) for an unknown name."""
        try:
            graph = preset(name)
        except UnknownPresetError as error:
            self.heading.setText(str(error))
            return False
        found = PRESETS.get(name)
        self.set_reference(Reference(found.title if found else name, graph))
        index = self.choice.findData(name)
        if index >= 0:
            self.choice.setCurrentIndex(index)
        return True

    def compare_with_file(self, path: str | None = None) -> bool:
        """Compare with a project file (asks for one when `path` is None)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Compare with a project", "", "ResNet Studio projects (*.json)"
            )
            if not path:
                return False
        try:
            graph = load(path)
        except (ProjectFileError, OSError) as error:
            self.heading.setText(f"Cannot compare with {Path(path).name}: {why_not_opened(error)}")
            return False
        self.set_reference(Reference(path.rsplit("/", 1)[-1], graph))
        return True

    def pin_current(self) -> None:
        """Keep the network as it is now as the reference: edits are then compared with it (after against before)."""
        title = f"{self.document.display_name} when pinned"
        self.set_reference(Reference(title, self.document.graph.copy(), pinned=True))
        index = self.choice.findData(PIN)
        if index < 0:
            self.choice.insertItem(1, "", PIN)
            index = 1
        self.choice.setItemText(index, title)
        self.choice.setCurrentIndex(index)

    def set_reference(self, reference: Reference | None) -> None:
        """Compare with this network from now on (None: with nothing)."""
        self.reference = reference
        self.refresh()

    def _chosen(self, index: int) -> None:
        data = self.choice.itemData(index)
        if data == FILE:
            if not self.compare_with_file():
                self.choice.setCurrentIndex(0)
        elif isinstance(data, str) and data != PIN:
            self.compare_with_preset(data)
        elif data is None:  # "Choose a network...": nothing to compare with
            self.set_reference(None)

    # --- the comparison ---------------------------------------------------------------------------------------

    def _later(self, *_args: object) -> None:
        if self.reference is not None:
            self._timer.start(REFRESH_MS)

    def refresh(self) -> None:
        """Compare again (after an edit or a settings change)."""
        reference = self.reference
        if reference is None:
            self.comparison = None
            self.heading.setText(HEADING)
            self.table.setRowCount(0)
            self.stack.setCurrentWidget(self.empty)
            self.differences.setText("")
            self.highlights.clear()
            self.compared.emit(None)
            return
        doc, settings = self.document, self.document.settings
        other = self._reference_analysis(reference)
        here = doc.analysis
        if reference.pinned:  # before (A) against after (B)
            result = compare(reference.graph, other, doc.graph, here, reference.title, "now")
        else:
            result = compare(doc.graph, here, reference.graph, other, "this network", reference.title)
        self.comparison = result
        self.heading.setText(
            f"{result.b_title} against {result.a_title}: difference {result.b_title} \u2212 {result.a_title}, "
            f"ratio {result.b_title} / {result.a_title}; batch {settings.batch_size}, {settings.dtype}."
        )
        self._fill(result)
        self.stack.setCurrentWidget(self.table)
        self._show_marks()
        self.compared.emit(result)

    def _reference_analysis(self, reference: Reference) -> Analysis:
        """The reference analysed under the document's settings (once per reference and settings)."""
        settings = self.document.settings
        if self._other is None or self._other[0] is not reference or self._other[1] != settings:
            graph = reference.graph
            analysis = analyze(graph, settings.input_shape, settings.batch_size, settings.dtype)
            self._other = (reference, settings, analysis)
        return self._other[2]

    def _fill(self, result: Comparison) -> None:
        self.table.setHorizontalHeaderLabels(
            ["Part", "Figure", result.a_title, result.b_title, "Difference", "Ratio"]
        )
        body = rows(result)
        self.table.setRowCount(len(body))
        bold = QFont(self.font())
        bold.setBold(True)
        changed = QBrush(QColor(colours.DIFFERENCE))
        for r, row in enumerate(body):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c >= 4 and row[4] not in ("0", ""):
                    item.setFont(bold)
                    item.setForeground(changed)
                self.table.setItem(r, c, item)

    def _show_marks(self, _on: bool = True) -> None:
        reference = self.reference
        if reference is None or not self.mark.isChecked():
            self.highlights.clear()
            self.differences.setText("")
            return
        doc = self.document
        other = self._reference_analysis(reference)
        found = node_differences(doc.graph, doc.analysis, reference.graph, other)
        self.highlights.show({d.node_id: d.reason for d in found})
        if not found:
            text = f"Every block here is the same in {reference.title}."
        else:
            names = names_text([d.name for d in found], 6)
            count = f"{len(found)} block{'s' if len(found) != 1 else ''}"
            text = f"{count} differ from {reference.title}: {names} (ringed)."
        lacking = missing_names(doc.graph, reference.graph)
        if lacking:
            text += f" {reference.title} also has {names_text(list(lacking), 6)}, which this network has not."
        self.differences.setText(text)


__all__ = ["ComparePanel", "Reference"]
