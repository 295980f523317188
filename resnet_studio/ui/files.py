"""File handling for the window: New, Open, Save, Save As, recent files, examples, presets and exports.

Every way of replacing the document first offers to save unsaved work; every failure shows the precise
message and leaves both the document and the file on disk as they were. A checkpoint (.pt, .pth,
.safetensors) opens on a worker thread (torch reads it there) and arrives as a new, unsaved document with
its weights attached."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..core.analysis import RunSettings
from ..core.errors import UnknownPresetError
from ..core.graph import Graph
from ..core.presets import PRESETS, preset
from ..core.project import Project, ProjectFileError, ProjectSaveError, from_bytes, why_not_opened
from ..results.checkpoint_files import CHECKPOINT_SUFFIXES, is_checkpoint_file
from .document import Document
from .recovery import Recovery
from .resources import example_files
from .settings_store import SettingsStore

if TYPE_CHECKING:
    from ..results.checkpoint import OpenedCheckpoint, OpenFailure
    from .workers.thread import WorkerThread

PROJECT_SUFFIX = ".rsproj.json"
"""What Save suggests: still JSON, and the desktop's file type for projects (packaging/linux's MIME glob)."""
PROJECT_FILTER = "ResNet Studio projects (*.rsproj.json *.json);;All files (*)"
_CHECKPOINTS = " ".join(f"*{suffix}" for suffix in CHECKPOINT_SUFFIXES)
OPEN_FILTER = (
    f"Networks (*.json {_CHECKPOINTS});;ResNet Studio projects (*.rsproj.json *.json);;"
    f"PyTorch checkpoints ({_CHECKPOINTS});;All files (*)"
)
IMAGE_FILTERS = {".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)"}


class FileController(QObject):
    """Owns the document's life cycle for one window; dialogs are parented to that window."""

    status = Signal(str)
    """A short confirmation for the status bar ('Saved resnet18.json')."""
    recent_changed = Signal()
    checkpoint_opened = Signal(bool)
    """A checkpoint finished opening: True when it is now the document, False when it was refused."""

    def __init__(
        self,
        window: QWidget,
        document: Document,
        store: SettingsStore,
        export_image: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.store = store
        self._export_image = export_image
        self._opening: WorkerThread | None = None
        """The worker thread opening a checkpoint, while it runs."""
        self._opening_path = Path()

    # --- unsaved work -------------------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """Offer to save unsaved changes; False when the user cancels (or saving failed)."""
        if not self.document.is_modified:
            return True
        answer = QMessageBox.warning(
            self.window,
            "Unsaved changes",
            f"Save the changes to {self.document.display_name} before closing it?\n\n"
            "Your changes are lost if you don't save them.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def recover(self, recovery: Recovery) -> bool:
        """Bring back work a crash left: the document shows it, unsaved, belonging to its original file."""
        if not self.maybe_save():
            return False
        try:
            project = recovery.load()
        except ProjectFileError as error:
            self._error("Recover unsaved work", f"The recovered work cannot be read: {why_not_opened(error)}")
            return False
        self.document.replace(project, recovery.original)
        self.document.mark_modified()  # recovered work is unsaved until the user saves it
        recovery.discard()
        self.status.emit(f"Recovered your unsaved changes to {recovery.title}: save them to keep them")
        return True

    # --- new / open ---------------------------------------------------------------------------------------

    def new(self) -> bool:
        """Start an empty network (after offering to save)."""
        if not self.maybe_save():
            return False
        self.document.replace(Project(Graph(), RunSettings(), ""), None)
        self.status.emit("New network: drag blocks from the palette to build one")
        return True

    def open(self, path: str | Path | None = None) -> bool:
        """Open a project file or a checkpoint (asks for one when `path` is None); errors leave the document
        as it was. A checkpoint opens on a worker thread: True means it started, `checkpoint_opened` ends it."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self.window, "Open project or checkpoint", self.store.last_folder(), OPEN_FILTER
            )
            if not chosen:
                return False
            path = chosen
        if not self.maybe_save():
            return False
        if is_checkpoint_file(path):
            return self._open_checkpoint(Path(path))
        try:
            self.document.open(path)
        except ProjectFileError as error:
            self._error(
                "Cannot open project", f"{Path(path).name} could not be opened:\n\n{error.listing(12)}"
            )
            return False
        except OSError as error:
            self._error("Cannot open project", f"The project could not be opened.\n\n{error}")
            return False
        self._remember(Path(path))
        self.status.emit(f"Opened {Path(path).name}")
        return True

    def _open_checkpoint(self, path: Path) -> bool:
        from .workers.files import CheckpointWorker
        from .workers.thread import WorkerThread

        if self._opening is not None:
            self.status.emit("Still opening the last checkpoint; try again when it is open")
            return False
        worker = CheckpointWorker(str(path))
        worker.finished.connect(self._checkpoint_arrived)
        job = WorkerThread(worker, self)
        job.done.connect(job.deleteLater)
        job.done.connect(self._checkpoint_job_done)
        self._opening = job
        self._opening_path = path
        self.status.emit(f"Opening {path.name}: reading its tensors and recognising its network...")
        job.start()
        return True

    def _checkpoint_job_done(self) -> None:
        self._opening = None

    def shutdown(self) -> None:
        """Wait for a checkpoint being opened (the window is closing; its thread must not outlive it)."""
        job = self._opening
        if job is not None:
            job.stop()

    def _checkpoint_arrived(self, result: OpenedCheckpoint | OpenFailure) -> None:
        from ..results.checkpoint import OpenFailure  # loaded by the worker that opened it by now

        if isinstance(result, OpenFailure):
            self._error("Cannot open checkpoint", f"The checkpoint could not be opened.\n\n{result.message}")
            self.checkpoint_opened.emit(False)
            return
        name = Path(result.file_name).stem
        project = Project(result.graph(), RunSettings(), name, result.architecture)
        self.document.replace(project, None, result.weights)
        self._remember(self._opening_path)
        self.status.emit(f"Opened {result.file_name} with its weights: {result.architecture}")
        self.checkpoint_opened.emit(True)

    def open_preset(self, name: str) -> bool:
        """Replace the document by a preset network (after offering to save)."""
        try:
            graph = preset(name)
        except UnknownPresetError as error:
            self._error("Unknown preset", str(error))
            return False
        if not self.maybe_save():
            return False
        found = PRESETS.get(name)
        title = found.title if found else name
        self.document.replace(Project(graph, RunSettings(), title, found.description if found else ""), None)
        self.status.emit(f"Started from the {title} preset")
        return True

    def open_example(self, stem: str) -> bool:
        """Open a shipped example as a new, unsaved document (Save asks where to put it)."""
        file = example_files().get(stem)
        if file is None:
            self._error("Cannot open example", f"There is no example named {stem!r}.")
            return False
        try:
            project = from_bytes(file.read_bytes(), file.name)
        except (ProjectFileError, OSError) as error:
            self._error("Cannot open example", f"The example could not be opened.\n\n{error}")
            return False
        if not self.maybe_save():
            return False
        self.document.replace(project, None)
        self.status.emit(f"Opened the example {project.name or stem}")
        return True

    def openable(self, path: str | Path) -> bool:
        """True for a file Open takes: a project (.json) or a checkpoint (for drops on the window)."""
        return Path(path).suffix.lower() == ".json" or is_checkpoint_file(path)

    # --- save ---------------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save to the current file, or ask for one."""
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self, path: str | Path | None = None) -> bool:
        """Save under a new name (asks for one when `path` is None)."""
        if path is None:
            if self.document.path:
                suggestion = self.document.path
            else:
                folder = Path(self.store.last_folder())
                suggestion = folder / f"{_slug(self.document.display_name)}{PROJECT_SUFFIX}"
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, "Save project", str(suggestion), PROJECT_FILTER
            )
            if not chosen:
                return False
            path = chosen
        target = Path(path)
        if not target.suffix:
            target = target.with_name(target.name + PROJECT_SUFFIX)
        return self._save_to(target)

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except (ProjectSaveError, OSError) as error:
            self._error(
                "Cannot save project", f"The project was not saved; the file on disk is unchanged.\n\n{error}"
            )
            return False
        self._remember(path)
        self.status.emit(f"Saved {path.name}")
        return True

    # --- export -------------------------------------------------------------------------------------------

    def export_image(self, suffix: str, path: str | Path | None = None) -> bool:
        """Export the canvas as PNG or SVG."""
        if path is None:
            stem = _slug(Path(self.document.display_name).stem)
            folder = self.document.path.parent if self.document.path else Path(self.store.last_folder())
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, "Export canvas", str(folder / f"{stem}{suffix}"), IMAGE_FILTERS[suffix]
            )
            if not chosen:
                return False
            path = chosen
        target = Path(path)
        if target.suffix.lower() not in IMAGE_FILTERS:
            target = target.with_name(target.name + suffix)
        try:
            self._export_image(str(target))
        except OSError as error:
            self._error("Export failed", f"The image was not written.\n\n{error}")
            return False
        self.store.set_last_folder(target.parent)
        self.status.emit(f"Exported {target.name}")
        return True

    # --- helpers ------------------------------------------------------------------------------------------

    def _remember(self, path: Path) -> None:
        self.store.add_recent_file(path)
        self.store.set_last_folder(path.resolve().parent)
        self.recent_changed.emit()

    def _error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.window, title, text)


def _slug(text: str) -> str:
    """A file-name-friendly version of a project name: 'ResNet-18' -> 'resnet-18'."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip().lower())
    return cleaned.strip("-.") or "network"
