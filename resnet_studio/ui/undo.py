"""The one adapter between core commands and Qt's undo stack."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from ..core.commands import Command
from ..core.graph import Graph


class UndoCommand(QUndoCommand):
    """Wraps a core Command. QUndoStack.push() calls redo() itself, so nothing is applied before pushing.

    If the command fails on its first redo, it marks itself obsolete (Qt then drops it from the stack) and keeps
    the error for the caller; core commands are all-or-nothing, so the graph is unchanged.
    """

    MERGE_ID = 0x5E5

    def __init__(self, graph: Graph, command: Command, after: Callable[[], object]) -> None:
        super().__init__(command.describe(graph))
        self.graph = graph
        self.command = command
        self.error: Exception | None = None
        self._after = after

    def redo(self) -> None:
        try:
            self.command.do(self.graph)
        except Exception as error:  # reported to the caller by Document.push
            self.error = error
            self.setObsolete(True)
            return
        self._after()

    def undo(self) -> None:
        self.command.undo(self.graph)
        self._after()

    def id(self) -> int:
        return self.MERGE_ID if self.command.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, UndoCommand) or other.error is not None:
            return False
        return self.command.merge(other.command)
