"""The graph editor: zoom, pan, gestures, drops, menus and the edit actions the main window calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel, QWidget

from ...core.catalogue import get_spec
from ...core.edits import copy_fragment
from ...core.model import Edge, Position
from ..document import Document
from .drops import Drops
from .editing import Editor, fragment_mime, put_on_clipboard
from .guard import guarded
from .interactions import Interaction, press_kind, snap
from .node_item import NodeItem, PortHit
from .scene import CanvasScene
from .style import CARD_HEIGHT, CARD_WIDTH, GRID, CanvasStyle

MIN_ZOOM, MAX_ZOOM = 0.005, 4.0
READABLE_ZOOM = 0.55
"""centre_on_node zooms in to at least this, so the card it shows can be read."""
ON_CARD_PORT_MARGIN = 3.0
"""On a card's body a press grabs a port only this close to the drawn port (scene units beyond its radius)."""


if TYPE_CHECKING:
    from .quick_add import QuickAdd


class CanvasView(QGraphicsView):
    """The canvas widget. It handles mouse gestures, the wheel, Tab quick-add and space/middle-drag panning;
    global shortcuts (undo, copy, delete, fit, ...) are the main window's actions, which call these methods."""

    status_message = Signal(str)
    """A transient hint for the status bar (e.g. why a link is refused)."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.canvas = CanvasScene(document, self, style=CanvasStyle.from_palette(self.palette()))
        self.editor = Editor(document, self.status_message.emit)
        self.drops = Drops(self)
        self.snap_to_grid = False
        self.space_held = False
        self.presentation = False
        self._gesture: Interaction | None = None
        self._quick_add: QuickAdd | None = None
        self._paste_count = 0
        self._fitted = False
        # A viewport made here, not by Qt: asking Qt for its own viewport makes PySide load every widget type
        # (about 70, with their enums: tens of ms before the first paint) to find which one the widget is.
        self.setViewport(QWidget())
        self.setScene(self.canvas)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # an open canvas: room to pan far beyond the network in every direction
        self.setSceneRect(QRectF(-1e6, -1e6, 2e6, 2e6))
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hint = QLabel(self.viewport())
        """The reason a link is refused (or where it goes), next to the cursor."""
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self.hint.setMaximumWidth(420)
        self.hint.hide()
        self.centerOn(QPointF(CARD_WIDTH / 2, CARD_HEIGHT * 2))

    # --- view -------------------------------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        """The current scale (1.0 = 100 %)."""
        return self.transform().m11()

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene on screen."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def port_reach(self) -> float:
        """How close (in scene units) the mouse must be to a port to grab it: about 12 screen pixels."""
        return max(9.0, 12.0 / max(self.zoom, 0.01))

    def port_for_press(self, scene_pos: QPointF) -> PortHit | None:
        """The port a press here grabs. Off the cards, any port within reach; on a card's body, only a port right
        under the pointer, so a click on a card selects it at every zoom (far out, the reach covers whole cards)."""
        reach = self.port_reach()
        if self.canvas.node_item_at(scene_pos) is not None:
            reach = min(reach, self.canvas.canvas_style.port_radius + ON_CARD_PORT_MARGIN)
        return self.canvas.port_at(scene_pos, reach)

    @property
    def fitted(self) -> bool:
        """True while the view shows the whole network as Fit left it (a resize fits it again)."""
        return self._fitted

    def scroll_by(self, dx: int, dy: int) -> None:
        """Move the view by a number of screen pixels."""
        self._fitted = False
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + dy)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by a factor around a viewport point (the centre by default), within sensible limits."""
        self._fitted = False
        target = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom * factor))
        if abs(target - self.zoom) < 1e-9:
            return
        point = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(point)
        self.scale(target / self.zoom, target / self.zoom)
        after = self.mapFromScene(before)
        self.scroll_by(after.x() - point.x(), after.y() - point.y())

    def reset_zoom(self) -> None:
        """100 %, keeping the centre of the view where it is."""
        self._fitted = False
        centre = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(centre)

    def fit_all(self) -> None:
        """Show the whole network (never zoomed in beyond 150 %)."""
        rect = self.canvas.network_rect()
        if rect.isEmpty():
            self.reset_zoom()
            return
        rect = rect.adjusted(-30, -30, 30, 30)
        view = self.viewport().rect()
        scale = min(view.width() / rect.width(), view.height() / rect.height(), 1.5)
        self.resetTransform()
        self.scale(max(scale, MIN_ZOOM), max(scale, MIN_ZOOM))
        self.centerOn(rect.center())
        self._fitted = True

    def centre_on_node(self, node_id: str) -> None:
        """Bring a node to the middle of the view, zooming in if it would be too small to read."""
        item = self.canvas.nodes.get(node_id)
        if item is None:
            return
        self._fitted = False
        if self.zoom < READABLE_ZOOM:
            self.resetTransform()
        self.centerOn(item.sceneBoundingRect().center())

    def set_show_edge_labels(self, on: bool) -> None:
        """Show the tensor shape and memory on every edge, permanently (for class)."""
        self.canvas.set_show_edge_labels(on)

    def set_snap_to_grid(self, on: bool) -> None:
        """Snap moved and dropped cards to the grid."""
        self.snap_to_grid = on
        self.viewport().update()

    def set_presentation(self, on: bool) -> None:
        """Larger fonts and thicker lines for projectors."""
        self.presentation = on
        self.canvas.set_style(CanvasStyle.from_palette(self.palette(), on))

    def set_expanded(self, node_id: str, on: bool) -> None:
        """Show or hide a block's layers beside its card (view only)."""
        self.canvas.set_expanded(node_id, on)

    def export_image(self, path: str) -> None:
        """Save the whole network as .png (2x, for slides) or .svg; raises OSError with a clear message."""
        from .export import export_scene  # with QtSvg: only when a picture is saved

        export_scene(self.canvas, path)

    # --- edits the main window triggers -----------------------------------------------------------------------

    def select_all(self) -> None:
        """Select every node."""
        self.document.set_selection([n.id for n in self.document.graph.nodes])

    def delete_selection(self) -> None:
        """Delete the selected nodes and connections (one undo step)."""
        if not self.editor.delete(self.document.selection, self.canvas.selected_edges()):
            self.status_message.emit("Nothing selected to delete")

    def delete_with_reconnect(self) -> None:
        """Delete the selected nodes and close the gap in the chain (one undo step)."""
        if not self.document.selection:
            self.status_message.emit("Nothing selected to delete")
            return
        self.editor.delete_with_reconnect(self.document.selection)

    def copy_selection(self) -> None:
        """Put the selected nodes (and the connections among them) on the clipboard."""
        ids = self.document.selection
        if not ids:
            self.status_message.emit("Nothing selected to copy")
            return
        put_on_clipboard(fragment_mime(self.document.graph, ids))
        self._paste_count = 0
        self.status_message.emit(f"Copied {len(ids)} node{'s' if len(ids) != 1 else ''}")

    def cut_selection(self) -> None:
        """Copy, then delete (one undo step)."""
        ids = self.document.selection
        if not ids:
            self.status_message.emit("Nothing selected to cut")
            return
        put_on_clipboard(fragment_mime(self.document.graph, ids))
        self._paste_count = 0
        self.editor.delete(ids, text=f"Cut {len(ids)} node{'s' if len(ids) != 1 else ''}")

    def paste(self) -> None:
        """Paste at the mouse when it is over the canvas, else a little below and right of the originals."""
        at = self._cursor_scene_pos()
        corner: Position | None = None
        if at is not None:
            corner = (snap(at.x()), snap(at.y())) if self.snap_to_grid else (at.x(), at.y())
        else:
            self._paste_count += 1
        new_ids = self.editor.paste_mime(
            QGuiApplication.clipboard().mimeData(), corner, max(1, self._paste_count)
        )
        if new_ids:
            self.document.set_selection(new_ids)

    def duplicate_selection(self) -> None:
        """Copy the selection beside itself (one undo step), and select the copy."""
        ids = self.document.selection
        if not ids:
            self.status_message.emit("Nothing selected to duplicate")
            return
        new_ids = self.editor.paste_fragment(copy_fragment(self.document.graph, ids), None)
        if new_ids:
            self.document.set_selection(new_ids)

    def auto_layout(self) -> None:
        """Lay the network out top to bottom (one undoable move)."""
        self.editor.auto_layout()

    def explode(self, node_id: str) -> None:
        """Replace a block by its layers (one undo step)."""
        if self.editor.explode(node_id):
            self.canvas.set_expanded(node_id, False)

    def collapse(self, origin_id: str) -> None:
        """Put exploded layers back into their block; the status bar says why when it cannot."""
        self.editor.collapse(origin_id)

    def add_block_at_centre(self, block_type: str) -> None:
        """Add a block in the middle of the view (palette double-click), beside anything already there."""
        centre = self.mapToScene(self.viewport().rect().center())
        self.add_block_at(block_type, centre)

    def add_block_at(self, block_type: str, at: QPointF) -> str | None:
        """Add a block centred on a scene point, nudged down until it overlaps no card."""
        x, y = at.x() - CARD_WIDTH / 2, at.y() - CARD_HEIGHT / 2
        if self.snap_to_grid:
            x, y = snap(x), snap(y)
        for _ in range(50):
            area = QRectF(x, y, CARD_WIDTH, CARD_HEIGHT)
            if not any(isinstance(i, NodeItem) for i in self.canvas.items(area)):
                break
            x, y = x + GRID * 2, y + GRID * 2
        new_id = self.editor.add_block(block_type, (x, y))
        if new_id is not None:
            self.document.set_selection([new_id])
        return new_id

    # --- quick add --------------------------------------------------------------------------------------------

    def open_quick_add(
        self, at: QPoint | None = None, link: tuple[Edge, bool] | None = None, after_selection: bool = False
    ) -> QuickAdd:
        """The Tab search box, at a viewport point; with `link`, the new block is connected to that port; with
        `after_selection` (Tab), it goes after the one selected block, as building a chain from the keyboard
        wants."""
        point = at if at is not None else self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(point):
            point = self.viewport().rect().center()
        scene_pos = self.mapToScene(point)
        if self._quick_add is not None:
            self._quick_add.close()
            self._quick_add.deleteLater()
        from .quick_add import QuickAdd  # made on first use: the window's first paint needs none of it

        popup = QuickAdd(self)
        self._quick_add = popup

        after = self._insert_after() if after_selection and link is None else None

        def add(block_type: str) -> None:
            if after is not None and self._add_after(after, block_type):
                return
            if link is None:
                self.add_block_at(block_type, scene_pos)
                return
            corner = (
                scene_pos.x() - CARD_WIDTH / 2,
                scene_pos.y() if link[1] else scene_pos.y() - CARD_HEIGHT,
            )
            new_id = self.editor.add_connected(block_type, corner, link[0], link[1])
            if new_id is not None:
                self.document.set_selection([new_id])

        popup.chosen.connect(add)
        popup.move(self.viewport().mapToGlobal(point))
        popup.show()
        popup.search.setFocus()
        return popup

    def _insert_after(self) -> str | None:
        """The block a Tab-added block goes after: the one selected block, when it has an output."""
        ids = self.document.selection
        if len(ids) != 1 or ids[0] not in self.document.graph:
            return None
        return ids[0] if get_spec(self.document.graph.node(ids[0]).type).outputs else None

    def _add_after(self, node_id: str, block_type: str) -> bool:
        """Add a block fed by a block's output, a row below it, and follow it; False when it cannot go there
        (the block is gone or feeds several, or the new one has no input): it is then added at the cursor."""
        if node_id not in self.document.graph:
            return False
        new_id = self.editor.add_after(node_id, block_type)
        if new_id is None:
            return False
        self.document.set_selection([new_id])
        item = self.canvas.nodes.get(new_id)
        if item is not None:  # a chain typed block after block runs off the view: follow it
            self._fitted = False
            self.ensureVisible(item.sceneBoundingRect(), 40, 40)
        return True

    # --- events -----------------------------------------------------------------------------------------------

    def _cursor_scene_pos(self) -> QPointF | None:
        point = self.viewport().mapFromGlobal(self.cursor().pos())
        return (
            self.mapToScene(point) if self.viewport().rect().contains(point) and self.underMouse() else None
        )

    def restore_cursor(self) -> None:
        """The cursor for the current state (open hand while space is held)."""
        if self.space_held:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.viewport().unsetCursor()

    def show_hint(self, text: str, ok: bool | None) -> None:
        """Show (or hide, with '') a note next to the cursor, green when a link would work, red when not."""
        if not text:
            self.hint.hide()
            return
        style = self.canvas.canvas_style
        colour = style.glow if ok else style.error
        self.hint.setStyleSheet(
            f"QLabel {{ background: {style.card.name()}; color: {style.text.name()}; border: 2px solid "
            f"{colour.name()}; border-radius: 5px; padding: 4px 7px; }}"
        )
        self.hint.setWordWrap(len(text) > 60)  # short notes on one line, long reasons wrapped
        self.hint.setText(("\u2713 " if ok else "\u2717 ") + text)
        self.hint.adjustSize()
        point = self.viewport().mapFromGlobal(self.cursor().pos())
        self.hint.move(point + QPoint(18, 14))
        self.hint.show()
        self.hint.raise_()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._gesture is not None:
            return
        self._gesture = press_kind(self, event)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._gesture is not None:
            self._gesture.move(event)
            if self.hint.isVisible():
                self.hint.move(event.position().toPoint() + QPoint(18, 14))
        else:
            over_port = self.port_for_press(self.mapToScene(event.position().toPoint()))
            if over_port is not None:
                self.viewport().setCursor(Qt.CursorShape.CrossCursor)
            elif not self.space_held:
                self.viewport().unsetCursor()
            super().mouseMoveEvent(event)  # hover and tooltips

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        gesture, self._gesture = self._gesture, None
        if gesture is not None:
            gesture.release(event)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        at = self.mapToScene(event.position().toPoint())
        item = self.canvas.node_item_at(at)
        if item is None:
            if self.canvas.edge_item_at(at) is None:
                self.open_quick_add(event.position().toPoint())
            return
        if (
            self.canvas.is_expanded(item.node_id)
            or item.content.skip is not None
            or _composite(self, item.node_id)
        ):
            self.canvas.set_expanded(item.node_id, not self.canvas.is_expanded(item.node_id))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit_all()  # the window or its panels changed size: keep showing the whole network

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(1.0015**delta, event.position().toPoint())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.space_held = True
            self.restore_cursor()
        elif key == Qt.Key.Key_Tab and not event.modifiers():
            self.open_quick_add(after_selection=True)
        elif key == Qt.Key.Key_Escape and self._gesture is not None:
            self._gesture.cancel()
            self._gesture = None
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.space_held = False
            self.restore_cursor()
        else:
            super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        return False  # Tab belongs to quick-add here, not to focus traversal

    def focusOutEvent(self, event: object) -> None:
        self.space_held = False
        if self._gesture is not None:
            self._gesture.cancel()
            self._gesture = None
        super().focusOutEvent(event)  # type: ignore[arg-type]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        from .menus import canvas_menu, edge_menu, node_menu  # on the first right-click, not at start-up

        at = self.mapToScene(event.pos())
        item = self.canvas.node_item_at(at)
        if item is not None:
            menu = node_menu(self, item.node_id, self)
        elif (edge := self.canvas.edge_item_at(at)) is not None:
            menu = edge_menu(self, edge.edge, self)
        else:
            menu = canvas_menu(self, at, self)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drag_over(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._drag_over(event)

    def _drag_over(self, event: QDragMoveEvent) -> None:
        at = self.mapToScene(event.position().toPoint())
        if self.drops.hover(event.mimeData(), at):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drops.leave()

    def dropEvent(self, event: QDropEvent) -> None:
        at = self.mapToScene(event.position().toPoint())
        if self.drops.drop(event.mimeData(), at):
            event.acceptProposedAction()
            self.setFocus()
        else:
            event.ignore()

    def handle_drop(self, data: object, at: QPointF) -> bool:
        """Drop palette data at a scene point (what a real drop does; handy for scripts and tests)."""
        return self.drops.drop(data, at)  # type: ignore[arg-type]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.canvas.set_style(CanvasStyle.from_palette(self.palette(), self.presentation))
        super().changeEvent(event)

    @guarded
    def drawBackground(self, painter: QPainter, area: QRectF | QRect) -> None:
        rect = QRectF(area)
        painter.fillRect(rect, self.canvas.canvas_style.background)
        if self.zoom < 0.3:
            return
        style = self.canvas.canvas_style
        step = GRID * (1 if self.zoom >= 0.7 else 5)
        left, top = int(rect.left() // step) * step, int(rect.top() // step) * step
        minor, major = QPen(style.grid_minor, 0), QPen(style.grid_major, 0)
        x = left
        while x < rect.right():
            painter.setPen(major if round(x / GRID) % 5 == 0 else minor)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.setPen(major if round(y / GRID) % 5 == 0 else minor)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step


def _composite(view: CanvasView, node_id: str) -> bool:
    node = view.document.graph.node(node_id)
    return get_spec(node.type).is_composite
