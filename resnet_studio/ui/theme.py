"""Look and feel: the Fusion style with a light or dark palette that follows the system, and the UI scale."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from . import colours

ThemeMode = Literal["system", "light", "dark"]
THEME_MODES: tuple[ThemeMode, ...] = ("system", "light", "dark")

UI_SCALES = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0)
"""The steps of View > Larger / Smaller UI."""
PRESENTATION_SCALE = 1.35
"""Presentation mode multiplies the UI scale by this (readable from the back of a lecture hall)."""

ERROR_COLOUR = colours.ERROR
WARNING_COLOUR = colours.WARNING
"""Severity colours chosen to read on both light and dark backgrounds."""


def system_prefers_dark(app: QGuiApplication) -> bool:
    """True when the desktop asks for a dark colour scheme."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve_dark(app: QGuiApplication, mode: ThemeMode) -> bool:
    """Whether `mode` means dark right now."""
    if mode == "system":
        return system_prefers_dark(app)
    return mode == "dark"


def light_palette() -> QPalette:
    """A calm light palette (Fusion's own, with a clearer highlight)."""
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#EFF0F2",
        QPalette.ColorRole.WindowText: "#1D1F23",
        QPalette.ColorRole.Base: "#FFFFFF",
        QPalette.ColorRole.AlternateBase: "#F5F6F8",
        QPalette.ColorRole.ToolTipBase: "#FFFFF0",
        QPalette.ColorRole.ToolTipText: "#1D1F23",
        QPalette.ColorRole.PlaceholderText: "#7A7F88",
        QPalette.ColorRole.Text: "#1D1F23",
        QPalette.ColorRole.Button: "#E6E8EB",
        QPalette.ColorRole.ButtonText: "#1D1F23",
        QPalette.ColorRole.BrightText: "#FFFFFF",
        QPalette.ColorRole.Highlight: "#2A7BD4",
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.Link: "#1A64B8",
        QPalette.ColorRole.Light: "#FFFFFF",
        QPalette.ColorRole.Midlight: "#E3E5E8",
        QPalette.ColorRole.Mid: "#B9BDC4",
        QPalette.ColorRole.Dark: "#9095A0",
        QPalette.ColorRole.Shadow: "#50545C",
    }
    _fill(p, colours, disabled_text="#9A9EA6")
    return p


def dark_palette() -> QPalette:
    """A dark palette with enough contrast for a projector."""
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#25272B",
        QPalette.ColorRole.WindowText: "#E8EAED",
        QPalette.ColorRole.Base: "#1B1C1F",
        QPalette.ColorRole.AlternateBase: "#222428",
        QPalette.ColorRole.ToolTipBase: "#30333A",
        QPalette.ColorRole.ToolTipText: "#F1F3F5",
        QPalette.ColorRole.PlaceholderText: "#8D929B",
        QPalette.ColorRole.Text: "#E8EAED",
        QPalette.ColorRole.Button: "#2F3237",
        QPalette.ColorRole.ButtonText: "#E8EAED",
        QPalette.ColorRole.BrightText: "#FFFFFF",
        QPalette.ColorRole.Highlight: "#3D8EE6",
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.Link: "#7DB5F5",
        QPalette.ColorRole.Light: "#3B3E44",
        QPalette.ColorRole.Midlight: "#33363B",
        QPalette.ColorRole.Mid: "#4A4E56",
        QPalette.ColorRole.Dark: "#151618",
        QPalette.ColorRole.Shadow: "#0C0C0E",
    }
    _fill(p, colours, disabled_text="#6C7079")
    return p


def _fill(p: QPalette, colours: dict[QPalette.ColorRole, str], disabled_text: str) -> None:
    for role, value in colours.items():
        p.setColor(role, QColor(value))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled_text))
    p.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(colours[QPalette.ColorRole.Mid])
    )


FUSION_PROPERTY = "resnet_studio_fusion"
"""Set on the application once it uses Fusion. Asking Qt for the current style instead would make PySide build
the QStyle type and its few hundred enum members, milliseconds the window's first paint does not need."""


def apply_theme(app: QApplication, mode: ThemeMode) -> bool:
    """Use Fusion with the palette `mode` asks for; returns True when the result is dark."""
    if app.property(FUSION_PROPERTY) is not True:
        app.setStyle("Fusion")
        app.setProperty(FUSION_PROPERTY, True)
    dark = resolve_dark(app, mode)
    palette = dark_palette() if dark else light_palette()
    if palette != app.palette():  # the same again would still restyle every widget
        app.setPalette(palette)
    return dark


def is_dark(palette: QPalette) -> bool:
    """True when a palette has light text on a dark window."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """The colour a fraction `t` of the way from a to b."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def base_font(app: QApplication) -> QFont:
    """The application font before any UI scaling (remembered the first time it is asked for)."""
    saved = app.property("resnet_studio_base_font")
    if isinstance(saved, QFont):
        return QFont(saved)
    font = QFont(app.font())
    app.setProperty("resnet_studio_base_font", font)
    return QFont(font)


def apply_ui_scale(app: QApplication, scale: float) -> None:
    """Scale the application font (and so every widget that lays out by it) relative to the system font."""
    base = base_font(app)
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(round(size * scale, 1))
    if font != app.font():  # the same again would still lay every widget out anew
        app.setFont(font)


def next_scale(current: float, step: int) -> float:
    """The next UI scale up (step 1) or down (step -1), clamped to the range."""
    nearest = min(range(len(UI_SCALES)), key=lambda i: abs(UI_SCALES[i] - current))
    return UI_SCALES[max(0, min(len(UI_SCALES) - 1, nearest + step))]
