"""The expanded view of a composite block: its layers with their shapes, beside the card (view only, no edit)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...core.catalogue import LayerProblem, evaluate, get_spec
from ...core.expansion import plan_for
from ...core.model import Node
from ...core.shapes import Shape, TensorInfo, format_shape
from .card import pretty
from .guard import guarded
from .style import CARD_WIDTH, CanvasStyle

GAP = 18.0
ROW = 21.0
PAD = 10.0


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One layer inside a block: local name, type, key parameters, output shape, and whether it is the skip."""

    name: str
    type_name: str
    colour: str
    describe: str
    shape: str
    on_skip: bool


def plan_rows(node: Node, in_shape: Shape | None) -> tuple[PlanRow, ...]:
    """The layers of a composite node with the shapes they produce ('?' after a layer that cannot run)."""
    if in_shape is None:
        return ()
    env: dict[str, TensorInfo | None] = {"": TensorInfo(in_shape)}
    rows: list[PlanRow] = []
    for step in plan_for(node, in_shape):
        spec = get_spec(step.type)
        inputs = [env.get(name) for name in step.inputs]
        known = [i for i in inputs if i is not None]
        out: TensorInfo | None = None
        if len(known) == len(inputs):
            try:
                out = evaluate(step.type, step.params, tuple(known)).output
            except LayerProblem:
                out = None
        env[step.name] = out
        first = known[0].shape if known else None
        rows.append(
            PlanRow(
                step.name,
                step.type,
                spec.category.colour,
                pretty(spec.describe(spec.make_params(step.params), first)),
                format_shape(out.shape if out is not None else None),
                step.name.startswith(("downsample", "shortcut")),
            )
        )
    return tuple(rows)


class PlanItem(QGraphicsItem):
    """A panel listing a block's layers, pinned to the right of its card."""

    def __init__(self, node_id: str, title: str, rows: tuple[PlanRow, ...], style: CanvasStyle) -> None:
        super().__init__()
        self.node_id = node_id
        self._style = style
        self.title = title
        self.rows = rows
        self._rect = QRectF()
        self.setZValue(5.0)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.set_rows(title, rows)

    def set_rows(self, title: str, rows: tuple[PlanRow, ...]) -> None:
        """Show another list (after an edit or a new analysis)."""
        self.prepareGeometryChange()
        self.title, self.rows = title, rows
        s = self._style
        body, small = QFontMetricsF(s.body_font), QFontMetricsF(s.small_font)
        self._columns = (
            max([body.horizontalAdvance(r.name) for r in rows] + [40.0]) + 14.0,
            max([small.horizontalAdvance(r.type_name) for r in rows] + [40.0]) + 12.0,
            max([small.horizontalAdvance(r.describe) for r in rows] + [20.0]) + 14.0,
            max([small.horizontalAdvance(r.shape) for r in rows] + [30.0]),
        )
        width = max(
            PAD * 2 + 16.0 + sum(self._columns),
            QFontMetricsF(s.title_font).horizontalAdvance(title) + 2 * PAD,
        )
        height = PAD * 2 + ROW * (len(rows) + 1) + 6.0
        self._rect = QRectF(CARD_WIDTH + GAP, 0.0, width, height)
        self.update()

    def set_style(self, style: CanvasStyle) -> None:
        """Repaint with another theme."""
        self._style = style
        self.set_rows(self.title, self.rows)

    def boundingRect(self) -> QRectF:
        return QRectF(CARD_WIDTH, 0.0, GAP, 30.0).united(self._rect).adjusted(-2, -2, 2, 2)

    @guarded
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s, r = self._style, self._rect
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(s.card_border, 1.2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(CARD_WIDTH, 18.0), QPointF(r.left(), 18.0))
        painter.setPen(QPen(s.card_border, 1.2))
        painter.setBrush(QBrush(s.card))
        painter.drawRoundedRect(r, 7.0, 7.0)
        painter.setFont(s.title_font)
        painter.setPen(s.text)
        painter.drawText(
            QRectF(r.left() + PAD, r.top() + PAD - 2, r.width(), ROW),
            Qt.AlignmentFlag.AlignVCenter,
            self.title,
        )
        y = r.top() + PAD + ROW + 4.0
        for row in self.rows:
            x = r.left() + PAD
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(row.colour)))
            painter.drawRoundedRect(QRectF(x, y + 5.0, 9.0, ROW - 10.0), 2.0, 2.0)
            x += 16.0
            colour = s.skip if row.on_skip else s.text
            cells = (
                (row.name, s.body_font, colour),
                (row.type_name, s.small_font, s.muted),
                (row.describe, s.small_font, colour),
                (row.shape, s.small_font, s.text),
            )
            for (text, font, pen), width in zip(cells, self._columns):
                painter.setFont(font)
                painter.setPen(pen)
                painter.drawText(QRectF(x, y, width, ROW), Qt.AlignmentFlag.AlignVCenter, text)
                x += width
            y += ROW
