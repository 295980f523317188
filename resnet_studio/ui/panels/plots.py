"""What every result plot shares: pyqtgraph set up once, colours from the palette, fonts large enough for a
projector, an axis that labels nodes by name, and PNG and SVG export."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from .. import colours
from ..theme import is_dark

_configured = False

LINE_WIDTH = 2.6
"""Plot lines thick enough to see from the back of a room."""


def configure_pyqtgraph() -> None:
    """Global pyqtgraph options, once: row-major images (numpy's own order), antialiased lines."""
    global _configured
    if not _configured:
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        _configured = True


@dataclass(frozen=True)
class PlotColours:
    """Okabe-Ito colours (colour-blind safe) tuned for the light or dark palette."""

    background: QColor
    foreground: QColor
    grid: QColor
    mean: QColor
    std: QColor
    bar: QColor
    highlight: QColor
    zeros: QColor
    muted: QColor

    @staticmethod
    def of(palette: QPalette) -> PlotColours:
        """The colours for a palette."""
        dark = is_dark(palette)
        background = palette.color(QPalette.ColorRole.Base)
        foreground = palette.color(QPalette.ColorRole.Text)
        grid = QColor(foreground)
        grid.setAlpha(60)
        muted = QColor(foreground)
        muted.setAlpha(150)
        return PlotColours(
            background=background,
            foreground=foreground,
            grid=grid,
            mean=QColor(colours.series(dark)[0]),
            std=QColor(colours.series(dark)[1]),
            bar=QColor(colours.series(dark)[0]),
            highlight=palette.color(QPalette.ColorRole.Highlight),
            zeros=QColor(colours.EMPHASIS),
            muted=muted,
        )


def plot_font(widget: QWidget | None = None, scale: float = 1.0) -> QFont:
    """The application font (which follows the UI scale and presentation mode), optionally scaled."""
    font = QFont(widget.font() if widget is not None else QApplication.font())
    if scale != 1.0:
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * scale)
    return font


def style_plot(
    plot: pg.PlotItem, colours: PlotColours, font: QFont, grid: tuple[bool, bool] = (True, True)
) -> None:
    """Axes, ticks and labels in the palette's colours and the UI's font size; grid lines along (x, y)."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(colours.foreground, width=1))
        axis.setTextPen(pg.mkPen(colours.foreground))
        axis.setTickFont(font)
        axis.setStyle(tickTextOffset=6, autoExpandTextSpace=True)
        if axis.labelText:
            size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
            # Axis labels take CSS (font-size); titles and legends take pyqtgraph's own 'size'.
            css = {"color": colours.foreground.name(), "font-size": f"{size:.1f}pt"}
            axis.setLabel(axis.labelText, axis.labelUnits, **css)
    plot.showGrid(x=grid[0], y=grid[1], alpha=0.25)
    if plot.titleLabel.text:
        plot.setTitle(plot.titleLabel.text, **label_style(colours, font, bold=True))


def label_style(colours: PlotColours, font: QFont, bold: bool = False) -> dict[str, str]:
    """Keyword arguments for pyqtgraph labels in the UI font."""
    size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    style = {"color": colours.foreground.name(), "size": f"{size:.1f}pt"}
    if bold:
        style["bold"] = "True"
    return style


def style_view(view: pg.GraphicsView | pg.PlotWidget, colours: PlotColours) -> None:
    """The plot's background from the palette."""
    view.setBackground(colours.background)


class NodeAxis(pg.AxisItem):
    """An axis over node positions 0..n-1 that writes node names, as many as fit without overlapping."""

    def __init__(self, orientation: str = "bottom") -> None:
        super().__init__(orientation)
        self.names: list[str] = []

    def set_names(self, names: list[str]) -> None:
        """Name the positions."""
        self.names = list(names)
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        if not self.names:
            return super().tickValues(minVal, maxVal, size)
        minVal, maxVal = sorted((minVal, maxVal))  # an inverted view gives its range top first
        low, high = max(0, math.ceil(minVal)), min(len(self.names) - 1, math.floor(maxVal))
        if high < low or size <= 0:
            return []
        metrics = QFontMetricsF(self.style.get("tickFont") or self.font())
        if self.orientation in ("bottom", "top"):
            room = max(metrics.horizontalAdvance(n) for n in self.names[low : high + 1]) + metrics.height()
        else:
            room = metrics.height() * 1.15
        per_node = size / max(maxVal - minVal, 1e-9)
        step = max(1, math.ceil(room / max(per_node, 1e-9)))
        first = math.ceil(low / step) * step
        return [(float(step), [float(v) for v in range(first, high + 1, step)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if not self.names:
            return super().tickStrings(values, scale, spacing)
        out = []
        for value in values:
            index = round(value)
            out.append(self.names[index] if 0 <= index < len(self.names) else "")
        return out


class ValueAxis(pg.AxisItem):
    """A value axis whose log scale labels only 1, 2 and 5 of each decade (0.06, 0.07, ... crowd each other)."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings = super().logTickStrings(values, scale, spacing)
        kept = []
        for value, text in zip(values, strings):
            mantissa = round(10 ** (value - math.floor(value + 1e-9)), 3)
            kept.append(text if mantissa in (1.0, 2.0, 5.0) else "")
        return kept


def export_png(widget: QWidget, path: str | Path, scale: float = 2.0) -> Path:
    """Save what a widget shows as a PNG, rendered at `scale` times its size so it stays sharp on slides.

    Raises OSError when the file cannot be written."""
    target = Path(path)
    if target.suffix.lower() != ".png":
        target = target.with_suffix(".png")
    pixmap = QPixmap(round(widget.width() * scale), round(widget.height() * scale))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(widget.palette().color(QPalette.ColorRole.Window))
    painter = QPainter(pixmap)
    widget.render(painter, QPoint(), QRect(0, 0, widget.width(), widget.height()))
    painter.end()
    if not pixmap.save(str(target), "PNG"):
        raise OSError(f"could not write the image {str(target)!r} (is the folder writable?)")
    return target


def export_svg(widget: QWidget, path: str | Path, title: str = "ResNet Studio plot") -> Path:
    """Save what a widget shows as an SVG drawing (lines and text stay vector; images are embedded).

    Raises OSError when the file cannot be written."""
    target = Path(path)
    if target.suffix.lower() != ".svg":
        target = target.with_suffix(".svg")
    size = QSize(widget.width(), widget.height())
    generator = QSvgGenerator()
    generator.setFileName(str(target))
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(), size))
    generator.setResolution(96)
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write the drawing {str(target)!r} (is the folder writable?)")
    painter.fillRect(QRect(QPoint(), size), widget.palette().color(QPalette.ColorRole.Window))
    widget.render(painter, QPoint(), QRect(0, 0, widget.width(), widget.height()))
    painter.end()
    if not target.is_file() or target.stat().st_size == 0:
        raise OSError(f"could not write the drawing {str(target)!r} (is the folder writable?)")
    return target
