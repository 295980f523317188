"""The gradient tint of the canvas cards: after a gradient-flow comparison, each block's card is washed in blue
when the gradient reaching its output is far smaller than the last block's (vanishing) and in vermillion when it
is far larger (exploding), the stronger the further apart, with a bar beside the card and the figures on hover.

As with the activation thumbnails, each tint is a child item of its card (it moves and goes with it), and the
layer keeps no item of its own between refreshes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .. import colours
from .node_item import NodeItem
from .scene import CanvasScene
from .style import CARD_HEIGHT, CARD_WIDTH

DECADES = 3.0
"""The tint is at its strongest from 1000x (or 1/1000) the last block's gradient."""
WASH_ALPHA = 110
"""The most a card is washed over (out of 255): its text stays legible."""
BAR_WIDTH = 7.0
BAR_GAP = 3.0


def tint_colour(decades: float, dark: bool) -> QColor:
    """The wash for a gradient `decades` orders of magnitude above (positive) or below the last block's."""
    strength = min(abs(decades), DECADES) / DECADES
    base = (
        colours.GRADIENT_LARGE
        if decades > 0
        else (colours.GRADIENT_SMALL_DARK if dark else colours.GRADIENT_SMALL_LIGHT)
    )
    colour = QColor(base)
    colour.setAlpha(round(WASH_ALPHA * strength))
    return colour


def decades_of(ratio: float) -> float:
    """log10 of a ratio of gradient norms, with 0 (no gradient at all) as far below as the scale goes."""
    if ratio <= 0 or math.isnan(ratio):
        return -DECADES
    if math.isinf(ratio):
        return DECADES
    return math.log10(ratio)


def ratio_words(ratio: float) -> str:
    """'41x', '1/300 of', 'no' - how a block's gradient compares with the last block's."""
    if ratio == 0:
        return "none of"
    if ratio >= 1:
        return f"{ratio:.3g}x"
    return f"1/{1 / ratio:.3g} of"


class GradientTint(QGraphicsItem):
    """A wash over one card and a bar beside it, in the colour of its gradient ratio."""

    def __init__(self, decades: float, tooltip: str, dark: bool, parent: NodeItem) -> None:
        super().__init__(parent)
        self.decades, self.dark = decades, dark
        self.setToolTip(tooltip)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the canvas's own gestures stay in charge
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setZValue(-0.5)  # under the card's ports and skip arc, over its body

    def set_value(self, decades: float, tooltip: str, dark: bool) -> None:
        """Show another value."""
        self.decades, self.dark = decades, dark
        self.setToolTip(tooltip)
        self.update()

    @property
    def colour(self) -> QColor:
        """The wash colour (alpha says how strong)."""
        return tint_colour(self.decades, self.dark)

    def boundingRect(self) -> QRectF:
        return QRectF(-BAR_GAP - BAR_WIDTH, 0.0, CARD_WIDTH + BAR_GAP + BAR_WIDTH, CARD_HEIGHT)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        wash = self.colour
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(wash)
        painter.drawRoundedRect(QRectF(0.0, 0.0, CARD_WIDTH, CARD_HEIGHT), 6.0, 6.0)
        bar = QColor(wash)
        bar.setAlpha(min(255, 60 + 2 * wash.alpha()))
        painter.setBrush(bar)
        painter.drawRoundedRect(QRectF(-BAR_GAP - BAR_WIDTH, 0.0, BAR_WIDTH, CARD_HEIGHT), 3.0, 3.0)
        painter.restore()


class GradientTintLayer(QObject):
    """Tints the cards of the nodes that have a value (node id -> ratio to the last block's gradient)."""

    def __init__(self, scene: CanvasScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.ratios: dict[str, float] = {}
        self.tooltips: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        scene.document.graph.node_added.connect(self._later)
        scene.document.reloaded.connect(self._later)

    def detach(self) -> None:
        """Stop following the graph and take the tints off (the panel is going)."""
        self.scene.document.graph.node_added.disconnect(self._later, missing_ok=True)
        self.show({}, {})

    def show(self, ratios: Mapping[str, float], tooltips: Mapping[str, str]) -> None:
        """Tint these nodes' cards (empty: no tint at all)."""
        self.ratios, self.tooltips = dict(ratios), dict(tooltips)
        self.refresh()

    def items(self) -> list[GradientTint]:
        """The tints on the canvas now."""
        found = []
        for card in self.scene.nodes.values():
            found.extend(c for c in card.childItems() if isinstance(c, GradientTint))
        return found

    def refresh(self) -> None:
        """Bring every card's tint in line with the values."""
        dark = self.scene.canvas_style.dark
        for node_id, card in self.scene.nodes.items():
            existing = [c for c in card.childItems() if isinstance(c, GradientTint)]
            ratio = self.ratios.get(node_id)
            if ratio is None:
                for item in existing:
                    item.setParentItem(None)
                    self.scene.removeItem(item)
                continue
            tooltip = self.tooltips.get(node_id, "")
            if existing:
                existing[0].set_value(decades_of(ratio), tooltip, dark)
            else:
                GradientTint(decades_of(ratio), tooltip, dark, card)

    def _later(self, *_args: object) -> None:
        self._timer.start(0)
