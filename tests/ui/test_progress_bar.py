"""The progress bar draws like Qt's, but a new value waits for the window's next paint instead of painting the
window in the middle of a progress signal."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from resnet_studio.ui.progress_bar import ProgressBar


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_a_new_value_paints_once_on_the_next_pass_of_the_event_loop(qtbot: object) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)  # type: ignore[attr-defined]
    bar = ProgressBar(holder)
    bar.setRange(0, 1000)
    holder.resize(300, 40)
    bar.resize(200, bar.sizeHint().height())
    holder.show()
    qtbot.waitExposed(holder)  # type: ignore[attr-defined]
    counter = PaintCounter()
    bar.installEventFilter(counter)
    for value in range(0, 1001, 50):
        bar.setValue(value)
    assert counter.paints == 0  # QProgressBar would have painted 20 times by now
    qtbot.waitUntil(lambda: counter.paints >= 1)  # type: ignore[attr-defined]
    assert bar.value() == 1000 and bar.text() == "100%"


def test_values_are_clamped_and_the_text_follows_the_format(qtbot: object) -> None:
    bar = ProgressBar()
    bar.setRange(0, 200)
    bar.setValue(50)
    assert bar.text() == "25%"
    bar.setFormat("%v of %m")
    assert bar.text() == "50 of 200"
    bar.setValue(500)
    assert bar.value() == 200
    bar.setValue(-3)
    assert bar.value() == 0
    bar.setRange(10, 20)
    assert bar.value() == 10 and bar.minimum() == 10 and bar.maximum() == 20
    bar.setRange(5, 5)  # an empty range counts as done
    assert bar.text() == "5 of 5" and bar.sizeHint().height() > 0


def test_the_bar_keeps_its_size_when_it_is_first_shown(qtbot: object) -> None:
    """Before it is first shown the bar is sized by its text alone (the first paint needs no QStyle); once
    shown the style sizes it, and with Fusion that is the same size: the status bar does not jump."""
    holder = QWidget()
    qtbot.addWidget(holder)  # type: ignore[attr-defined]
    bar = ProgressBar(holder)
    before = bar.sizeHint()
    assert before.height() == bar.fontMetrics().height() + 4
    holder.show()
    qtbot.waitExposed(holder)  # type: ignore[attr-defined]
    assert bar.sizeHint() == before
