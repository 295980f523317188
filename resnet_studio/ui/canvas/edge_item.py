"""A connection: a gentle curve along the main path, or a skip that swings around the side in its own colour."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSceneHoverEvent, QStyleOptionGraphicsItem, QWidget

from ...core.model import Edge
from .guard import guarded
from .style import CARD_HEIGHT, CARD_WIDTH, CanvasStyle

HIT_WIDTH = 12.0
"""How wide an edge is for the mouse (wider than it looks, so it is easy to hover and select)."""
SIDE_GAP = 20.0
"""How far right of the cards a skip connection runs."""
ARROW = 7.0
LAST_GAP = 66.0
"""Where a long edge leaves its column: just above the target card (the layout leaves 46 units between rows)."""
FAR_LOD = 0.35
"""Below this zoom an edge is a plain line, without antialiasing, arrow or labels."""

# Read once: a PySide enum member costs a Python call per read, and a zoomed-out view paints hundreds of edges.
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_NO_BRUSH, _NO_PEN = Qt.BrushStyle.NoBrush, Qt.PenStyle.NoPen
_CENTRE = Qt.AlignmentFlag.AlignCenter
_LINE = (Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
_PENS: dict[tuple[int, float], QPen] = {}


def _line_pen(colour: QColor, width: float) -> QPen:
    """The pen of an edge's line, shared by every edge drawn in that colour and width."""
    key = (colour.rgba(), round(width, 2))
    pen = _PENS.get(key)
    if pen is None:
        if len(_PENS) >= 512:  # widths change with the zoom when far out
            _PENS.clear()
        pen = _PENS[key] = QPen(colour, key[1], *_LINE)
    return pen


def main_path(start: QPointF, end: QPointF) -> QPainterPath:
    """From an output port down to an input port: straight when aligned, else a gentle S-curve.

    An edge that spans several rows runs straight down its source's column and bends only in the last gap,
    so it never cuts diagonally behind the cards in between.
    """
    path = QPainterPath(start)
    dy = end.y() - start.y()
    if abs(end.x() - start.x()) < 0.5 and dy > 0:
        path.lineTo(end)
        return path
    if dy > CARD_HEIGHT * 1.6:
        turn = end.y() - LAST_GAP
        path.lineTo(QPointF(start.x(), turn))
        path.cubicTo(
            QPointF(start.x(), end.y() - LAST_GAP * 0.35), QPointF(end.x(), end.y() - LAST_GAP * 0.6), end
        )
        return path
    # vertical tangents at both ports; a backwards edge (going up) loops out further so it stays visible
    bend = max(28.0, min(abs(dy) * 0.45, 140.0)) if dy > 0 else 60.0 + min(-dy, 400.0) * 0.25
    path.cubicTo(QPointF(start.x(), start.y() + bend), QPointF(end.x(), end.y() - bend), end)
    return path


def side_path(start: QPointF, end: QPointF, side_x: float) -> QPainterPath:
    """A skip connection: out of the port, over to the side, down past the branch, and back into the port."""
    path = QPainterPath(start)
    turn = 26.0
    top, bottom = start.y() + turn * 1.6, end.y() - turn * 1.6
    path.cubicTo(
        QPointF(start.x(), start.y() + turn), QPointF(side_x, start.y() + turn * 0.4), QPointF(side_x, top)
    )
    path.lineTo(QPointF(side_x, bottom))
    path.cubicTo(QPointF(side_x, end.y() - turn * 0.4), QPointF(end.x(), end.y() - turn), end)
    return path


def wrap_path(start: QPointF, end: QPointF, climb_x: float, top: float, side_x: float | None) -> QPainterPath:
    """Into the next column: down out of the port, over to the gap, up past the column, across its top, and down
    into the port (at the column's side for a card lower down, as a skip runs)."""
    r = 12.0
    low = start.y() + 20.0
    path = QPainterPath(start)
    path.lineTo(QPointF(start.x(), low - r))
    path.quadTo(QPointF(start.x(), low), QPointF(start.x() + r, low))
    path.lineTo(QPointF(climb_x - r, low))
    path.quadTo(QPointF(climb_x, low), QPointF(climb_x, low - r))
    path.lineTo(QPointF(climb_x, top + r))
    path.quadTo(QPointF(climb_x, top), QPointF(climb_x + r, top))
    down_x = end.x() if side_x is None else side_x
    path.lineTo(QPointF(down_x - r, top))
    path.quadTo(QPointF(down_x, top), QPointF(down_x, top + r))
    if side_x is None:
        path.lineTo(end)
        return path
    turn = 26.0
    path.lineTo(QPointF(side_x, end.y() - turn * 1.6))
    path.cubicTo(QPointF(side_x, end.y() - turn * 0.4), QPointF(end.x(), end.y() - turn), end)
    return path


def needs_side_route(start: QPointF, end: QPointF) -> bool:
    """True when a straight route would run through the cards between the two ends (same column, rows apart)."""
    return abs(end.x() - start.x()) < CARD_WIDTH * 0.75 and end.y() - start.y() > CARD_HEIGHT * 1.6


class EdgeItem(QGraphicsPathItem):
    """Draws one edge. Its own path is the wide outline used for hovering; the visible curve is kept apart."""

    def __init__(self, edge: Edge, style: CanvasStyle) -> None:
        super().__init__()
        self.edge = edge
        self.skip = False
        self.label = ""
        self._style = style
        self._line = QPainterPath()
        self._arrow = QPolygonF()
        self._label_rect = QRectF()
        self._hovered = False
        self._drop_target = False
        self._show_label = False
        self._side = False
        self.tag = ""
        """What a shortcut does, written on its first edge ('1x1, s2' for a projection)."""
        self._tag_rect = QRectF()
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setFlag(QGraphicsPathItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0.0)

    def set_style(self, style: CanvasStyle) -> None:
        """Repaint with another theme or presentation mode."""
        self._style = style
        self.update()

    def set_drop_target(self, on: bool) -> None:
        """Highlight the connection a dragged block would be inserted into."""
        self._drop_target = on
        self.update()

    @property
    def is_drop_target(self) -> bool:
        """True while highlighted as the target of a drop."""
        return self._drop_target

    def set_label(self, text: str, short: str, show: bool) -> None:
        """The tensor this edge carries: `text` as the tooltip, `short` drawn on the canvas when `show` is on."""
        if text == self.toolTip() and short == self.label and show == self._show_label:
            return
        self.label = short
        self._show_label = show
        self.setToolTip(text)
        self._place_label()
        self.update()

    def set_ends(
        self,
        start: QPointF,
        end: QPointF,
        skip: bool,
        tag: str = "",
        side_x: float | None = None,
        wrap: tuple[float, float, float | None] | None = None,
    ) -> None:
        """Recompute the route after a node moved or the edge's role changed (`end` is the input port's top).

        `wrap` (climb x, top y, side x or None) routes a connection up into the next column."""
        self.skip = skip
        self.tag = tag
        self._side = skip and wrap is None and needs_side_route(start, end)
        if wrap is not None:
            self._line = wrap_path(start, end, *wrap)
        elif self._side:
            x = side_x if side_x is not None else max(start.x(), end.x()) + CARD_WIDTH / 2 + SIDE_GAP
            self._line = side_path(start, end, x)
        else:
            self._line = main_path(start, end)
        self.setZValue(0.5 if skip else 0.0)
        tip = end
        self._arrow = QPolygonF(
            [
                tip,
                QPointF(tip.x() - ARROW * 0.62, tip.y() - ARROW - 2.0),
                QPointF(tip.x() + ARROW * 0.62, tip.y() - ARROW - 2.0),
            ]
        )
        self._place_label()

    def _place_label(self) -> None:
        if self._show_label and self.label:
            metrics = QFontMetricsF(self._style.small_font)
            w, h = metrics.horizontalAdvance(self.label) + 10.0, metrics.height() + 4.0
            # beside a straight stretch: the middle of a straight or side route, near the start of a curve
            straight = self._line.elementCount() == 2 or self._side
            mid = self._line.pointAtPercent(0.5 if straight else 0.2)
            self._label_rect = QRectF(mid.x() + 8.0, mid.y() - h / 2, w, h)
        else:
            self._label_rect = QRectF()
        if self.tag:
            metrics = QFontMetricsF(self._style.small_font)
            w, h = metrics.horizontalAdvance(self.tag) + 10.0, metrics.height() + 4.0
            mid = self._line.pointAtPercent(0.5)
            self._tag_rect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
        else:
            self._tag_rect = QRectF()
        stroker = QPainterPathStroker()
        stroker.setWidth(HIT_WIDTH)
        outline = stroker.createStroke(self._line)
        for rect in (self._label_rect, self._tag_rect):
            if not rect.isNull():
                outline.addRect(rect)
        self.setPath(outline)

    @property
    def route(self) -> QPainterPath:
        """The visible curve, in scene coordinates."""
        return self._line

    # --- painting and hovering --------------------------------------------------------------------------------

    @guarded
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s = self._style
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        colour = s.skip if self.skip else s.edge
        width = s.edge_width * (1.25 if self.skip else 1.0)
        if (self._hovered or self.isSelected()) and not getattr(self.scene(), "exporting", False):
            colour = s.highlight if self.isSelected() else colour
            width += 1.5
        if self._drop_target:
            colour, width = s.glow, width + 3.0
        far = lod < FAR_LOD
        if far:
            width = max(width, 1.2 / max(lod, 0.01))  # stay visible when zoomed far out
        painter.setRenderHint(_ANTIALIASING, not far)
        painter.setPen(_line_pen(colour, width))
        painter.setBrush(_NO_BRUSH)
        painter.drawPath(self._line)
        if far:
            return
        painter.setPen(_NO_PEN)
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(self._arrow)
        if not self._label_rect.isNull():
            painter.setPen(QPen(colour, 1.0))
            painter.setBrush(QBrush(s.card))
            painter.drawRoundedRect(self._label_rect, 4.0, 4.0)
            painter.setPen(s.text)
            painter.setFont(s.small_font)
            painter.drawText(self._label_rect, _CENTRE, self.label)
        if not self._tag_rect.isNull():
            painter.setPen(QPen(colour, 1.2))
            painter.setBrush(QBrush(s.card))
            painter.drawRoundedRect(self._tag_rect, 4.0, 4.0)
            painter.setPen(colour)
            painter.setFont(s.small_font)
            painter.drawText(self._tag_rect, _CENTRE, self.tag)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hovered = True
        self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hovered = False
        self.update()
