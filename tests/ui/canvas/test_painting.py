"""What the canvas items draw: a card's bounds follow its style, and a connection looks the same whether its pen
is new or shared, near or far out."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsScene, QStyleOptionGraphicsItem

from resnet_studio.core.model import Edge
from resnet_studio.ui.canvas import edge_item
from resnet_studio.ui.canvas.card import CardContent
from resnet_studio.ui.canvas.edge_item import EdgeItem
from resnet_studio.ui.canvas.node_item import NodeItem
from resnet_studio.ui.canvas.style import CanvasStyle


def style(presentation: bool = False) -> CanvasStyle:
    return CanvasStyle.from_palette(QApplication.palette(), presentation=presentation)


def test_a_card_s_bounds_follow_its_style(qapp: QApplication) -> None:
    content = CardContent("n", "Conv2d", "#3366cc", (), (), None, None, frozenset(), ("x",), True, "")
    item = NodeItem("n", content, style())
    plain = QRectF(item.boundingRect())
    assert plain.contains(QRectF(0, 0, 1, 1)) and item.boundingRect() == plain  # asked again: the same
    item.set_style(style(presentation=True))  # larger ports: the card reaches further out
    assert item.boundingRect().contains(plain) and item.boundingRect() != plain
    item.set_style(style())
    assert item.boundingRect() == plain


def drawn(item: EdgeItem, scale: float) -> QImage:
    """The edge painted alone at this zoom, on white."""
    scene = QGraphicsScene()
    scene.addItem(item)
    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.scale(scale, scale)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    scene.removeItem(item)
    return image


def colours_in(image: QImage) -> set[int]:
    return {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())} - {
        QColor(Qt.GlobalColor.white).rgba()
    }


def straight_edge(s: CanvasStyle, skip: bool = False, length: float = 600) -> EdgeItem:
    item = EdgeItem(Edge("a", "out", "b", "x"), s)
    item.set_ends(QPointF(50, 0), QPointF(50, length), skip)
    return item


def test_far_out_a_connection_is_a_plain_line_in_its_colour_and_still_visible(qapp: QApplication) -> None:
    s = style()
    far = colours_in(drawn(straight_edge(s), 0.25))
    assert far == {s.edge.rgba()}  # no antialiasing, no arrow: one colour
    columns = {x for x in range(200) if drawn(straight_edge(s), 0.25).pixel(x, 60) != QColor("white").rgba()}
    assert len(columns) >= 1  # at least a pixel wide however far out
    assert colours_in(drawn(straight_edge(s, skip=True), 0.25)) == {s.skip.rgba()}


def test_selected_hovered_and_drop_target_connections_keep_their_colours(qapp: QApplication) -> None:
    s = style()
    item = straight_edge(s)
    item.setFlag(item.GraphicsItemFlag.ItemIsSelectable)
    item.setSelected(True)
    assert colours_in(drawn(item, 0.25)) == {s.highlight.rgba()}
    item.set_drop_target(True)
    assert colours_in(drawn(item, 0.25)) == {s.glow.rgba()}
    near = drawn(straight_edge(s, length=150), 1.0)
    assert s.edge.rgba() in colours_in(near) and len(colours_in(near)) > 1  # antialiased, with its arrow


def test_the_shared_pens_are_bounded(qapp: QApplication) -> None:
    s = style()
    item = straight_edge(s)
    for step in range(1, 700):  # a slow zoom far out: a new width at every step
        drawn(item, 0.3 - step * 0.0004)
    assert len(edge_item._PENS) <= 512
