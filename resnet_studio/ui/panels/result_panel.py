"""The frame every forward-run panel shares (on top of PanelFrame): banners for stale results and failed runs, an
empty state that says what to do, and greying while stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QColor, QImage, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ...results.run import ForwardResult, RunError
from ..document import Document
from ..run.controller import RunController
from ..theme import ERROR_COLOUR, WARNING_COLOUR
from .panel_frame import PanelFrame, escape

STALE_FADE = 0.55
"""How far a stale picture fades towards the background (0: not at all, 1: gone)."""
PICTURE_DELAY_MS = 40
"""A stale panel that shows another node takes its greyed picture this long after: the selection's own
repaint (canvas, inspector) comes first, in a turn of the event loop of its own."""
STALE_TEXT = "Stale: the network or the run settings changed since this run. Run again to update."
EMPTY_TEXT = (
    "Press Run (Ctrl+R) to send an input through the network and see what every block makes of it: "
    "feature maps, histograms and statistics, node by node."
)


class StalePicture(QLabel):
    """A still, greyed copy of a panel's content: legible, clearly not current, and nothing else shows through."""

    def __init__(self, parent: QWidget | None = None, in_view: Callable[[], bool] = lambda: True) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._source: QWidget | None = None
        self._background = QColor()
        self._in_view = in_view
        self.outdated = False
        """The size changed while out of view: the picture is to be taken again when it is looked at."""

    def show_greyed(self, content: QWidget, background: QColor) -> None:
        """Take a picture of `content` at this widget's size and show it in grey."""
        self._source, self._background = content, QColor(background)
        self.outdated = False
        self._draw()

    def _draw(self) -> None:
        content = self._source
        if content is None:
            return
        size = self.size() if self.isVisible() and not self.size().isEmpty() else content.size()
        if content.size() != size:
            content.resize(size)
        picture = content.grab()
        grey = picture.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        faded = QPixmap(picture.size())
        faded.setDevicePixelRatio(picture.devicePixelRatio())
        faded.fill(self._background)
        painter = QPainter(faded)
        painter.setOpacity(1.0 - STALE_FADE)
        painter.drawImage(0, 0, grey)
        painter.end()
        self.setPixmap(faded)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._source is None or not self.isVisible():
            return
        if self._in_view():
            self._draw()
        else:
            self.outdated = (
                True  # a picture nobody sees is not drawn (a dock tab behind another is "visible")
            )


class ResultPanel(PanelFrame):
    """Base of the Activations, Depth, Timing and Output panels: subclasses fill `content` and implement
    show_result()."""

    def __init__(
        self,
        document: Document,
        controller: RunController,
        run_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self.run_action = run_action
        self.result: ForwardResult | None = None
        self._pending = False
        self.stale_view = StalePicture(self, lambda: self.on_screen)
        """While stale: a greyed picture of the content (no live plot drawn through an effect can bleed)."""
        self.stack.addWidget(self.stale_view)
        self._greyed = False
        self._picture_due = False
        """Stale, but the greyed picture of the current content is still to be taken (out of sight so far)."""
        self._updating = False
        self._show_empty()
        run_action.changed.connect(self._sync_run_button)
        controller.result_changed.connect(self._result_changed)
        controller.affected_changed.connect(self._affected_changed)
        controller.problem_changed.connect(self._problem_changed)
        # Bound methods, not lambdas: Qt disconnects them when the panel goes, a lambda would outlive it.
        controller.availability_changed.connect(self._availability_changed)

    # --- to implement -----------------------------------------------------------------------------------------

    def show_result(self, result: ForwardResult) -> None:
        """Plot a result (called with the current one whenever it changes)."""
        raise NotImplementedError

    def empty_text(self) -> str:
        """What the panel says while it has nothing to show."""
        return EMPTY_TEXT

    def finish_setup(self) -> None:
        """Call at the end of a subclass's __init__: styles the plots, follows palette changes from now on, and
        takes up the controller's state (a panel may be built after a run)."""
        super().finish_setup()
        c = self.controller
        if c.current is not None:
            self._result_changed(c.current)
        if c.stale:
            self._affected_changed(c.affected)
        if c.problem is not None:
            self._problem_changed(c.problem)

    # --- state ------------------------------------------------------------------------------------------------

    @property
    def stale(self) -> bool:
        """True while what this panel shows no longer matches the network (see shows_affected)."""
        return self.controller.stale and self.shows_affected(self.controller.affected)

    def shows_affected(self, affected: frozenset[str]) -> bool:
        """Whether the panel shows results of any of these nodes (by default it shows the whole network)."""
        return bool(affected)

    def _availability_changed(self, _reason: object) -> None:
        self._show_empty()

    def _result_changed(self, result: ForwardResult | None) -> None:
        self.result = result
        self._pending = False
        if result is None:
            self._show_empty()
            return
        if not self.stale:
            # Hidden before the content comes back: the content keeps its size (a resize lays out every plot).
            self.stale_banner.hide()
        self.stack.setCurrentWidget(self.content)
        self._greyed = False
        if self.on_screen:
            self.show_result(result)
        else:
            # A panel behind another tab draws when it is first looked at: a result arrives in one short
            # step of the event loop however many panels there are.
            self._pending = True

    def bring_up_to_date(self) -> None:
        """Draw the current result now if it arrived while the panel was hidden (greyed if it is stale)."""
        self._draw_pending()
        if self._greyed:
            self._take_stale_picture()

    def _draw_pending(self) -> None:
        if self._pending and self.result is not None:
            self._pending = False
            self.show_result(self.result)

    def _show_empty(self) -> None:
        reason = self.controller.blocked_reason
        text = self.empty_text()
        if reason is not None:
            text = f"Run is unavailable. {reason}"
        self.empty.setText(text)
        if self.result is None:
            self.stack.setCurrentWidget(self.empty)

    def _affected_changed(self, _affected: frozenset[str]) -> None:
        # The content is as it was: a picture already taken of it still holds.
        self._update_stale(content_changed=False)

    def update_stale(self) -> None:
        """Grey the content and show the banner while what it shows is stale; live content otherwise. Panels
        call it again when they show something else (another node)."""
        self._update_stale(content_changed=True)

    def _update_stale(self, content_changed: bool) -> None:
        if self._updating:
            return
        stale = self.stale and self.result is not None
        self._updating = True
        try:
            self._show_stale(stale, content_changed)
        finally:
            self._updating = False

    def _show_stale(self, stale: bool, content_changed: bool) -> None:
        if stale:
            # The picture is a full paint of the content: taken once per stale content, and for a panel out
            # of sight only when it comes into view (every edit used to repaint every panel's plots).
            # Another node shown while greyed: the greyed picture in view still stands for the panel until the
            # new one is taken, a moment later, after the selection itself has been drawn.
            later = self._greyed and content_changed and self.stack.currentWidget() is self.stale_view
            self._picture_due = self._picture_due or content_changed or not self._greyed
            self._greyed = True
            if not self.on_screen:
                # Out of sight the picture waits, and so does the content: the banner's room is taken from
                # the picture, not from the plots (a resize lays every one of them out again).
                self.stack.setCurrentWidget(self.stale_view)
            self.stale_banner.show_message(STALE_TEXT, WARNING_COLOUR, "Run Again", self.run_action.trigger)
            self.stale_banner.button.setEnabled(self.run_action.isEnabled())
            if self.on_screen and later:
                QTimer.singleShot(PICTURE_DELAY_MS, self, self._picture_later)
            elif self.on_screen:
                self._take_stale_picture()
        else:
            self._picture_due = False
            # The banner goes first: the content comes back at the size it has without it, in one layout.
            self.stale_banner.hide()
            if self.stack.currentWidget() is self.stale_view:
                self.stack.setCurrentWidget(self.content)
            self._greyed = False

    def _picture_later(self) -> None:
        if self._greyed and self.on_screen:
            self._take_stale_picture()

    def _take_stale_picture(self) -> None:
        if not self._picture_due and not self.stale_view.outdated:
            return
        self._picture_due = False
        self._draw_pending()  # the picture is of the current result
        self.stale_view.show_greyed(self.content, self.colours.background)
        self.stack.setCurrentWidget(self.stale_view)

    @property
    def greyed(self) -> bool:
        """True while the content is shown greyed (stale)."""
        return self._greyed

    def _sync_run_button(self) -> None:
        self.stale_banner.button.setEnabled(self.run_action.isEnabled())

    def _problem_changed(self, problem: RunError | None) -> None:
        if problem is None:
            self.problem_banner.hide()
            return
        text = f"<b>{problem.title}.</b> {escape(problem.message)}"
        if problem.kind == "out_of_memory" and problem.suggested_batch:
            batch = problem.suggested_batch
            self.problem_banner.show_message(
                text, ERROR_COLOUR, f"Use Batch {batch}", lambda: self._use_batch(batch)
            )
        elif problem.node:
            node = problem.node
            self.problem_banner.show_message(
                text, ERROR_COLOUR, f"Show {node}", lambda: self._show_node(node)
            )
        else:
            self.problem_banner.show_message(text, ERROR_COLOUR)

    def _use_batch(self, batch: int) -> None:
        self.document.set_settings(replace(self.document.settings, batch_size=batch))

    def _show_node(self, name: str) -> None:
        node = self.document.graph.node_by_name(name) if name else None
        if node is not None:
            self.node_activated.emit(node.id)
