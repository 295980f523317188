"""The welcome page: shown once, at first start, it lists the lessons; Lessons > Welcome Page shows it again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.lessons import Lesson

INTRO = (
    "<h2>Welcome to ResNet Studio</h2>"
    "<p>Build residual networks block by block and watch every shape, parameter count and cost update as you "
    "edit. The lessons below walk through the story of residual learning, one step at a time: each step says "
    "what to look at and sets the app up to show it. Leave the script whenever you like and edit freely; "
    "<i>Reset Step</i> puts the step back.</p>"
)


class WelcomeDialog(QDialog):
    """Lists the lessons; starting one closes the page."""

    lesson_chosen = Signal(object)
    """The Lesson to start."""
    open_file = Signal()
    """The user wants to open a lesson file of their own."""

    def __init__(self, lessons: tuple[Lesson, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WelcomeDialog")
        self.setWindowTitle("Welcome")
        self.lessons = lessons
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("WelcomeLessons")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for number, lesson in enumerate(lessons, start=1):
            item = QListWidgetItem(f"{number}. {lesson.title}\n{lesson.summary}")
            item.setData(Qt.ItemDataRole.UserRole, number - 1)
            item.setToolTip(f"{len(lesson)} steps")
            self.list.addItem(item)
        if lessons:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self._start())
        buttons = QDialogButtonBox(self)
        self.start = QPushButton("Start Lesson", self)
        self.start.setDefault(True)
        self.start.setEnabled(bool(lessons))
        self.start.clicked.connect(self._start)
        buttons.addButton(self.start, QDialogButtonBox.ButtonRole.AcceptRole)
        own = buttons.addButton("Open Lesson File...", QDialogButtonBox.ButtonRole.ActionRole)
        own.clicked.connect(self._open_file)
        buttons.addButton("Explore on My Own", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(
            self.reject
        )
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.list, 1)
        box.addWidget(buttons)
        self.resize(620, 520)

    def _start(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.lessons):
            self.accept()
            self.lesson_chosen.emit(self.lessons[row])

    def _open_file(self) -> None:
        self.accept()
        self.open_file.emit()
