"""The lesson panel's code view: the selected block's code with its shapes, written on a worker thread (the
exporter needs torch) and kept up to date while the view is open and the selection or the network changes."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ..collector import collector
from ..document import Document
from ..workers.files import CodeWorker
from ..workers.thread import WorkerThread
from .panel import LessonPanel

REFRESH_MS = 150


class CodeView(QObject):
    """Asks for one block's code at a time; a newer request wins over an older one still on its way."""

    def __init__(self, document: Document, panel: LessonPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.panel = panel
        self.node_id: str | None = None
        self._job: WorkerThread | None = None
        self._wanted: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._request)
        document.selection_changed.connect(self._selection_changed)
        document.analysis_changed.connect(self._network_changed)

    def show(self, node_id: str) -> None:
        """Open the view on a block's code."""
        self.node_id = node_id
        name = self.document.graph.node(node_id).name if node_id in self.document.graph else node_id
        self.panel.show_code(f"Code of {name}", "Writing the code...")
        self._request()

    def hide(self) -> None:
        """Close the view."""
        self.node_id = None
        self.panel.hide_code()

    def _selection_changed(self, ids: tuple[str, ...]) -> None:
        if self.node_id is not None and len(ids) == 1 and ids[0] != self.node_id:
            self.show(ids[0])

    def _network_changed(self, _analysis: object) -> None:
        if self.node_id is not None:
            self._timer.start(REFRESH_MS)

    def _request(self) -> None:
        node_id = self.node_id
        if node_id is None:
            return
        if node_id not in self.document.graph:
            self.panel.show_code("Code", "The block is no longer in the network.")
            return
        if self._job is not None and self._job.is_running():
            self._wanted = node_id  # asked again when the job on its way ends
            return
        settings = self.document.settings
        worker = CodeWorker(
            self.document.graph.snapshot(), node_id, settings.input_shape, settings.batch_size
        )
        worker.finished.connect(self._written)
        job = WorkerThread(worker, self)
        job.done.connect(self._job_done)
        self._job = job
        self._wanted = None
        job.start()

    def _written(self, result: tuple[str, str, str]) -> None:
        collector().settle("engine")  # torch may have loaded: what it made lives as long as the app
        node_id, code, problem = result
        if node_id != self.node_id or self._wanted is not None:
            return  # an answer to an older question
        name = self.document.graph.node(node_id).name if node_id in self.document.graph else node_id
        self.panel.show_code(f"Code of {name}", code or f"No code to show: {problem}")

    def _job_done(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if self._wanted is not None:
            self._request()

    def shutdown(self) -> None:
        """Wait for a job on its way (the window is closing)."""
        if self._job is not None:
            self._job.stop()
