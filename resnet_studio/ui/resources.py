"""Data files (icons, example projects) and the icons drawn from them in the palette's text colour."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..core.resources import resource_root

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable  # annotations only: its import costs start-up 3 ms


@cache
def _svg_text(name: str) -> str:
    return (resource_root() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def icon(name: str, palette: QPalette) -> QIcon:
    """An icon from resources/icons/NAME.svg drawn in the palette's text colour (so it reads light or dark)."""
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    return QIcon(_SvgIconEngine(name, normal.name(), disabled.name()))


class _SvgIconEngine(QIconEngine):
    """Draws an icon at the size and pixel ratio asked for, when first asked: a window makes dozens of icons at
    start-up, and drawing each at every size beforehand cost a tenth of a second before the first paint."""

    def __init__(self, name: str, normal: str, disabled: str) -> None:
        super().__init__()
        self._name, self._normal, self._disabled = name, normal, disabled
        self._pixmaps: dict[tuple[int, int, bool], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._name, self._normal, self._disabled)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        side = min(size.width(), size.height())
        disabled = mode == QIcon.Mode.Disabled
        key = (side, round(scale * 100), disabled)
        found = self._pixmaps.get(key)
        if found is None:
            colour = self._disabled if disabled else self._normal
            found = self._pixmaps[key] = _render(self._name, colour, side, scale)
        return found


def _render(name: str, colour: str, size: int, dpr: float) -> QPixmap:
    svg = _svg_text(name).replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    pixmap = QPixmap(QSize(round(size * dpr), round(size * dpr)))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size * dpr, size * dpr))
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


def swatch(colour: str, size: int = 14, dpr: float = 2.0) -> QIcon:
    """A small rounded square of a category colour (the same colours as the canvas card headers)."""
    pixmap = QPixmap(round(size * dpr), round(size * dpr))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 70))
    painter.setBrush(QColor(colour))
    inset = 1.5 * dpr
    painter.drawRoundedRect(
        QRectF(inset, inset, size * dpr - 2 * inset, size * dpr - 2 * inset), 3 * dpr, 3 * dpr
    )
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return QIcon(pixmap)


def example_files() -> dict[str, Traversable]:
    """The example projects shipped with the app: file stem -> file."""
    folder = resource_root() / "examples"
    if not folder.is_dir():
        return {}
    files = [f for f in folder.iterdir() if f.name.endswith(".json")]
    return {f.name[: -len(".json")]: f for f in sorted(files, key=lambda f: f.name)}
