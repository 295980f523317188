"""Mouse gestures as small objects, one per gesture: pan, move nodes, drag a link, rubber-band select."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainterPath, QPen
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QGraphicsRectItem

from ...core import edits
from ...core.analysis import connection_problem
from ...core.commands import MoveNodes
from ...core.model import Edge, Position
from .host import CanvasHost
from .node_item import NodeItem, PortHit
from .style import GRID

_drag_ids = itertools.count(1)


def snap(value: float) -> float:
    """The nearest grid line."""
    return round(value / GRID) * GRID


class Interaction:
    """One gesture from mouse press to release. The view forwards move/release until it ends."""

    def __init__(self, view: CanvasHost, event: QMouseEvent) -> None:
        self.view = view
        self.press_at = event.position().toPoint()
        self.press_scene = view.mapToScene(self.press_at)

    def moved_far(self, event: QMouseEvent) -> bool:
        """True once the mouse left the press point by the platform's drag distance."""
        delta = event.position().toPoint() - self.press_at
        return delta.manhattanLength() >= QApplication.startDragDistance()

    def move(self, event: QMouseEvent) -> None:
        """The mouse moved with the button held."""

    def release(self, event: QMouseEvent) -> None:
        """The button was released: finish."""

    def cancel(self) -> None:
        """Escape or focus loss: undo what the gesture showed and stop."""


class Pan(Interaction):
    """Middle-drag, or space + drag: move the view."""

    def __init__(self, view: CanvasHost, event: QMouseEvent) -> None:
        super().__init__(view, event)
        self._last = event.position().toPoint()
        view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        delta = point - self._last
        self._last = point
        self.view.scroll_by(-delta.x(), -delta.y())

    def release(self, event: QMouseEvent) -> None:
        self.view.restore_cursor()

    def cancel(self) -> None:
        self.view.restore_cursor()


class MoveSelection(Interaction):
    """Drag cards. Every mouse move pushes a MoveNodes with the same drag key, so the drag is one undo step.

    With Alt, a single card is first lifted out of its chain (its input is joined to its outputs), in the same step.
    """

    def __init__(self, view: CanvasHost, event: QMouseEvent, item: NodeItem) -> None:
        super().__init__(view, event)
        document = view.document
        modifiers = event.modifiers()
        toggle = bool(modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        self.clicked = item.node_id
        self._reselect_on_click = False
        selection = list(document.selection)
        if toggle:
            if item.node_id in selection:
                selection.remove(item.node_id)
            else:
                selection.append(item.node_id)
            document.set_selection(selection)
        elif item.node_id not in selection:
            document.set_selection([item.node_id])
        else:
            self._reselect_on_click = len(selection) > 1
        if not toggle:
            for edge in view.canvas.selected_edges():
                view.canvas.edges[edge].setSelected(False)
        graph = document.graph
        self.ids = [n for n in document.selection if n in graph]
        self.start: dict[str, Position] = {n: graph.node(n).position for n in self.ids}
        self.key = ("canvas-drag", next(_drag_ids))
        self._stack_index = document.undo_stack.index()
        self._dragging = False
        self._last: dict[str, Position] = dict(self.start)
        self._detach = bool(modifiers & Qt.KeyboardModifier.AltModifier) and len(self.ids) == 1
        self._macro = False

    def move(self, event: QMouseEvent) -> None:
        if not self.ids or (not self._dragging and not self.moved_far(event)):
            return
        if not self._dragging and self._detach:
            self._lift_out()
        self._dragging = True
        here = self.view.mapToScene(event.position().toPoint())
        dx, dy = here.x() - self.press_scene.x(), here.y() - self.press_scene.y()
        if self.view.snap_to_grid:
            # snap the card under the mouse; the others keep their offsets from it
            ax, ay = self.start[self.clicked] if self.clicked in self.start else self.start[self.ids[0]]
            dx, dy = snap(ax + dx) - ax, snap(ay + dy) - ay
        positions = {n: (x + dx, y + dy) for n, (x, y) in self.start.items()}
        if positions == self._last:
            return
        self._last = positions
        self.view.editor.run(lambda: MoveNodes(positions, drag=self.key))

    def _lift_out(self) -> None:
        command = edits.detach(self.view.document.graph, self.ids[0])
        if command is None:
            return
        stack = self.view.document.undo_stack
        stack.beginMacro(command.describe(self.view.document.graph))  # the detach and the moves: one step
        self._macro = True
        self.view.editor.run(lambda: command)

    def _end_macro(self) -> None:
        if self._macro:
            self.view.document.undo_stack.endMacro()
            self._macro = False

    def release(self, event: QMouseEvent) -> None:
        self._end_macro()
        if not self._dragging and self._reselect_on_click:
            self.view.document.set_selection([self.clicked])

    def cancel(self) -> None:
        self._end_macro()
        if not self._dragging:
            return
        stack = self.view.document.undo_stack
        if stack.index() == self._stack_index + 1:
            command = stack.command(self._stack_index)
            command.undo()  # Qt drops an obsolete command without undoing it, so undo it first
            command.setObsolete(True)
            stack.undo()  # removes it: the cancelled drag leaves no undo or redo step


class RubberBand(Interaction):
    """Drag on empty canvas: select the cards the rectangle touches (Shift/Ctrl adds to the selection)."""

    def __init__(self, view: CanvasHost, event: QMouseEvent) -> None:
        super().__init__(view, event)
        additive = bool(
            event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        )
        self.base = list(view.document.selection) if additive else []
        if not additive:
            view.canvas.clearSelection()
            view.document.set_selection([])
        self._rect: QGraphicsRectItem | None = None

    def move(self, event: QMouseEvent) -> None:
        if self._rect is None and not self.moved_far(event):
            return
        here = self.view.mapToScene(event.position().toPoint())
        rect = QRectF(self.press_scene, here).normalized()
        if self._rect is None:
            self._rect = QGraphicsRectItem()
            colour = QColor(self.view.canvas.canvas_style.highlight)
            self._rect.setPen(QPen(colour, 0))
            colour.setAlphaF(0.14)
            self._rect.setBrush(colour)
            self._rect.setZValue(50.0)
            self.view.canvas.addItem(self._rect)
        self._rect.setRect(rect)
        inside = [
            i.node_id
            for i in self.view.canvas.items(rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
            if isinstance(i, NodeItem) and i.sceneBoundingRect().intersects(rect)
        ]
        self.view.document.set_selection(self.base + [n for n in inside if n not in self.base])

    def release(self, event: QMouseEvent) -> None:
        self.cancel()

    def cancel(self) -> None:
        if self._rect is not None:
            self.view.canvas.removeItem(self._rect)
            self._rect = None


class LinkDrag(Interaction):
    """Drag from a port to another: compatible ports glow, refused ones dim and the reason shows at the cursor.

    From an output: link to an input. From a free input: link back to an output. From a connected input: pick
    the link up (drop it on another input to move it, or on empty canvas to remove it).
    """

    def __init__(self, view: CanvasHost, event: QMouseEvent, port: PortHit) -> None:
        super().__init__(view, event)
        graph = view.document.graph
        self.old: Edge | None = None
        if port.is_output:
            self.fixed = (port.node_id, port.port)
            self.from_output = True
        else:
            existing = graph.edge_into(port.node_id, port.port)
            if existing is not None:
                self.old = existing
                self.fixed = (existing.src, existing.src_port)
                self.from_output = True
            else:
                self.fixed = (port.node_id, port.port)
                self.from_output = False
        self._reasons: dict[tuple[str, str], str | None] = {}
        self._touched: set[str] = set()
        self.target: PortHit | None = None
        self._line = QGraphicsPathItem()
        pen = QPen(
            view.canvas.canvas_style.highlight,
            view.canvas.canvas_style.edge_width + 0.5,
            Qt.PenStyle.DashLine,
        )
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self._line.setPen(pen)
        self._line.setZValue(40.0)
        view.canvas.addItem(self._line)
        if self.old is not None and self.old in view.canvas.edges:
            view.canvas.edges[self.old].setOpacity(0.25)
        self._mark_visible()
        self.move(event)

    # --- feedback ---------------------------------------------------------------------------------------------

    def candidate(self, hit: PortHit) -> Edge | None:
        """The edge a drop on this port would make (None for a port of the wrong direction)."""
        if self.from_output and not hit.is_output:
            return Edge(self.fixed[0], self.fixed[1], hit.node_id, hit.port)
        if not self.from_output and hit.is_output:
            return Edge(hit.node_id, hit.port, self.fixed[0], self.fixed[1])
        return None

    def reason(self, hit: PortHit) -> str | None:
        """Why a drop on this port would be refused (None: it would work)."""
        key = (hit.node_id, hit.port)
        if key not in self._reasons:
            edge = self.candidate(hit)
            if edge is None:
                self._reasons[key] = "connect an output to an input"
            elif self.old is not None and edge == self.old:
                self._reasons[key] = None
            else:
                document = self.view.document
                self._reasons[key] = connection_problem(document.graph, document.analysis, edge)
        return self._reasons[key]

    def _mark_visible(self) -> None:
        """Glow or dim the ports on screen (off-screen ones are checked when the mouse reaches them)."""
        canvas = self.view.canvas
        for item in canvas.items(self.view.visible_scene_rect()):
            if not isinstance(item, NodeItem):
                continue
            ports = ("out",) if not self.from_output else item.content.input_ports
            if not self.from_output and not item.content.has_output:
                continue
            item.port_feedback = {
                p: self.reason(PortHit(item.node_id, p, not self.from_output)) is None for p in ports
            }
            self._touched.add(item.node_id)
            item.update()

    def _show_line(self, end: QPointF) -> None:
        canvas = self.view.canvas
        item = canvas.nodes.get(self.fixed[0])
        if item is None:
            return
        start = item.port_scene_pos(self.fixed[1], self.from_output)
        a, b = (start, end) if self.from_output else (end, start)
        path = QPainterPath(a)
        bend = max(30.0, min(abs(b.y() - a.y()) * 0.45, 140.0))
        path.cubicTo(QPointF(a.x(), a.y() + bend), QPointF(b.x(), b.y() - bend), b)
        self._line.setPath(path)

    def move(self, event: QMouseEvent) -> None:
        view = self.view
        here = view.mapToScene(event.position().toPoint())
        hit = view.canvas.port_at(here, view.port_reach())
        if hit is not None and self.candidate(hit) is None:
            hit = None
        previous = self.target
        self.target = hit
        if previous is not None and (
            hit is None or (previous.node_id, previous.port) != (hit.node_id, hit.port)
        ):
            item = view.canvas.nodes.get(previous.node_id)
            if item is not None:
                item.hot_port = None
                item.update()
        if hit is None:
            self._show_line(here)
            view.show_hint("", None)
            return
        item = view.canvas.nodes[hit.node_id]
        if hit.node_id not in self._touched:
            ports = ("out",) if hit.is_output else item.content.input_ports
            item.port_feedback = {
                p: self.reason(PortHit(hit.node_id, p, hit.is_output)) is None for p in ports
            }
            self._touched.add(hit.node_id)
        reason = self.reason(hit)
        self._show_line(item.port_scene_pos(hit.port, hit.is_output))
        item.hot_port = hit.port if reason is None else None
        item.update()
        node = view.document.graph.node(hit.node_id)
        if reason is None:
            view.show_hint(f"Connect to {node.name} ({hit.port})", True)
        else:
            view.show_hint(reason, False)
            view.status_message.emit(reason)

    def release(self, event: QMouseEvent) -> None:
        self.move(event)
        hit, view = self.target, self.view
        self.cancel()
        if hit is None:
            if self.old is not None:
                view.editor.disconnect(self.old)
            elif self.moved_far(event):
                view.open_quick_add(event.position().toPoint(), link=self.pending_link())
            return
        edge = self.candidate(hit)
        reason = self.reason(hit)
        if edge is None or (self.old is not None and edge == self.old):
            return
        if reason is not None:
            view.status_message.emit(reason)
            return
        if self.old is not None:
            view.editor.relink(self.old, edge)
        else:
            view.editor.connect(edge)

    def pending_link(self) -> tuple[Edge, bool]:
        """The half-made link, for quick-add: (edge with the fixed end, whether that end is an output)."""
        if self.from_output:
            return Edge(self.fixed[0], self.fixed[1], "", ""), True
        return Edge("", "", self.fixed[0], self.fixed[1]), False

    def cancel(self) -> None:
        canvas = self.view.canvas
        if self._line.scene() is not None:
            canvas.removeItem(self._line)
        for node_id in self._touched:
            item = canvas.nodes.get(node_id)
            if item is not None:
                item.port_feedback = {}
                item.hot_port = None
                item.update()
        self._touched.clear()
        if self.old is not None and self.old in canvas.edges:
            canvas.edges[self.old].setOpacity(1.0)
        self.view.show_hint("", None)


def press_kind(view: CanvasHost, event: QMouseEvent) -> Interaction | None:
    """Which gesture a mouse press starts (None: not ours, e.g. the right button opens the context menu)."""
    button = event.button()
    if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and view.space_held):
        return Pan(view, event)
    if button != Qt.MouseButton.LeftButton:
        return None
    scene_pos = view.mapToScene(event.position().toPoint())
    port = view.port_for_press(scene_pos)
    if port is not None:
        return LinkDrag(view, event, port)
    item = view.canvas.node_item_at(scene_pos)
    if item is not None:
        return MoveSelection(view, event, item)
    edge = view.canvas.edge_item_at(scene_pos)
    if edge is not None:
        additive = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if not additive:
            view.document.set_selection([])
            view.canvas.clearSelection()
        edge.setSelected(not edge.isSelected() if additive else True)
        return None
    return RubberBand(view, event)


__all__ = ["Interaction", "LinkDrag", "MoveSelection", "Pan", "RubberBand", "press_kind", "snap"]
