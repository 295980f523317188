"""Nothing lost after a crash: unsaved work is written to a recovery file every 30 seconds, and the next start
offers to bring it back.

Each window keeps one recovery file, guarded by a lock file that Qt knows to be stale once the process is gone.
Closing the window normally, saving, or opening another document removes the file; a file whose lock is stale was
left by a crash (or a kill) and is offered at the next start.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from ..core.project import Project, ProjectFileError, load_project, save
from .document import Document

RECOVERY_DIR_ENV = "RESNET_STUDIO_RECOVERY_DIR"
"""Where recovery files go (tests and portable installs); by default the app's data folder."""
AUTOSAVE_INTERVAL_S = 30.0
SUFFIX = ".recovery.json"
META_SUFFIX = ".meta.json"
LOCK_SUFFIX = ".lock"


def recovery_dir() -> Path:
    """The folder recovery files live in (created when first needed)."""
    configured = os.environ.get(RECOVERY_DIR_ENV)
    if configured:
        return Path(configured)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".resnet-studio") / "recovery"


@dataclass(frozen=True)
class Recovery:
    """Unsaved work a crashed session left behind."""

    file: Path
    title: str
    """What the document was called: its file name or 'Untitled'."""
    original: Path | None
    """The project file the work belongs to (None for a network never saved)."""
    saved_at: float
    """When it was written (seconds since the epoch)."""

    def describe(self) -> str:
        """'resnet18.rsproj.json, changed at 14:02' for the offer."""
        return f"{self.title}, changed at {time.strftime('%H:%M on %d %b', time.localtime(self.saved_at))}"

    def load(self) -> Project:
        """The recovered project; raises ProjectFileError when the file cannot be read."""
        return load_project(self.file)

    def discard(self) -> None:
        """Forget this recovery (its files go)."""
        for path in _companions(self.file):
            path.unlink(missing_ok=True)


def _companions(file: Path) -> tuple[Path, Path, Path]:
    stem = file.name[: -len(SUFFIX)]
    return file, file.with_name(stem + META_SUFFIX), file.with_name(stem + LOCK_SUFFIX)


def left_behind(folder: Path | None = None) -> list[Recovery]:
    """Recovery files whose session is gone (its lock is stale or missing), newest first."""
    folder = folder or recovery_dir()
    if not folder.is_dir():
        return []
    found: list[Recovery] = []
    for file in folder.glob("*" + SUFFIX):
        _, meta_path, lock_path = _companions(file)
        lock = QLockFile(str(lock_path))
        lock.setStaleLockTime(0)  # no age limit: only a dead process makes a lock stale
        if lock_path.exists() and not lock.tryLock(0):
            continue  # a running window's own file
        lock.unlock()
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            title, original, saved_at = str(meta["title"]), meta.get("original"), float(meta["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            title, original, saved_at = file.name, None, file.stat().st_mtime
        found.append(Recovery(file, title, Path(original) if original else None, saved_at))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


class Autosaver(QObject):
    """Writes the document to its recovery file every interval while it has unsaved changes."""

    def __init__(
        self, document: Document, parent: QObject | None = None, interval_s: float = AUTOSAVE_INTERVAL_S
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.folder = recovery_dir()
        token = f"{os.getpid()}-{os.urandom(4).hex()}"  # uuid would import platform at start-up
        self.file = self.folder / f"{token}{SUFFIX}"
        _, self._meta, lock_path = _companions(self.file)
        self._lock = QLockFile(str(lock_path))
        self._lock.setStaleLockTime(0)
        self._written_at_index: int | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(round(interval_s * 1000))
        self.timer.timeout.connect(self.write_now)
        self.timer.start()
        document.undo_stack.cleanChanged.connect(self._clean_changed)
        document.reloaded.connect(self.discard)

    def write_now(self) -> bool:
        """Write the recovery file if there are unsaved changes not yet written; True when it wrote."""
        document = self.document
        index = document.undo_stack.index()
        if not document.is_modified or index == self._written_at_index:
            return False
        try:
            if not self._lock.isLocked():
                self.folder.mkdir(parents=True, exist_ok=True)
                self._lock.tryLock(0)
            save(document.project(), self.file)
            meta = {
                "title": document.display_name,
                "original": str(document.path) if document.path is not None else None,
                "saved_at": time.time(),
            }
            self._meta.write_text(json.dumps(meta), encoding="utf-8")
        except (OSError, ProjectFileError):
            return False  # a full disk must not disturb the editing; the next interval tries again
        self._written_at_index = index
        return True

    def discard(self) -> None:
        """Remove the recovery file (the work is saved, or closed without saving on purpose)."""
        self._written_at_index = None
        self.file.unlink(missing_ok=True)
        self._meta.unlink(missing_ok=True)

    def stop(self) -> None:
        """The window closes normally: nothing needs recovering."""
        self.timer.stop()
        self.discard()
        if self._lock.isLocked():
            self._lock.unlock()

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.discard()
