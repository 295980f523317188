"""Data files (icons, example projects) and the icons drawn from them in the palette's text colour."""

from __future__ import annotations

from functools import cache
from importlib.resources.abc import Traversable

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..core.resources import resource_root

ICON_SIZES = (16, 20, 24, 32, 48)


@cache
def _svg_text(name: str) -> str:
    return (resource_root() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def icon(name: str, palette: QPalette) -> QIcon:
    """An icon from resources/icons/NAME.svg drawn in the palette's text colour (so it reads light or dark)."""
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    result = QIcon()
    for size in ICON_SIZES:
        for dpr in (1.0, 2.0):
            result.addPixmap(_render(name, normal, size, dpr), QIcon.Mode.Normal)
            result.addPixmap(_render(name, disabled, size, dpr), QIcon.Mode.Disabled)
    return result


def _render(name: str, colour: QColor, size: int, dpr: float) -> QPixmap:
    svg = _svg_text(name).replace("currentColor", colour.name())
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
