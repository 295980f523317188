"""Lessons in the window: the Lessons menu, the lesson dock, stepping through a lesson (Back, Next, Reset step),
teachers' own lesson files, and the welcome page at first start."""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ...core.lessons import (
    FigureContext,
    FigureError,
    Lesson,
    LessonError,
    formula_html,
    load_lesson_file,
    paragraph_html,
)
from ...core.lessons import shipped_lessons as _shipped
from ...core.lessons.commands import StepError
from ...core.lessons.figures import PLACEHOLDER
from .code_view import CodeView
from .host import LessonHost
from .panel import LessonPanel
from .runner import StepRunner
from .welcome import WelcomeDialog

WELCOME_SEEN = "lessons_welcome_seen"
"""The remembered flag: the welcome page was shown once."""
LESSON_FILTER = "Lessons (*.json);;All files (*)"
PANEL_WIDTH = 530
"""The lesson panel is made at least this wide when a lesson starts (the text and the code need the room)."""


def shipped_lessons() -> tuple[Lesson, ...]:
    """The lessons that come with the app (none, with a message on stderr, if one is broken)."""
    try:
        return _shipped()
    except LessonError as error:  # a broken install: the app still opens
        print(f"resnet-studio: {error}", file=sys.stderr)
        return ()


class LessonsUi(QObject):
    """Owns the lesson dock and steps through one lesson at a time."""

    def __init__(self, window: LessonHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.lessons = shipped_lessons()
        self.lesson: Lesson | None = None
        self.index = 0
        self.panel = LessonPanel()
        self.dock = (
            window.lesson_dock
        )  # made with the window, so its place in the layout is restored with the rest
        placeholder = self.dock.widget()
        self.dock.setWidget(self.panel)
        if placeholder is not None:
            placeholder.deleteLater()
        self.code = CodeView(window.document, self.panel, self)
        self.runner = StepRunner(window, self.code.show)
        self.welcome: WelcomeDialog | None = None
        self.next_step = self._action("&Next Step", "PgDown", "The lesson's next step", self.next)
        self.previous_step = self._action("&Previous Step", "PgUp", "The lesson's step before", self.back)
        self.reset_step = self._action("&Reset Step", "", "Do the step's action again", self.reset)
        self.close_lesson = self._action("&Close Lesson", "", "Leave the lesson", self.close)
        self.open_file_action = self._action(
            "&Open Lesson File...", "", "Open a lesson of your own (a JSON file)", lambda: self.open_file()
        )
        self.welcome_action = self._action(
            "&Welcome Page", "", "The lessons, as at first start", self.show_welcome
        )
        p = self.panel
        p.next.clicked.connect(self.next)
        p.back.clicked.connect(self.back)
        p.reset.clicked.connect(self.reset)
        p.close_button.clicked.connect(self.close)
        p.text.anchorClicked.connect(self._link)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self.render)
        window.document.analysis_changed.connect(self._render_later)
        self._show_choice()
        self._enable()

    def _action(self, text: str, key: str, tip: str, slot: object) -> QAction:
        action = QAction(text, self.window)  # type: ignore[arg-type]
        if key:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        self.window.addAction(action)
        return action

    def fill_menu(self, menu: QMenu) -> None:
        """One entry per shipped lesson, then a teacher's own file, stepping and the welcome page."""
        for number, lesson in enumerate(self.lessons, start=1):
            action = menu.addAction(f"&{number}  {lesson.title}")
            action.setStatusTip(lesson.summary)
            action.triggered.connect(lambda _checked=False, chosen=lesson: self.start(chosen))
        menu.addSeparator()
        menu.addAction(self.open_file_action)
        menu.addSeparator()
        menu.addActions([self.next_step, self.previous_step, self.reset_step, self.close_lesson])
        menu.addSeparator()
        menu.addAction(self.welcome_action)

    # --- stepping -------------------------------------------------------------------------------------------

    def start(self, lesson: Lesson) -> None:
        """Open a lesson at its first step."""
        self.lesson = lesson
        self.dock.show()
        self.dock.raise_()
        if self.dock.width() < PANEL_WIDTH:
            self.window.resizeDocks([self.dock], [PANEL_WIDTH], Qt.Orientation.Horizontal)
        self._go(0, replay=True)

    def next(self) -> None:
        """The next step: its action happens on top of the network as it is (the user's edits stay)."""
        if self.lesson is not None and self.index + 1 < len(self.lesson):
            self._go(self.index + 1, replay=False)

    def back(self) -> None:
        """The step before, as the lesson had set it up."""
        if self.lesson is not None and self.index > 0:
            self._go(self.index - 1, replay=True)

    def reset(self) -> None:
        """Put this step back: its setup since the last network load, and its own action, again."""
        if self.lesson is not None:
            self._go(self.index, replay=True)

    def close(self) -> None:
        """Leave the lesson; the network stays as it is."""
        self.lesson = None
        self.code.hide()
        self.dock.hide()
        self._show_choice()
        self._enable()

    def _show_choice(self) -> None:
        """The panel with no lesson open (shown from the Panels menu, or after Close): the lessons to start."""
        self.panel.show_choice([(lesson.title, lesson.summary) for lesson in self.lessons])

    def _link(self, url: QUrl) -> None:
        """A link in the panel's text: 'lesson:<index>' starts that lesson."""
        scheme, _, index = url.toString().partition(":")
        if scheme == "lesson" and index.isdigit() and int(index) < len(self.lessons):
            self.start(self.lessons[int(index)])

    def _go(self, index: int, replay: bool) -> None:
        lesson = self.lesson
        assert lesson is not None
        self.index = index
        step = lesson.steps[index]
        self.code.hide()
        actions = lesson.replay(index) if replay else (step.action,)
        notes = []
        for action in actions:
            try:
                note = self.runner.perform(action)
            except StepError as error:
                notes = [f"This step could not {action.spec.title}: {error}"]
                break
            if note and action is step.action:
                notes.append(note)
        self.panel.set_note("\n".join(notes))
        self.render()
        self._enable()
        self.window.show_status(f"{lesson.title}: step {index + 1} of {len(lesson)}, {step.title}")

    def _enable(self) -> None:
        on = self.lesson is not None
        self.next_step.setEnabled(on and self.index + 1 < len(self.lesson or ()))
        self.previous_step.setEnabled(on and self.index > 0)
        self.reset_step.setEnabled(on)
        self.close_lesson.setEnabled(on)

    # --- the text -------------------------------------------------------------------------------------------

    def _render_later(self, _analysis: object = None) -> None:
        if self.lesson is not None:
            self._render_timer.start(0)

    def render(self) -> None:
        """Show the step's text with its figures filled from the network as it is now."""
        lesson = self.lesson
        if lesson is None:
            return
        step = lesson.steps[self.index]
        document = self.window.document
        context = FigureContext(document.graph, document.analysis)
        unknown: list[str] = []

        def figure(match: object) -> str:
            placeholder = match.group(0)  # type: ignore[attr-defined]
            try:
                return f"<b>{html.escape(context.value(placeholder))}</b>"
            except FigureError as error:
                unknown.append(str(error))
                return "<b>?</b>"

        parts = [f"<h3>{html.escape(step.title)}</h3>"]
        if step.formula:
            parts.append(f"<p align='center' style='font-size:x-large'>{formula_html(step.formula)}</p>")
        parts += [f"<p>{PLACEHOLDER.sub(figure, paragraph_html(p))}</p>" for p in step.text]
        if unknown:
            parts.append(
                "<p><i>? marks a figure the network on the canvas cannot give now "
                f"({html.escape(unknown[0])}); Reset Step brings the lesson's network back.</i></p>"
            )
        self.panel.show_step(lesson.title, self.index + 1, len(lesson), "".join(parts))

    # --- files and the welcome page ----------------------------------------------------------------------------

    def open_file(self, path: str | Path | None = None) -> bool:
        """Open a lesson of one's own (asks for a file when `path` is None); a malformed one is explained."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self.window,  # type: ignore[arg-type]
                "Open Lesson File",
                self.window.store.last_folder(),
                LESSON_FILTER,
            )
            if not chosen:
                return False
            path = chosen
        try:
            lesson = load_lesson_file(path)
        except LessonError as error:
            QMessageBox.warning(self.window, "Cannot open the lesson", str(error))  # type: ignore[arg-type]
            return False
        self.window.store.set_last_folder(Path(path).resolve().parent)
        self.start(lesson)
        return True

    def welcome_on_first_start(self) -> None:
        """Show the welcome page if it was never shown (the settings remember it)."""
        if not self.window.store.flag(WELCOME_SEEN, False):
            self.show_welcome()

    def show_welcome(self) -> WelcomeDialog:
        """The welcome page, listing the lessons."""
        self.window.store.set_flag(WELCOME_SEEN, True)
        if self.welcome is None:
            self.welcome = WelcomeDialog(self.lessons, self.window)  # type: ignore[arg-type]
            self.welcome.lesson_chosen.connect(self.start)
            self.welcome.open_file.connect(lambda: self.open_file())
        self.welcome.show()
        self.welcome.raise_()
        return self.welcome

    def shutdown(self) -> None:
        """Wait for code being written (the window is closing)."""
        self.code.shutdown()
