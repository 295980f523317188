"""The window repaints once per turn of the event loop, however many plots and cards changed in it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QGraphicsView

from resnet_studio.ui.main_window import MainWindow

from .conftest import run


class _Repaints(QObject):
    """Counts the window's repaints (the update requests it handles)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.count += 1
        return False


def test_a_selection_that_changes_the_canvas_and_every_plot_repaints_the_window_once(
    qtbot: object, window: MainWindow
) -> None:
    run(qtbot, window)
    ui = window.run_ui
    results = ui.results
    qtbot.waitUntil(lambda: len(results.built()) == len(results.docks))  # type: ignore[attr-defined]
    ui.dock("activations").raise_()
    qtbot.waitUntil(lambda: ui.activations.on_screen)  # type: ignore[attr-defined]
    window.document.set_selection(["layer1.0"])
    qtbot.wait(200)  # type: ignore[attr-defined]  # everything that selection and the run led to is drawn
    repaints = _Repaints()
    window.installEventFilter(repaints)
    window.document.set_selection(
        ["layer3.1"]
    )  # the canvas's ring, a new map grid, channel, colour bar, histogram
    changed = [v for v in ui.activations.findChildren(QGraphicsView) if v.isVisible()]
    assert len(changed) >= 3
    QCoreApplication.sendPostedEvents()  # one turn's worth of posted events: every scene's news for its views
    assert repaints.count <= 1  # each view used to repaint the whole window at once, one after another
    qtbot.waitUntil(lambda: repaints.count >= 1)  # type: ignore[attr-defined]
    window.removeEventFilter(repaints)
