"""Colours, fonts and line widths of the canvas, read from the QPalette (light or dark) once per theme change."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QPalette

from ...core.layout import CARD_HEIGHT, CARD_WIDTH
from .. import colours
from ..theme import ERROR_COLOUR, WARNING_COLOUR, is_dark, mix

__all__ = ["CARD_HEIGHT", "CARD_WIDTH", "GRID", "CanvasStyle", "header_text_colour", "skip_colour"]

GRID = 20.0
"""Snap-to-grid step (and the minor grid of the background), in scene units."""


def skip_colour(dark: bool) -> QColor:
    """The colour of skip connections and of the skip arc on residual cards."""
    return QColor(colours.SKIP_DARK if dark else colours.SKIP_LIGHT)


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )


@lru_cache(maxsize=64)
def header_text_colour(fill: str) -> QColor:
    """Black or white, whichever reads better on a header of this colour (WCAG contrast)."""
    lum = _luminance(QColor(fill))
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return QColor(colours.ON_LIGHT) if on_black >= on_white else QColor(colours.ON_DARK)


def _font(family: str, pixels: float, *, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # same layout at every zoom
    return font


@dataclass(frozen=True)
class CanvasStyle:
    """Everything the items need to paint; built from a palette, so light and dark themes both work."""

    dark: bool
    presentation: bool
    background: QColor
    grid_minor: QColor
    grid_major: QColor
    card: QColor
    card_border: QColor
    text: QColor
    muted: QColor
    badge: QColor
    edge: QColor
    skip: QColor
    highlight: QColor
    error: QColor
    warning: QColor
    glow: QColor
    dimmed: QColor
    title_font: QFont
    type_font: QFont
    body_font: QFont
    badge_font: QFont
    small_font: QFont
    edge_width: float
    border_width: float
    header_height: float
    port_radius: float

    @classmethod
    def from_palette(cls, palette: QPalette, presentation: bool = False, family: str = "") -> CanvasStyle:
        """The style for a palette; presentation mode uses larger fonts and thicker lines for projectors."""
        role = QPalette.ColorRole
        dark = is_dark(palette)
        window, base, text = palette.color(role.Window), palette.color(role.Base), palette.color(role.Text)
        family = family or QFont().family()
        scale = 1.22 if presentation else 1.0
        return cls(
            dark=dark,
            presentation=presentation,
            background=mix(window, base, 0.35),
            grid_minor=mix(window, text, 0.035),
            grid_major=mix(window, text, 0.075),
            card=base if not dark else mix(base, window, 0.6),
            card_border=mix(base, text, 0.35),
            text=text,
            muted=mix(base, text, 0.62),
            badge=mix(base, text, 0.09),
            edge=mix(base, text, 0.55),
            skip=skip_colour(dark),
            highlight=palette.color(role.Highlight),
            error=QColor(ERROR_COLOUR),
            warning=QColor(WARNING_COLOUR),
            glow=QColor(colours.GLOW_DARK if dark else colours.GLOW_LIGHT),
            dimmed=mix(base, text, 0.25),
            title_font=_font(family, 13.5 * scale, bold=True),
            type_font=_font(family, 11 * scale),
            body_font=_font(family, 12 * scale),
            badge_font=_font(family, 10.5 * scale),
            small_font=_font(family, 9.5 * scale),
            edge_width=3.4 if presentation else 2.0,
            border_width=1.6 if presentation else 1.0,
            header_height=30.0 if presentation else 27.0,
            port_radius=6.5 if presentation else 5.5,
        )
