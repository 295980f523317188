"""Drops from the palette: a block lands where it is dropped, or into the connection under it; a preset lands whole."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF

from ...core import edits
from ...core.catalogue import get_spec
from ...core.commands import Command, Macro, MoveNodes
from ...core.errors import GraphError, UnknownPresetError
from ...core.layout import ROW_GAP
from ...core.model import Edge, Position
from ...core.presets import PRESETS, preset
from ..mime import BLOCK_MIME, PRESET_MIME
from .edge_item import EdgeItem
from .host import CanvasHost
from .interactions import snap
from .style import CARD_HEIGHT, CARD_WIDTH


def payload(data: QMimeData | None) -> tuple[str, str] | None:
    """('block', type) or ('preset', name) from a palette drag; None for anything else."""
    if data is None:
        return None
    for kind, mime in (("block", BLOCK_MIME), ("preset", PRESET_MIME)):
        if data.hasFormat(mime):
            text = bytes(data.data(mime).data()).decode("utf-8", "replace").strip()
            if text:
                return kind, text
    return None


def insertable(block_type: str) -> bool:
    """True for blocks with an input and an output (they can sit inside a connection)."""
    try:
        spec = get_spec(block_type)
    except GraphError:
        return False
    return bool(spec.input_ports(spec.default_params())) and bool(spec.outputs)


class Drops:
    """Accepts palette drags on the canvas and highlights the connection a block would be inserted into."""

    def __init__(self, view: CanvasHost) -> None:
        self.view = view
        self._target: EdgeItem | None = None

    def card_corner(self, at: QPointF) -> Position:
        """Top-left corner for a card centred on a drop point (snapped when the grid is on)."""
        x, y = at.x() - CARD_WIDTH / 2, at.y() - CARD_HEIGHT / 2
        return (snap(x), snap(y)) if self.view.snap_to_grid else (x, y)

    def edge_under(self, data: QMimeData | None, at: QPointF) -> EdgeItem | None:
        """The connection a block dropped here would go into (none over a card)."""
        found = payload(data)
        if found is None or found[0] != "block" or not insertable(found[1]):
            return None
        canvas = self.view.canvas
        if canvas.node_item_at(at) is not None:
            return None
        return canvas.edge_item_at(at)

    def hover(self, data: QMimeData | None, at: QPointF) -> bool:
        """A drag moved over the canvas: highlight the target connection; True if the drop is acceptable."""
        target = self.edge_under(data, at)
        if target is not self._target:
            if self._target is not None and self._target.scene() is not None:
                self._target.set_drop_target(False)
            if target is not None:
                target.set_drop_target(True)
            self._target = target
        return payload(data) is not None

    def leave(self) -> None:
        """The drag left the canvas."""
        if self._target is not None and self._target.scene() is not None:
            self._target.set_drop_target(False)
        self._target = None

    def drop(self, data: QMimeData | None, at: QPointF) -> bool:
        """Add what was dropped at a scene point; True when something was added."""
        found = payload(data)
        target = self.edge_under(data, at)
        self.leave()
        if found is None:
            return False
        kind, name = found
        view = self.view
        if kind == "preset":
            return self._drop_preset(name, at)
        if target is not None:
            return self._insert(target.edge, name, at)
        new_id = view.editor.add_block(name, self.card_corner(at))
        if new_id is not None:
            view.document.set_selection([new_id])
        return new_id is not None

    def _drop_preset(self, name: str, at: QPointF) -> bool:
        try:
            graph = preset(name)
        except UnknownPresetError as error:
            self.view.status_message.emit(str(error.args[0]) if error.args else str(error))
            return False
        title = PRESETS[name].title if name in PRESETS else name
        corner = self.card_corner(at)
        new_ids = self.view.editor.paste_fragment(graph.snapshot(), corner, text=f"Add {title}")
        if new_ids:
            self.view.document.set_selection(new_ids)
        return bool(new_ids)

    def _insert(self, edge: Edge, block_type: str, at: QPointF) -> bool:
        """Insert into a connection; when the ends sit too close for a card, the nodes below move down a row."""
        view = self.view
        graph = view.document.graph
        src, dst = graph.node(edge.src), graph.node(edge.dst)
        room = dst.position[1] - src.position[1] - CARD_HEIGHT
        if room >= CARD_HEIGHT + ROW_GAP:
            position = self.card_corner(at)
            shift: dict[str, Position] = {}
        else:
            position = (dst.position[0], dst.position[1])
            step = CARD_HEIGHT + ROW_GAP
            shift = {
                n.id: (n.position[0], n.position[1] + step)
                for n in graph.nodes
                if n.position[1] >= dst.position[1] - 1
            }

        def make() -> Command:
            command = edits.insert_on_edge(graph, edge, block_type, position)
            if not shift:
                return command
            text = command.describe(graph)
            return Macro(text, [command, MoveNodes(shift)])

        ids_before = {n.id for n in graph.nodes}
        if not view.editor.run(make):
            return False
        added = [n.id for n in graph.nodes if n.id not in ids_before]
        view.document.set_selection(added)
        return True
