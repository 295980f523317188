"""Edits the canvas makes: each builds a core command and pushes it; a refusal becomes a message, never a crash."""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterable

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from ...core import edits
from ...core.analysis import Diagnostic
from ...core.commands import Command, Disconnect, Macro, SetParam
from ...core.errors import GraphError
from ...core.graph import Graph
from ...core.model import Edge, GraphSnapshot, Node, Position
from ...core.project import Project, ProjectFileError, from_bytes, to_json
from ..document import Document
from ..mime import FRAGMENT_MIME

PASTE_STEP = 40.0


def fragment_mime(graph: Graph, node_ids: Iterable[str]) -> QMimeData:
    """Clipboard data for some nodes and the connections among them (a project-file JSON document)."""
    fragment = edits.copy_fragment(graph, node_ids)
    data = QMimeData()
    data.setData(FRAGMENT_MIME, to_json(Project(Graph(fragment), name="clipboard")).encode("utf-8"))
    return data


def put_on_clipboard(data: QMimeData) -> None:
    """Hand data to the system clipboard.

    Qt deletes clipboard data when the application object goes. If that happens after Python has shut down, a
    QMimeData made in Python takes the process down with it, so the clipboard is emptied at exit, while Python
    still runs (only when it holds our nodes).
    """
    global _release_registered
    QGuiApplication.clipboard().setMimeData(data)
    if not _release_registered:
        atexit.register(release_clipboard)
        _release_registered = True


_release_registered = False


def release_clipboard() -> None:
    """Empty the clipboard if it holds nodes this process put there."""
    if QGuiApplication.instance() is None:
        return
    clipboard = QGuiApplication.clipboard()
    data = clipboard.mimeData()
    if data is not None and data.hasFormat(FRAGMENT_MIME):
        clipboard.clear()


def fragment_from_mime(data: QMimeData | None) -> GraphSnapshot | None:
    """The nodes on the clipboard, or None when it holds no ResNet Studio fragment."""
    if data is None or not data.hasFormat(FRAGMENT_MIME):
        return None
    project = from_bytes(bytes(data.data(FRAGMENT_MIME).data()), "the clipboard")
    return project.graph.snapshot()


def top_left(nodes: Iterable[Node]) -> Position:
    """The top-left corner of a group of nodes."""
    positions = [n.position for n in nodes]
    return (min(p[0] for p in positions), min(p[1] for p in positions)) if positions else (0.0, 0.0)


class Editor:
    """Turns canvas gestures into undoable commands on the document."""

    def __init__(self, document: Document, report: Callable[[str], None]) -> None:
        self.document = document
        self.report = report
        """Shows a one-line message (the status bar); used for every refusal."""

    @property
    def graph(self) -> Graph:
        """The network being edited."""
        return self.document.graph

    def run(self, make: Callable[[], Command]) -> bool:
        """Build a command and push it as one undo step; report a refusal and return False."""
        try:
            self.document.push(make())
        except (GraphError, ValueError) as error:
            self.report(str(error))
            return False
        return True

    # --- nodes ------------------------------------------------------------------------------------------------

    def add_block(self, block_type: str, position: Position) -> str | None:
        """Add a block with default parameters; returns its id."""
        holder: list[str] = []

        def make() -> Command:
            command = edits.add_node(self.graph, block_type, position)
            holder.append(command.node.id)
            return command

        return holder[0] if self.run(make) and holder else None

    def add_connected(
        self, block_type: str, position: Position, link: Edge, fixed_output: bool
    ) -> str | None:
        """Add a block and connect it to the port a link was dragged from (one undo step)."""
        try:
            command, node_id = edits.add_connected(self.graph, block_type, position, link, fixed_output)
        except (GraphError, ValueError) as error:
            self.report(str(error))
            return None
        return node_id if self.run(lambda: command) else None

    def delete(self, node_ids: Iterable[str], edges: Iterable[Edge] = (), text: str = "") -> bool:
        """Delete nodes (with their connections) and connections, as one step."""
        command = edits.delete(self.graph, node_ids, edges, text)
        return command is not None and self.run(lambda: command)

    def delete_with_reconnect(self, node_ids: Iterable[str]) -> bool:
        """Delete nodes and join what fed them to what they fed, as one step."""
        ids = [n for n in dict.fromkeys(node_ids) if n in self.graph]
        return bool(ids) and self.run(lambda: edits.delete_with_reconnect(self.graph, ids))

    def paste_fragment(
        self, fragment: GraphSnapshot, at: Position | None, text: str = "", repeat: int = 1
    ) -> list[str]:
        """Add a copy of a fragment with its top-left at `at`, or `repeat` steps down-right of the original (so
        pasting again does not stack the copies); returns the new ids."""
        if not fragment.nodes:
            self.report("The clipboard holds no nodes")
            return []
        if at is None:
            offset = (PASTE_STEP * repeat, PASTE_STEP * repeat)
        else:
            left, top = top_left(fragment.nodes)
            offset = (at[0] - left, at[1] - top)
        try:
            command, new_ids = edits.paste(self.graph, fragment, offset)
        except GraphError as error:
            self.report(str(error))
            return []
        if text and isinstance(command, Macro):
            command.text = text
        return new_ids if self.run(lambda: command) else []

    def paste_mime(self, data: QMimeData | None, at: Position | None, repeat: int = 1) -> list[str]:
        """Paste what the clipboard holds."""
        try:
            fragment = fragment_from_mime(data)
        except ProjectFileError as error:
            self.report(f"The clipboard holds no usable nodes: {str(error).splitlines()[0]}")
            return []
        if fragment is None:
            self.report("The clipboard holds no ResNet Studio nodes; copy some first")
            return []
        return self.paste_fragment(fragment, at, repeat=repeat)

    # --- connections ------------------------------------------------------------------------------------------

    def connect(self, edge: Edge) -> bool:
        """Connect two ports."""
        return self.run(lambda: edits.connect(self.graph, edge))

    def relink(self, old: Edge, new: Edge) -> bool:
        """Move the input end of a connection to another port (one step)."""
        return self.run(lambda: edits.relink(self.graph, old, new))

    def disconnect(self, edge: Edge) -> bool:
        """Remove one connection."""
        return self.run(lambda: Disconnect(edge))

    def add_after(self, node_id: str, block_type: str) -> str | None:
        """Add a block fed by a block's output, a row below it (see edits.add_after); None, saying nothing, when
        it cannot go there (the caller then places it another way)."""
        try:
            command, new_id = edits.add_after(self.graph, node_id, block_type)
        except GraphError:
            return None
        return new_id if self.run(lambda: command) else None

    def insert_on_edge(self, edge: Edge, block_type: str, position: Position) -> str | None:
        """Drop a block onto a connection."""
        before = set(n.id for n in self.graph.nodes)
        if not self.run(lambda: edits.insert_on_edge(self.graph, edge, block_type, position)):
            return None
        added = [n.id for n in self.graph.nodes if n.id not in before]
        return added[0] if added else None

    # --- blocks -----------------------------------------------------------------------------------------------

    def explode(self, node_id: str) -> bool:
        """Replace a composite block by its layers (one step)."""
        return self.run(lambda: edits.explode(self.graph, self.document.analysis, node_id))

    def collapse(self, origin_id: str) -> bool:
        """Put exploded layers back into their block; reports why when it is refused."""
        return self.run(lambda: edits.collapse(self.graph, self.document.analysis, origin_id))

    def toggle_skip(self, node_id: str) -> bool:
        """Switch a residual block's skip connection on or off."""
        node = self.graph.node(node_id)
        return self.run(lambda: SetParam(node_id, "skip", not node.params.as_bool("skip")))

    def apply_fix(self, diagnostic: Diagnostic) -> bool:
        """Carry out a diagnostic's suggested fix."""
        return self.run(lambda: edits.apply_fix(self.graph, diagnostic))

    def auto_layout(self) -> bool:
        """Lay the whole network out top to bottom."""
        if not len(self.graph):
            return False
        return self.run(lambda: edits.auto_layout(self.graph, self.document.analysis))
