"""The Output panel: the network's class scores as probabilities, the top five with their ImageNet names when
the output has 1000 classes, and a bar chart of the ten most likely classes."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.resources import resource
from ...results.run import ForwardResult
from ..document import Document
from ..run.controller import RunController
from .plots import NodeAxis, plot_font, style_plot, style_view
from .result_panel import ResultPanel

IMAGENET_CLASSES = 1000
TOP_TABLE = 5
TOP_CHART = 10


@cache
def imagenet_names() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in index order (shipped in resources/)."""
    text = resource("imagenet_classes.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def class_name(index: int, classes: int) -> str:
    """An ImageNet name for 1000-class outputs, otherwise 'class N'."""
    names = imagenet_names() if classes == IMAGENET_CLASSES else ()
    return names[index] if index < len(names) else f"class {index}"


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from scores (stable for large values)."""
    finite = np.where(np.isfinite(scores), scores, -np.inf)
    top = np.max(finite) if finite.size else -np.inf
    if not np.isfinite(top):  # every score NaN or Inf: no probabilities to give
        return np.zeros_like(scores, dtype=np.float64)
    shifted = finite - top
    e = np.exp(shifted)
    total = e.sum()
    return e / total if total > 0 else np.zeros_like(scores)


def top_classes(scores: np.ndarray, k: int) -> list[tuple[int, float, float]]:
    """(index, probability, score) of the k most likely classes, best first."""
    probabilities = softmax(scores.astype(np.float64))
    order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")[:k]
    return [(int(i), float(probabilities[i]), float(scores[i])) for i in order]


class OutputPanel(ResultPanel):
    """Class scores of the first output: the top five in a table, the top ten as bars."""

    title_text = "Output"

    def __init__(
        self,
        document: Document,
        controller: RunController,
        run_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(document, controller, run_action, parent)
        self.sample = QSpinBox(self)
        self.sample.setPrefix("sample ")
        self.sample.setMinimum(1)
        self.sample.setToolTip("Which sample of the batch to show")
        self.sample.valueChanged.connect(lambda _v: self._show_scores())
        self.header.insertWidget(self.header.count() - 1, self.sample)
        self.table = QTableWidget(TOP_TABLE, 3, self.content)
        self.table.setHorizontalHeaderLabels(["Class", "Probability", "Score"])
        self.table.verticalHeader().setVisible(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.note = QLabel(self.content)
        self.note.setWordWrap(True)
        left = QWidget(self.content)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table)
        column.addWidget(self.note)
        column.addStretch(1)
        self.axis = NodeAxis("left")
        self.view = pg.PlotWidget(self.content, enableMenu=False, axisItems={"left": self.axis})
        self.plot: pg.PlotItem = self.view.getPlotItem()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setLabel("bottom", "probability (%)")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.invertY(True)
        self.bars = pg.BarGraphItem(x0=[0], y=[0], width=[0], height=0.7)
        self.plot.addItem(self.bars)
        splitter = QSplitter(Qt.Orientation.Horizontal, self.content)
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.finish_setup()

    def empty_text(self) -> str:
        """What the panel says before a run."""
        return "Press Run (Ctrl+R) to see the network's class scores and its five most likely classes."

    def show_result(self, result: ForwardResult) -> None:
        """Show the scores of the result's first output."""
        samples = result.outputs[0].shape[0] if result.outputs and result.outputs[0].ndim == 2 else 1
        self.sample.setMaximum(max(1, samples))
        self.sample.setVisible(samples > 1)
        self._show_scores()

    def scores(self) -> np.ndarray | None:
        """The scores of the chosen sample (1-D), or None when the network gives no flat output."""
        result = self.result
        if result is None or not result.outputs:
            return None
        output = result.outputs[0]
        if output.ndim == 1:
            return output
        if output.ndim != 2:
            return None
        return output[min(self.sample.value() - 1, output.shape[0] - 1)]

    def _show_scores(self) -> None:
        result, scores = self.result, self.scores()
        if result is None:
            return
        if scores is None:
            self.table.clearContents()
            self.bars.setOpts(x0=[], y=[], width=[])
            self.note.setText("This network's output is not a vector of class scores.")
            self.subtitle.setText("")
            return
        classes = scores.shape[0]
        best = top_classes(scores, TOP_TABLE)
        self.table.setRowCount(len(best))
        for row, (index, probability, score) in enumerate(best):
            cells = (class_name(index, classes), f"{probability:.1%}", f"{score:.3f}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            self.table.item(row, 0).setToolTip(f"class index {index}")
        chart = top_classes(scores, TOP_CHART)
        self.axis.set_names([class_name(i, classes) for i, _p, _s in chart])
        y = np.arange(len(chart), dtype=np.float64)
        widths = np.array([p * 100.0 for _i, p, _s in chart])
        self.bars.setOpts(
            x0=np.zeros_like(y), y=y, width=widths, height=0.7, brush=pg.mkBrush(self.colours.bar)
        )
        self.plot.setXRange(0, max(float(widths.max()) if widths.size else 1.0, 0.1) * 1.05, padding=0)
        self.plot.setYRange(-0.6, len(chart) - 0.4, padding=0)
        top_index, top_p, _ = best[0]
        self.subtitle.setText(
            f"{classes} classes · most likely: {class_name(top_index, classes)} ({top_p:.1%})"
        )
        self.note.setText(self._note(result, classes))

    def _note(self, result: ForwardResult, classes: int) -> str:
        notes = []
        options = result.request.options if result.request is not None else None
        if options is None or (options.weights is None and options.trained is None):
            notes.append(
                "The weights are random (seeded), so these scores are noise: load trained weights "
                "(toolbar: Weights) to see real predictions."
            )
        if classes != IMAGENET_CLASSES:
            notes.append("Class names appear for 1000-class (ImageNet) outputs.")
        if len(result.outputs) > 1:
            notes.append(f"The network has {len(result.outputs)} outputs; this is the first.")
        return " ".join(notes)

    def restyle(self) -> None:
        """Colours and fonts (the class names a little larger: they are what a class reads)."""
        self.table.setFont(plot_font(self, 1.15))
        self.table.resizeRowsToContents()
        style_view(self.view, self.colours)
        style_plot(self.plot, self.colours, plot_font(self), grid=(True, False))
        self.axis.picture = None
        if self.result is not None:
            self._show_scores()
