"""The open document: graph + undo stack + file path + clean state + latest analysis. Panels observe it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core.analysis import Analysis, Analyzer, RunSettings
from ..core.commands import Command
from ..core.graph import Graph
from ..core.project import Project, load_project, save
from .undo import UndoCommand

if TYPE_CHECKING:
    from ..results.weights import (
        AttachedWeights,  # an annotation only: its module loads with the first weights
    )


class Document(QObject):
    """One network being edited. Every edit goes through `push`; views subscribe to the graph's
    signals (structure) and to this object's Qt signals (analysis, selection, file state)."""

    analysis_changed = Signal(object)
    """The new Analysis, after every edit or settings change that altered it."""
    selection_changed = Signal(tuple)
    """Selected node ids (the one selection shared by canvas, inspector, problems and summary)."""
    settings_changed = Signal(object)
    """The new RunSettings."""
    file_changed = Signal()
    """Path, name or clean state changed (window title, recent files)."""
    reloaded = Signal()
    """The whole graph was replaced (new or opened file): views should rebuild."""
    settled = Signal()
    """An edit or settings change has been applied and analysed (after analysis_changed, if it changed): views
    that held back a node's refresh until the new analysis may do it now, once."""

    def __init__(self, graph: Graph | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = graph if graph is not None else Graph()
        self.undo_stack = QUndoStack(self)
        self.settings = RunSettings()
        self.path: Path | None = None
        self.name = ""
        self.description = ""
        self.weights: AttachedWeights | None = None
        """Weights that came with the network (an opened checkpoint); runs merge them in by node."""
        self._selection: tuple[str, ...] = ()
        self._analyzer = Analyzer(self.graph, self.settings)
        self.analysis: Analysis = self._analyzer.analyze()
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.graph.node_removed.connect(self._forget_selected)

    def _on_clean_changed(self, _clean: bool) -> None:
        self.file_changed.emit()

    # --- editing --------------------------------------------------------------------------------------------

    def push(self, command: Command) -> None:
        """Apply a command as one undo step; re-raises its typed error (nothing changed) if it fails."""
        wrapper = UndoCommand(self.graph, command, self.reanalyse)
        self.undo_stack.push(wrapper)
        if wrapper.error is not None:
            raise wrapper.error

    def reanalyse(self) -> Analysis:
        """Bring the analysis up to date (incremental) and announce it if it changed."""
        analysis = self._analyzer.analyze(self.settings)
        if analysis is not self.analysis:
            self.analysis = analysis
            self.analysis_changed.emit(analysis)
        self.settled.emit()
        return analysis

    def set_settings(self, settings: RunSettings) -> None:
        """Change input size, batch size or dtype; re-analyses at once (not an undoable edit)."""
        if settings == self.settings:
            return
        self.settings = settings
        self.settings_changed.emit(settings)
        self.reanalyse()

    # --- selection ------------------------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[str, ...]:
        """Selected node ids."""
        return self._selection

    def set_selection(self, node_ids: tuple[str, ...] | list[str]) -> None:
        """Select these nodes (unknown ids are ignored with no error: they may have just been deleted)."""
        ids = tuple(n for n in dict.fromkeys(node_ids) if n in self.graph)
        if ids != self._selection:
            self._selection = ids
            self.selection_changed.emit(ids)

    def _forget_selected(self, node: object) -> None:
        node_id = getattr(node, "id", None)
        if node_id in self._selection:
            self.set_selection(tuple(n for n in self._selection if n != node_id))

    # --- files ----------------------------------------------------------------------------------------------

    @property
    def is_modified(self) -> bool:
        """True while there are unsaved changes."""
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name, or the project name, or 'Untitled'."""
        if self.path is not None:
            return self.path.name
        return self.name or "Untitled"

    def replace(self, project: Project, path: Path | None, weights: AttachedWeights | None = None) -> None:
        """Show another network (new or opened file): the undo history starts afresh."""
        self.weights = weights
        self.set_selection(())
        self.undo_stack.clear()
        self.graph.clear()
        self.graph.extend(project.graph.nodes, project.graph.edges)
        self.settings = project.settings
        self.name, self.description = project.name, project.description
        self.path = path
        self.undo_stack.setClean()
        self.settings_changed.emit(self.settings)
        self.reloaded.emit()
        self.reanalyse()
        self.file_changed.emit()

    def mark_modified(self) -> None:
        """Count the document as changed since its last save (e.g. recovered work)."""
        self.undo_stack.resetClean()
        self.file_changed.emit()

    def open(self, path: str | Path) -> None:
        """Load a project file; raises ProjectFileError and leaves this document untouched if it cannot."""
        project = load_project(path)  # fails before anything here changes
        self.replace(project, Path(path))

    def save(self, path: str | Path | None = None) -> Path:
        """Save (atomically) to `path` or the current path; raises ProjectSaveError, keeping the old file."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file name: use Save As")
        save(Project(self.graph, self.settings, self.name, self.description), target)
        self.path = target
        self.undo_stack.setClean()
        self.file_changed.emit()
        return target

    def project(self) -> Project:
        """The document as a Project value (graph copy) for files and clipboards."""
        return Project(self.graph.copy(), self.settings, self.name, self.description)
