"""The frame every panel of a result dock shares: a title and subtitle, banners for problems, an empty state that
says what to do, the content, PNG export, colours that follow the theme, and knowing whether its dock is in view.

The forward-run panels (ResultPanel) and the teaching panels (gradient flow, the race) build on it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..scene_repaints import merge_repaints_within
from .plots import PlotColours, configure_pyqtgraph, export_png


class Banner(QFrame):
    """A message across the top of a panel, with a coloured edge and an optional button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RunBanner")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.button = QPushButton(self)
        self.button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 5, 6, 5)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._slot: object = None
        self._colour = ""
        self._button: tuple[str, object] = ("", None)
        self.hide()

    def show_message(self, text: str, colour: str, button: str = "", on_click: object = None) -> None:
        """Show `text` with a `colour` edge; a button labelled `button` calls `on_click`."""
        # Only what differs is set again: a style sheet set anew restyles and lays out the whole banner, and a
        # panel's banner comes and goes with every run and edit.
        if colour != self._colour:
            self._colour = colour
            self._style()
        if self.label.text() != text:
            self.label.setText(text)
        if (button, on_click) != self._button:
            self._button = (button, on_click)
            if self._slot is not None:
                self.button.clicked.disconnect()
                self._slot = None
            if button and callable(on_click):
                self.button.setText(button)
                self.button.clicked.connect(on_click)
                self._slot = on_click
                self.button.show()
            else:
                self.button.hide()
        if self.isHidden():
            self.show()

    def _style(self) -> None:
        self.setStyleSheet(
            f"#RunBanner {{ border-left: 5px solid {self._colour}; background: palette(alternate-base); }}"
        )

    def restyle(self) -> None:
        """Take the new theme's colours (a style sheet resolves palette() colours when it is set, and a widget
        with one of its own no longer hears of the application's palette)."""
        if self._colour:
            self._style()

    def text(self) -> str:
        """The message shown ('' when hidden)."""
        return self.label.text() if not self.isHidden() else ""


class PanelFrame(QWidget):
    """Base of every result panel: subclasses fill `content` (and `header`), and implement restyle()."""

    node_activated = Signal(str)
    """The user picked a node in a plot: select it (and show it on the canvas)."""
    status_message = Signal(str)
    """A short message for the window's status bar."""

    title_text = "Results"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        configure_pyqtgraph()
        self._dock_shown: bool | None = None
        self.colours = PlotColours.of(self.palette())
        self.title = QLabel(self.title_text, self)
        self.subtitle = QLabel(self)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.header = QHBoxLayout()
        self.header.setSpacing(10)
        self.header.addWidget(self.title)
        self.header.addWidget(self.subtitle, 1)
        self.export_button = QToolButton(self)
        self.export_button.setText("Export PNG...")
        self.export_button.setToolTip("Save this plot as a PNG image (twice the screen resolution)")
        self.export_button.clicked.connect(self._export_clicked)
        self.header.addWidget(self.export_button)
        self.stale_banner = Banner(self)
        self.problem_banner = Banner(self)
        self.content = QWidget(self)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(24)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(self.header)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.problem_banner)
        layout.addWidget(self.stack, 1)
        self._style_header()

    # --- to implement -----------------------------------------------------------------------------------------

    def restyle(self) -> None:
        """Apply new colours or fonts to the plots (theme or UI scale changed)."""

    def export_target(self) -> QWidget:
        """The widget Export PNG saves."""
        return self.content

    def bring_up_to_date(self) -> None:
        """Draw what arrived while the panel was hidden (called when it comes into view)."""

    def shutdown(self) -> None:
        """Stop any work of the panel's own and wait for its threads (the window is closing)."""

    def attach_canvas(self, scene: QGraphicsScene) -> None:
        """The window's canvas, for panels that mark its cards (called once, after the panel is built)."""

    def finish_setup(self) -> None:
        """Call at the end of a subclass's __init__: styles the plots and follows palette changes from now on."""
        self._ready = True
        merge_repaints_within(self)
        self.restyle()

    # --- being looked at --------------------------------------------------------------------------------------

    @property
    def on_screen(self) -> bool:
        """True when the user can see the panel (in a dock: its tab is the one in front)."""
        return self._dock_shown if self._dock_shown is not None else self.isVisible()

    def follow_dock(self, dock: QDockWidget, shown: bool) -> None:
        """Track whether the dock holding the panel is in view (tabs behind others count as hidden); `shown`:
        whether it is in view now."""
        dock.visibilityChanged.connect(self._dock_visibility)
        self._dock_visibility(shown)

    def _dock_visibility(self, shown: bool) -> None:
        self._dock_shown = shown
        if shown:
            self.bring_up_to_date()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dock_shown is None:
            self.bring_up_to_date()

    # --- look -------------------------------------------------------------------------------------------------

    def _style_header(self) -> None:
        font = QFont(self.font())
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * 1.2)
        font.setBold(True)
        self.title.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if self._ready and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.colours = PlotColours.of(self.palette())
            self._style_header()
            self.stale_banner.restyle()
            self.problem_banner.restyle()
            self.restyle()

    # --- export -----------------------------------------------------------------------------------------------

    def _export_clicked(self) -> None:
        self.export_png()

    def export_png(self, path: str | Path | None = None) -> Path | None:
        """Save the plot as a PNG (asks where when no path is given); None when cancelled or it failed."""
        if path is None:
            suggestion = f"{self.title_text.lower().replace(' ', '_')}.png"
            chosen, _ = QFileDialog.getSaveFileName(self, "Export Plot", suggestion, "PNG image (*.png)")
            if not chosen:
                return None
            path = chosen
        self.bring_up_to_date()
        try:
            return export_png(self.export_target(), path)
        except OSError as error:
            QMessageBox.warning(self, "Export Plot", str(error))
            return None


def escape(text: str) -> str:
    """Text made safe to show in a rich-text label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
