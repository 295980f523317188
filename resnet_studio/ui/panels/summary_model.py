"""The Summary table's model: one row per node from core.report.layer_rows, SI text with exact numbers on hover."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ...core.analysis import Analysis
from ...core.graph import Graph
from ...core.report import LayerRow, layer_rows
from ...core.shapes import format_shape
from ...core.units import bytes_text, exact, si

SORT_ROLE = Qt.ItemDataRole.UserRole + 10
"""Numbers for numeric columns (so 9.4 M sorts after 950 k), text otherwise."""
NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 11

COLUMNS = ("Name", "Type", "Output shape", "Params", "MACs", "Output memory", "Receptive field")
NUMERIC = {3, 4, 5, 6}

Index = QModelIndex | QPersistentModelIndex


class SummaryModel(QAbstractTableModel):
    """Rows of the per-layer summary; `update` changes only the rows whose figures changed."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[LayerRow] = []
        self._row_of: dict[str, int] = {}
        self.resets = 0
        """How many times the whole table was rebuilt (structure changes), for tests and benchmarks."""

    # --- Qt model interface -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ToolTipRole:
                return _HEADER_TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == NODE_ID_ROLE:
            return row.node_id
        return None

    # --- updates ------------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[LayerRow]:
        """The rows in network order."""
        return list(self._rows)

    def row_of(self, node_id: str) -> int | None:
        """The row of a node, if it is listed."""
        return self._row_of.get(node_id)

    def update(self, graph: Graph, analysis: Analysis) -> None:
        """Show this analysis: rebuild when nodes were added, removed or reordered, else touch changed rows."""
        rows = layer_rows(graph, analysis)
        if [r.node_id for r in rows] != [r.node_id for r in self._rows]:
            self.beginResetModel()
            self._rows = rows
            self._row_of = {r.node_id: i for i, r in enumerate(rows)}
            self.endResetModel()
            self.resets += 1
            return
        changed = [i for i, (old, new) in enumerate(zip(self._rows, rows)) if old != new]
        self._rows = rows
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs [(first, last), ...] of sorted indices, so dataChanged covers few ranges."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _display(row: LayerRow, column: int) -> str:
    if column == 0:
        return row.name
    if column == 1:
        return row.type
    if column == 2:
        return format_shape(row.output_shape)
    if column == 3:
        return si(row.params) if row.output_shape is not None or row.params else "?"
    if column == 4:
        return si(row.macs) if row.output_shape is not None or row.macs else "?"
    if column == 5:
        return bytes_text(row.output_bytes) if row.output_shape is not None else "?"
    if column == 6:
        return "" if row.receptive_field is None else f"{row.receptive_field} px"
    return ""


def _sort_key(row: LayerRow, column: int) -> Any:
    if column == 0:
        return row.name.lower()
    if column == 1:
        return row.type.lower()
    if column == 2:
        shape = row.output_shape or ()
        size = 1
        for d in shape:
            size *= d
        return float(size if shape else -1)
    if column == 3:
        return float(row.params)
    if column == 4:
        return float(row.macs)
    if column == 5:
        return float(row.output_bytes)
    return float(-1 if row.receptive_field is None else row.receptive_field)


def _tooltip(row: LayerRow, column: int) -> str:
    if column == 2:
        ins = ", ".join(format_shape(s) for s in row.input_shapes) or "none"
        return f"in {ins} -> out {format_shape(row.output_shape)}"
    if column == 3:
        return f"{exact(row.params)} trainable parameters"
    if column == 4:
        return f"{exact(row.macs)} MACs = {exact(row.flops)} FLOPs (2 x MACs)"
    if column == 5:
        return f"{exact(row.output_bytes)} bytes of output; training keeps {bytes_text(row.training_bytes)}"
    if column == 6 and row.receptive_field is not None:
        return f"one output value sees {row.receptive_field} x {row.receptive_field} input pixels"
    return row.name if column == 0 else ""


_HEADER_TIPS = (
    "The node's name (torchvision's layer names for presets)",
    "The block type",
    "Output shape CxHxW (per sample, without the batch dimension)",
    "Trainable parameters (hover a cell for the exact number)",
    "Multiply-accumulates of convolutions and linear layers; FLOPs = 2 x MACs",
    "Memory of the output for the whole batch at the chosen dtype",
    "Input pixels one output value sees, along one axis",
)
