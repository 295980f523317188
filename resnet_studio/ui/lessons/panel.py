"""The lesson side panel: the lesson's title, step k of n, the step's text with its figures and formula, a note
when the app could not do what the step asks, a read-only code view, and Back / Reset step / Next / Close."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..theme import WARNING_COLOUR

TEXT_SCALE = 1.15
"""The step's text is a little larger than the rest of the interface: students read it from afar."""
CODE_SCALE = 0.92
"""Code a little smaller, so that a statement and its shape comment fit the panel's width."""


class LessonPanel(QWidget):
    """What a student reads; the buttons are connected by the lessons controller."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LessonPanel")
        self.heading = QLabel(self)
        self.heading.setObjectName("LessonTitle")
        self.heading.setWordWrap(True)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.progress = QLabel(self)
        self.progress.setObjectName("LessonProgress")
        self.text = QTextBrowser(self)
        self.text.setObjectName("LessonText")
        self.text.setOpenLinks(False)
        body = QFont(self.font())
        body.setPointSizeF(body.pointSizeF() * TEXT_SCALE)
        self.text.setFont(body)
        self.note = QLabel(self)
        self.note.setObjectName("LessonNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setStyleSheet(
            f"QLabel {{ border: 1px solid {WARNING_COLOUR}; border-radius: 4px; padding: 5px 7px; }}"
        )
        self.note.hide()
        self.code_caption = QLabel(self)
        self.code = QPlainTextEdit(self)
        self.code.setObjectName("LessonCode")
        self.code.setReadOnly(True)
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(mono.pointSizeF() * CODE_SCALE)
        self.code.setFont(mono)
        code_box = QWidget(self)
        code_layout = QVBoxLayout(code_box)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.addWidget(self.code_caption)
        code_layout.addWidget(self.code, 1)
        self.code_box = code_box
        self.code_box.hide()
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.text)
        self.split.addWidget(code_box)
        self.split.setChildrenCollapsible(False)
        self.back = QPushButton("Back", self)
        self.back.setToolTip("The step before, as the lesson left it (Page Up)")
        self.reset = QPushButton("Reset Step", self)
        self.reset.setToolTip(
            "Do this step's action again: puts the network and the canvas back as the step wants"
        )
        self.next = QPushButton("Next", self)
        self.next.setToolTip("The next step (Page Down)")
        self.next.setDefault(True)
        self.close_button = QPushButton("Close", self)
        self.close_button.setToolTip("Leave the lesson (the network stays as it is)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.reset)
        buttons.addWidget(self.next)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.progress)
        box.addWidget(self.split, 1)
        box.addWidget(self.note)
        box.addLayout(buttons)

    def show_step(self, lesson: str, number: int, count: int, html: str) -> None:
        """Show a step: the lesson's title, 'Step k of n' and the step's rich text."""
        self.heading.setText(lesson)
        self.progress.setText(f"Step {number} of {count}")
        scroll = self.text.verticalScrollBar().value()
        self.text.setHtml(html)
        self.text.verticalScrollBar().setValue(scroll)
        self.back.setEnabled(number > 1)
        self.reset.setEnabled(True)
        self.next.setEnabled(number < count)

    def show_choice(self, titles: list[tuple[str, str]]) -> None:
        """No lesson open: the lessons to choose from, each a link ('lesson:<index>'), and the step buttons off."""
        self.heading.setText("Lessons")
        self.progress.setText("No lesson is open. Choose one to start it:")
        items = "".join(
            f"<li><a href='lesson:{i}'><b>{html.escape(title)}</b></a><br>{html.escape(summary)}</li>"
            for i, (title, summary) in enumerate(titles)
        )
        self.text.setHtml(f"<ol>{items}</ol><p>Or open a lesson of your own from the Lessons menu.</p>")
        self.set_note("")
        self.hide_code()
        for button in (self.back, self.reset, self.next):
            button.setEnabled(False)

    def set_note(self, text: str) -> None:
        """Say what the app could not do, or what a missing panel would show ('' hides the note)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def show_code(self, caption: str, code: str) -> None:
        """Show code (or a message in its place) in the code view."""
        self.code_caption.setText(caption)
        if not self.code_box.isVisible():
            self.code_box.show()
            total = max(self.split.height(), 400)
            self.split.setSizes([total * 7 // 20, total * 13 // 20])
        if self.code.toPlainText() != code:
            self.code.setPlainText(code)
            QTimer.singleShot(0, self._show_forward)

    def _show_forward(self) -> None:
        """Scroll to forward(): the lines with the shapes first (what builds the layers is above them)."""
        forward = self.code.document().find("def forward(")
        if not forward.isNull():
            self.code.verticalScrollBar().setValue(max(0, forward.blockNumber() - 1))
            self.code.horizontalScrollBar().setValue(0)

    def hide_code(self) -> None:
        """Hide the code view."""
        self.code_box.hide()

    @property
    def code_shown(self) -> bool:
        """True while the code view is on."""
        return not self.code_box.isHidden()
