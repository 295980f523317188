"""The data set a race trains on: a sample of it as an image grid (each cell's class on hover), and the choice
between the procedural shapes and textures and a folder of images (one sub-folder per class).

A folder is read on a worker thread before it is taken: a folder that is not a data set is refused with the
loader's one message, and the data set in use stays.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Signal
from PySide6.QtGui import QHelpEvent, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QToolButton, QToolTip, QVBoxLayout, QWidget

from ...results.datasets import DataChoice, DataFailure, SampleGrid
from ..workers.race import DataWorker
from ..workers.thread import WorkerThread

CELL_PX = 30
"""Side of one sample image on screen, in pixels (before the UI scale)."""


class MosaicView(QWidget):
    """A SampleGrid drawn with square pixels, scaled to fit; hover names the class of a cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: SampleGrid | None = None
        self._image = QImage()
        self.setMouseTracking(True)
        self.setMinimumHeight(CELL_PX * 2)

    def show_grid(self, grid: SampleGrid | None) -> None:
        """Draw this sample (None: nothing)."""
        self.grid = grid
        if grid is None:
            self._image = QImage()
        else:
            pixels = np.ascontiguousarray(grid.mosaic)
            h, w = pixels.shape[:2]
            self._image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        if self.grid is None:
            return QSize(CELL_PX * 10, CELL_PX * 3)
        return QSize(CELL_PX * self.grid.cols, CELL_PX * self.grid.rows)

    def hasHeightForWidth(self) -> bool:
        return self.grid is not None

    def heightForWidth(self, width: int) -> int:
        if self.grid is None:
            return CELL_PX * 3
        return round(width * self.grid.rows / max(self.grid.cols, 1))

    def target(self) -> QRectF:
        """Where the mosaic is drawn in the widget."""
        if self._image.isNull():
            return QRectF()
        scale = min(self.width() / self._image.width(), self.height() / self._image.height())
        w, h = self._image.width() * scale, self._image.height() * scale
        return QRectF(0.0, (self.height() - h) / 2, w, h)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """(row, column) of the cell under a point, or None."""
        grid, target = self.grid, self.target()
        if grid is None or not target.contains(point):
            return None
        col = int((point.x() - target.left()) / target.width() * grid.cols)
        row = int((point.y() - target.top()) / target.height() * grid.rows)
        return min(row, grid.rows - 1), min(col, grid.cols - 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image.isNull():
            return
        painter = QPainter(self)
        painter.drawImage(self.target(), self._image)  # no smoothing: 32x32 images stay crisp
        painter.end()

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent) and self.grid is not None:
            cell = self.cell_at(QPointF(event.pos()))
            if cell is not None:
                row, col = cell
                number = self.grid.indices[row * self.grid.cols + col]
                QToolTip.showText(
                    event.globalPos(), f"{self.grid.cell_label(row, col)} (image {number})", self
                )
                return True
        return super().event(event)


class DataPicker(QWidget):
    """The data set of the next race, with a sample of it."""

    choice_changed = Signal(object)
    """The new DataChoice (after its folder was read without problems)."""
    failed = Signal(str)
    """A folder that is not a data set: the loader's message (the choice stays as it was)."""
    settled = Signal()
    """A read has ended (with or without problems): nothing is being read now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = DataChoice()
        self.grid: SampleGrid | None = None
        self._asked: DataChoice | None = None
        self._job: WorkerThread | None = None
        self._reading = False
        self._queued: DataChoice | None = None
        self._closing = False
        self.description = QLabel(
            "Shapes and textures: the sample appears when this panel is first shown", self
        )
        self.description.setWordWrap(True)
        self.mosaic = MosaicView(self)
        self.folder_button = QToolButton(self)
        self.folder_button.setText("Use a Folder of Images...")
        self.folder_button.setToolTip(
            "A folder with one sub-folder of images per class (the ImageFolder layout), resized to 32x32"
        )
        self.folder_button.clicked.connect(self._folder_clicked)
        self.procedural_button = QToolButton(self)
        self.procedural_button.setText("Shapes and Textures")
        self.procedural_button.setToolTip("The procedural data set: 10 classes of shapes and textures, 32x32")
        self.procedural_button.clicked.connect(self._procedural_clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.procedural_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        title = QLabel("<b>Data</b>", self)
        layout.addWidget(title)
        layout.addWidget(self.description)
        layout.addWidget(self.mosaic)
        layout.addLayout(buttons)

    @property
    def loading(self) -> bool:
        """True while a data set is being read or waits to be (until its result has arrived)."""
        return self._reading or self._queued is not None

    def show_sample(self) -> None:
        """Read the current data set and show its sample, once (when the panel is first looked at)."""
        if self.grid is None and self._job is None:
            self.ask(self.choice)

    def ask(self, choice: DataChoice) -> bool:
        """Read a data set on a worker thread; it becomes the choice if it reads without problems.

        Refused (False) while another read is in progress; asked between a read's result and the end of
        its thread, the read starts as soon as that thread has ended.
        """
        if self._closing or self._reading:
            return False
        if self._job is not None:
            self._queued = choice
            return True
        self._asked = choice
        self._reading = True
        self.description.setText(f"Reading {choice.describe()}...")
        worker = DataWorker(choice)
        worker.finished.connect(self._read)
        self._job = WorkerThread(worker, self)
        self._job.done.connect(self._job_done)
        self._job.start()
        self.folder_button.setEnabled(False)
        self.procedural_button.setEnabled(False)
        return True

    def use_folder(self, path: str) -> bool:
        """Train on the images in this folder (read first, refused with the reason if it is not a data set)."""
        return self.ask(DataChoice("folder", path, self.choice.size))

    def set_enabled(self, on: bool) -> None:
        """Lock the choice while a race runs."""
        self.folder_button.setEnabled(on and self._job is None)
        self.procedural_button.setEnabled(on and self._job is None)

    def shutdown(self) -> None:
        """Wait for a data set being read (the window is closing)."""
        self._closing = True
        if self._job is not None:
            self._job.stop()

    def _folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self.window(), "Train on a Folder of Images (one sub-folder per class)"
        )
        if path:
            self.use_folder(path)

    def _procedural_clicked(self) -> None:
        if self.choice.kind != "procedural" or self.grid is None:
            self.ask(DataChoice())

    def _read(self, result: SampleGrid | DataFailure) -> None:
        self._reading = False
        if self._closing:
            return
        if isinstance(result, DataFailure):
            self._show_description()
            self.failed.emit(str(result))
            self.settled.emit()
            return
        assert self._asked is not None
        self.grid = result
        self.mosaic.show_grid(result)
        changed = self._asked != self.choice
        self.choice = self._asked
        self._show_description()
        if changed:
            self.choice_changed.emit(self.choice)
        self.settled.emit()

    def _show_description(self) -> None:
        if self.grid is None:
            self.description.setText(self.choice.describe())
            return
        text = self.grid.description
        self.description.setText(text[:1].upper() + text[1:])
        self.description.setToolTip(text)

    def _job_done(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        queued, self._queued = self._queued, None
        if self._closing:
            return
        self.folder_button.setEnabled(True)
        self.procedural_button.setEnabled(True)
        if queued is not None:
            self.ask(queued)
