"""Pictures of the network: PNG (2x, for slides) and SVG, drawn by the same scene items the editor uses."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from ...core.analysis import RunSettings
from ...core.graph import Graph
from ..document import Document
from .scene import CanvasScene
from .style import CanvasStyle

MARGIN = 36.0
MAX_SIDE = 16000
"""Longest side of an exported PNG, in pixels; bigger networks are scaled down to fit (memory stays bounded)."""
FORMATS = (".png", ".svg")

_app: QApplication | None = None


def ensure_app() -> QApplication:
    """The running QApplication, or a new one (offscreen when there is no display), for headless rendering."""
    global _app
    existing = QApplication.instance()
    if existing is not None:
        if not isinstance(existing, QApplication):
            raise RuntimeError(
                "drawing the network needs a QApplication, but a non-widget Qt application is running"
            )
        return existing
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication([sys.argv[0] if sys.argv else "resnet-studio"])
    return _app


def _check_target(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        found = f"'{path.suffix}'" if path.suffix else "no extension"
        raise OSError(f"cannot export to {path}: the name must end in .png or .svg (found {found})")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: the folder {folder} does not exist")
    return suffix


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise OSError(f"cannot write {path}: {error.strerror or error}") from None


def scene_image(scene: CanvasScene, scale: float = 2.0) -> QImage:
    """The whole network as an image at `scale` pixels per scene unit (reduced to fit MAX_SIDE)."""
    source = _source_rect(scene)
    scale = min(scale, MAX_SIDE / max(source.width(), source.height()))
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.canvas_style.background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    return image


def _source_rect(scene: CanvasScene) -> QRectF:
    scene.flush()
    rect = scene.network_rect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 400, 240)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _render(scene: CanvasScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    scene.exporting = True
    try:
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        scene.exporting = False


def export_scene(scene: CanvasScene, path: str | os.PathLike[str], scale: float = 2.0) -> Path:
    """Write the network to a .png (at `scale`) or .svg file; raises OSError with a clear message."""
    target = Path(path)
    suffix = _check_target(target)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if suffix == ".png":
        encoded = scene_image(scene, scale).save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes
        if not encoded:
            raise OSError(f"cannot write {target}: the image could not be encoded as PNG")
    else:
        source = _source_rect(scene)
        size = QSize(round(source.width()), round(source.height()))
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setResolution(96)  # CSS pixels, so the SVG opens at the same size as the PNG at 1x
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(target.stem)
        generator.setDescription("A network drawn by ResNet Studio")
        painter = QPainter(generator)
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), scene.canvas_style.background)
        _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
    buffer.close()
    data = QByteArray(buffer.data()).data()
    if not data:
        raise OSError(f"cannot write {target}: nothing was drawn")
    _write(target, bytes(data))
    return target


def render_to_file(
    graph: Graph,
    path: str | os.PathLike[str],
    *,
    expanded: bool = False,
    settings: RunSettings | None = None,
    theme: str | None = "light",
    edge_labels: bool = False,
    presentation: bool = False,
) -> None:
    """Draw a network to a .png or .svg file without a window (works with QT_QPA_PLATFORM=offscreen).

    `expanded` shows every block as its primitive layers; `theme` is 'light', 'dark' or None (the app's palette).
    """
    app = ensure_app()
    _check_target(Path(path))
    if expanded:
        from ...core.expansion import expand_all

        graph = expand_all(graph, settings.input_shape if settings else None)
    document = Document(graph.copy())
    if settings is not None:
        document.set_settings(settings)
    style = CanvasStyle.from_palette(_palette(app, theme), presentation)
    scene = CanvasScene(document, style=style)
    scene.set_show_edge_labels(edge_labels)
    try:
        export_scene(scene, path)
    finally:
        scene.detach()
        scene.deleteLater()
        document.deleteLater()


def _palette(app: QApplication, theme: str | None) -> QPalette:
    from ..theme import dark_palette, light_palette

    if theme == "dark":
        return dark_palette()
    if theme == "light":
        return light_palette()
    return app.palette()
