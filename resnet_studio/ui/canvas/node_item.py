"""A node card: header by category, key parameters, shapes, badges, skip arc and ports. Cheap to paint."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...core.catalogue import Skip
from .. import colours
from .card import CardContent
from .guard import guarded
from .style import CARD_HEIGHT, CARD_WIDTH, CanvasStyle, header_text_colour

PAD = 9.0
SKIP_ZONE = 36.0
"""Width kept free on the right of residual cards for the skip arc."""
RADIUS = 7.0
SIMPLE_LOD = 0.7
"""Below this zoom a card shows its name and key parameters in large letters: the normal text would be too small
to read (a whole ResNet-50 fitted in the window, or on a projector)."""
OVERVIEW_LOD = 0.12
"""Below this zoom a card is a coloured box only."""


@lru_cache(maxsize=4)
def _header_path(height: float) -> QPainterPath:
    """The card's header: rounded at the top, square at the bottom (shared by every card)."""
    path = QPainterPath()
    path.addRoundedRect(QRectF(0.0, 0.0, CARD_WIDTH, height + RADIUS), RADIUS, RADIUS)
    square = QPainterPath()
    square.addRect(QRectF(0.0, 0.0, CARD_WIDTH, height))
    return path.intersected(square)


def two_lines(text: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """Word-wrap a message into at most two lines, the second one elided."""
    words = text.split()
    first = ""
    while words and metrics.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one very long word
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
    if not words:
        return [first]
    return [first, metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)]


def _unconnected(port: str, is_output: bool) -> bool:
    return False


class PortHit:
    """A port under the cursor: which node, which port, and whether it is the output."""

    __slots__ = ("is_output", "node_id", "port")

    def __init__(self, node_id: str, port: str, is_output: bool) -> None:
        self.node_id, self.port, self.is_output = node_id, port, is_output

    def __repr__(self) -> str:
        return f"PortHit({self.node_id!r}, {self.port!r}, output={self.is_output})"


def input_port_x(index: int, count: int) -> float:
    """Where input port `index` of `count` sits along the top edge."""
    return CARD_WIDTH * (index + 1) / (count + 1)


class NodeItem(QGraphicsItem):
    """Draws one node. Holds only derived text; position, parameters and connections come from the model."""

    def __init__(self, node_id: str, content: CardContent, style: CanvasStyle) -> None:
        super().__init__()
        self.node_id = node_id
        self.content = content
        self._style = style
        self._bounds = _bounds(style)
        self._texts: list[tuple[QStaticText, QPointF, QColor, QFont]] = []
        self._header = QPainterPath()
        self._badge_top = CARD_HEIGHT
        self._badges: list[tuple[QRectF, QStaticText]] = []
        self._overview_keys: list[tuple[QStaticText, QPointF]] = []
        self.port_feedback: dict[str, bool] = {}
        """During a link drag: port -> True (would work, glows) or False (refused, dimmed)."""
        self.hot_port: str | None = None
        self.is_connected: Callable[[str, bool], bool] = _unconnected
        """(port, is_output) -> True when an edge is attached there (the scene knows; a port's fill shows it)."""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1.0)
        self._layout()

    # --- content ----------------------------------------------------------------------------------------------

    def set_content(self, content: CardContent) -> None:
        """Show new text and marks (after an edit or a new analysis)."""
        if content == self.content:
            return
        ports_changed = content.input_ports != self.content.input_ports
        self.content = content
        self._layout()
        if content.tooltip != self.toolTip():
            self.setToolTip(content.tooltip)
        if ports_changed:
            self.prepareGeometryChange()
        self.update()

    def set_style(self, style: CanvasStyle) -> None:
        """Repaint with another theme or presentation mode."""
        self._style = style
        self.prepareGeometryChange()
        self._bounds = _bounds(style)
        self._layout()
        self.update()

    def _layout(self) -> None:
        """Elide and place the text once per change, so paint only blits prepared text."""
        s, c = self._style, self.content
        self.setToolTip(c.tooltip)
        self._texts = []
        self._badges = []
        hh = s.header_height
        self._header = _header_path(hh)
        header = header_text_colour(c.colour)
        glyph = 22.0 if c.severity else 0.0
        type_font, title_font = s.type_font, s.title_font
        type_metrics, title_metrics = QFontMetricsF(type_font), QFontMetricsF(title_font)
        type_width = type_metrics.horizontalAdvance(c.type_name)
        name_room = CARD_WIDTH - 2 * PAD - type_width - glyph - 8
        if title_metrics.horizontalAdvance(c.name) > name_room:
            # long torchvision names (layer2.0.downsample.0): smaller title and type before resorting to "..."
            type_font = s.small_font
            type_metrics = QFontMetricsF(type_font)
            type_width = type_metrics.horizontalAdvance(c.type_name)
            name_room = CARD_WIDTH - 2 * PAD - type_width - glyph - 8
            shrink = max(0.72, min(0.9, 0.98 * name_room / title_metrics.horizontalAdvance(c.name)))
            title_font = QFont(title_font)
            title_font.setPixelSize(max(9, int(title_font.pixelSize() * shrink)))
            title_metrics = QFontMetricsF(title_font)
        name = title_metrics.elidedText(c.name, Qt.TextElideMode.ElideMiddle, name_room)
        title_at = QPointF(PAD, (hh - title_metrics.height()) / 2)
        type_at = QPointF(CARD_WIDTH - PAD - glyph - type_width, (hh - type_metrics.height()) / 2 + 0.5)
        self._texts.append((self._static(name, title_font), title_at, header, title_font))
        self._layout_overview(c, hh)
        self._texts.append((self._static(c.type_name, type_font), type_at, header, type_font))
        right = CARD_WIDTH - PAD - (SKIP_ZONE if c.skip is not None else 0.0)
        body_metrics = QFontMetricsF(s.body_font)
        y = hh + 7.0
        for i, line in enumerate(c.lines[:2]):
            font, metrics = s.body_font, body_metrics
            natural = metrics.horizontalAdvance(line)
            if natural > right - PAD:
                font = QFont(font)  # a little smaller before resorting to "..."
                shrink = max(0.78, min(0.92, 0.98 * (right - PAD) / natural))
                font.setPixelSize(max(9, int(font.pixelSize() * shrink)))
                metrics = QFontMetricsF(font)
            text = metrics.elidedText(line, Qt.TextElideMode.ElideRight, right - PAD)
            colour = s.text if i == 0 else s.muted
            self._texts.append((self._static(text, font), QPointF(PAD, y), colour, font))
            y += body_metrics.height() + 4.0
        if c.problem:
            colour = s.error if c.severity == "error" else s.warning
            small = QFontMetricsF(s.badge_font)
            y = max(y, CARD_HEIGHT - 2 * small.height() - 10.0)
            for line in two_lines(c.problem, small, CARD_WIDTH - 2 * PAD):
                self._texts.append((self._static(line, s.badge_font), QPointF(PAD, y), colour, s.badge_font))
                y += small.height()
            self._badge_top = CARD_HEIGHT - 2 * small.height() - 10.0
            return
        badge_metrics = QFontMetricsF(s.badge_font)
        x = PAD
        bh = badge_metrics.height() + 5.0
        self._badge_top = CARD_HEIGHT - bh - 8.0
        for badge in c.badges:
            width = badge_metrics.horizontalAdvance(badge) + 12.0
            if x + width > CARD_WIDTH - PAD:
                break
            self._badges.append((QRectF(x, self._badge_top, width, bh), self._static(badge, s.badge_font)))
            x += width + 6.0

    def _layout_overview(self, c: CardContent, hh: float) -> None:
        """The zoomed-out card: the name in large letters over the key parameters (wrapped onto two lines)."""
        self._overview_font = QFont(self._style.title_font)
        self._overview_font.setPixelSize(round(CARD_HEIGHT * 0.27))
        big = QFontMetricsF(self._overview_font)
        room = CARD_WIDTH - 2 * PAD
        # the end of a long name says most ('…3.5.conv1'): the stage and block show from the neighbours
        self._overview = self._static(
            big.elidedText(c.name, Qt.TextElideMode.ElideLeft, room), self._overview_font
        )
        key = QFont(self._style.body_font)
        key.setPixelSize(round(CARD_HEIGHT * 0.17))
        self._overview_key_font = key
        metrics = QFontMetricsF(key)
        lines = two_lines(c.lines[0], metrics, room) if c.lines else []
        block = big.height() + len(lines) * metrics.height()
        self._overview_at = QPointF(PAD, hh + (CARD_HEIGHT - hh - block) / 2)
        y = self._overview_at.y() + big.height()
        self._overview_keys = []
        for line in lines:
            self._overview_keys.append((self._static(line, key), QPointF(PAD, y)))
            y += metrics.height()

    @staticmethod
    def _static(text: str, font: QFont) -> QStaticText:
        static = QStaticText(text)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), font)
        return static

    # --- geometry ---------------------------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return self._bounds  # Qt asks several times per card and frame: made once per style

    def port_pos(self, port: str, is_output: bool = False) -> QPointF:
        """A port's centre in item coordinates."""
        if is_output:
            return QPointF(CARD_WIDTH / 2, CARD_HEIGHT)
        ports = self.content.input_ports
        index = ports.index(port) if port in ports else 0
        return QPointF(input_port_x(index, len(ports)), 0.0)

    def port_scene_pos(self, port: str, is_output: bool = False) -> QPointF:
        """A port's centre in scene coordinates."""
        return self.mapToScene(self.port_pos(port, is_output))

    def port_at(self, local: QPointF, reach: float) -> PortHit | None:
        """The port within `reach` of a point in item coordinates, if any."""
        best: PortHit | None = None
        best_d = reach * reach
        candidates = [(p, False) for p in self.content.input_ports]
        if self.content.has_output:
            candidates.append(("out", True))
        for port, is_output in candidates:
            centre = self.port_pos(port, is_output)
            d = (centre.x() - local.x()) ** 2 + (centre.y() - local.y()) ** 2
            if d <= best_d:
                best, best_d = PortHit(self.node_id, port, is_output), d
        return best

    # --- painting ---------------------------------------------------------------------------------------------

    @guarded
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s, c = self._style, self.content
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        card = QRectF(0.0, 0.0, CARD_WIDTH, CARD_HEIGHT)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > SIMPLE_LOD)
        if self.isSelected() and not self._exporting():
            painter.setPen(QPen(s.highlight, 3.5 if not s.presentation else 4.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(-4.5, -4.5, 4.5, 4.5), RADIUS + 4, RADIUS + 4)
        border = self._border_pen()
        painter.setPen(border)
        painter.setBrush(QBrush(s.card))
        painter.drawRoundedRect(card, RADIUS, RADIUS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(c.colour)))
        painter.drawPath(self._header)
        if lod <= SIMPLE_LOD:
            self._paint_overview(painter, lod, border)
            return
        for static, at, colour, font in self._texts:
            painter.setPen(colour)
            painter.setFont(font)
            painter.drawStaticText(at, static)
        painter.setFont(s.badge_font)
        for rect, static in self._badges:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(s.badge))
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(s.muted)
            painter.drawStaticText(QPointF(rect.x() + 6.0, rect.y() + 2.5), static)
        if c.skip is not None:
            self._paint_skip(painter, c.skip)
        if c.severity:
            painter.setPen(border)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card, RADIUS, RADIUS)
            self._paint_glyph(painter)
        self._paint_ports(painter)

    def _paint_overview(self, painter: QPainter, lod: float, border: QPen) -> None:
        """Zoomed out: the name and key parameters in large letters (readable down to about 15 %), problems still
        obvious."""
        if lod >= OVERVIEW_LOD:
            painter.setPen(self._style.text)
            painter.setFont(self._overview_font)
            painter.drawStaticText(self._overview_at, self._overview)
            painter.setPen(self._style.muted)
            painter.setFont(self._overview_key_font)
            for static, at in self._overview_keys:
                painter.drawStaticText(at, static)
        if self.content.severity:
            pen = QPen(border)
            pen.setWidthF(
                min(border.widthF() / max(lod, 0.05) * 0.6, 14.0)
            )  # stays a few pixels wide on screen
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(0.0, 0.0, CARD_WIDTH, CARD_HEIGHT), RADIUS, RADIUS)

    def _exporting(self) -> bool:
        scene = self.scene()
        return bool(scene is not None and getattr(scene, "exporting", False))

    def _border_pen(self) -> QPen:
        s, severity = self._style, self.content.severity
        if severity == "error":
            return QPen(s.error, 3.0 if not s.presentation else 4.0)
        if severity == "warning":
            return QPen(s.warning, 2.4 if not s.presentation else 3.2)
        return QPen(s.card_border, s.border_width)

    def _paint_glyph(self, painter: QPainter) -> None:
        s = self._style
        colour = s.error if self.content.severity == "error" else s.warning
        hh = s.header_height
        cx, top, size = CARD_WIDTH - PAD - 8.0, hh / 2 - 8.0, 16.0
        triangle = QPolygonF(
            [QPointF(cx, top), QPointF(cx + size / 2 + 1, top + size), QPointF(cx - size / 2 - 1, top + size)]
        )
        painter.setPen(QPen(QColor(colours.ON_DARK), 1.6))
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(triangle)
        painter.setPen(QPen(QColor(colours.ON_DARK), 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(cx, top + 5.0), QPointF(cx, top + 10.5))
        painter.drawPoint(QPointF(cx, top + 13.3))

    def _paint_skip(self, painter: QPainter, skip: Skip) -> None:
        s = self._style
        x_in = CARD_WIDTH - SKIP_ZONE + 6.0
        x_out = CARD_WIDTH - 12.0
        top = s.header_height + 11.0
        bottom = self._badge_top - 9.0
        known = skip.kind != "auto"  # an 'auto' skip whose input is not known yet: no kind is claimed
        colour = QColor(s.skip) if skip.on and known else QColor(s.muted)
        width = 2.4 if not s.presentation else 3.2
        pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        if skip.kind == "zero-pad":
            pen.setStyle(Qt.PenStyle.DotLine)
        if not skip.on:
            pen.setStyle(Qt.PenStyle.DashLine)
        path = QPainterPath(QPointF(x_in, top))
        r = 9.0
        path.lineTo(x_out - r, top)
        path.quadTo(QPointF(x_out, top), QPointF(x_out, top + r))
        path.lineTo(x_out, bottom - r)
        path.quadTo(QPointF(x_out, bottom), QPointF(x_out - r, bottom))
        path.lineTo(x_in + 6.0, bottom)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen)
        painter.drawPath(path)
        painter.setPen(QPen(colour, width))
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(QPointF(x_in, top), 2.6, 2.6)
        # the addition: a small circled plus where the skip rejoins the branch
        painter.setBrush(QBrush(s.card))
        painter.setPen(QPen(colour, 1.6))
        painter.drawEllipse(QPointF(x_in, bottom), 5.5, 5.5)
        painter.drawLine(QPointF(x_in - 3.2, bottom), QPointF(x_in + 3.2, bottom))
        painter.drawLine(QPointF(x_in, bottom - 3.2), QPointF(x_in, bottom + 3.2))
        mid = (top + bottom) / 2
        if skip.label and skip.on:
            painter.setFont(s.small_font)
            metrics = QFontMetricsF(s.small_font)
            label = skip.label.split(",")[0]
            w, h = metrics.horizontalAdvance(label) + 6.0, metrics.height() + 2.0
            box = QRectF(x_out - w / 2, mid - h / 2, w, h)
            painter.setPen(QPen(colour, 1.2))
            painter.setBrush(QBrush(s.card))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(colour)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        if not skip.on:
            painter.setPen(QPen(s.error, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawLine(QPointF(x_out - 6, mid - 6), QPointF(x_out + 6, mid + 6))
            painter.drawLine(QPointF(x_out - 6, mid + 6), QPointF(x_out + 6, mid - 6))

    def _paint_ports(self, painter: QPainter) -> None:
        s, c = self._style, self.content
        r = s.port_radius
        ports = [(p, False) for p in c.input_ports]
        if c.has_output:
            ports.append(("out", True))
        multi = len(c.input_ports) > 1
        for port, is_output in ports:
            centre = self.port_pos(port, is_output)
            connected = self.is_connected(port, is_output)
            feedback = None if is_output else self.port_feedback.get(port)
            if port in c.bad_ports and not is_output:
                painter.setPen(QPen(s.error, 2.4))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(centre, r + 4.5, r + 4.5)
            if feedback is True or self.hot_port == port:
                glow = QColor(s.glow)
                glow.setAlphaF(0.35)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(glow))
                painter.drawEllipse(centre, r + 6.0, r + 6.0)
            fill = s.edge if connected else s.card
            edge_pen = QPen(s.edge if feedback is not False else s.dimmed, 1.8)
            if feedback is True:
                fill, edge_pen = s.glow, QPen(s.glow.darker(130), 2.0)
            elif feedback is False:
                fill = s.dimmed if connected else s.card
            painter.setPen(edge_pen)
            painter.setBrush(QBrush(fill))
            painter.drawEllipse(centre, r, r)
            if multi and not is_output:
                painter.setFont(s.small_font)
                painter.setPen(s.muted)
                painter.drawText(QPointF(centre.x() + r + 3.0, centre.y() - 4.0), port)


def _bounds(style: CanvasStyle) -> QRectF:
    """A card's bounding rectangle: the card, its ports and the room above it for the stage label."""
    margin = style.port_radius + 7.0
    return QRectF(-margin, -margin - 12.0, CARD_WIDTH + 2 * margin, CARD_HEIGHT + 2 * margin + 12.0)
