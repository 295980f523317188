"""Qt objects live and die on the GUI thread: no garbage collection ever runs on a worker thread, and runs,
cancels and panel builds back to back never deadlock."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtWidgets import QApplication

from resnet_studio.ui.collector import collector
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.panels.depth import DepthPanel

from .conftest import RUN_TIMEOUT_MS, WindowFactory, run


@pytest.fixture
def collection_threads() -> list[int]:
    """The thread of every garbage collection that starts while the test runs."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(threading.get_ident())

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_the_automatic_collector_is_off_while_a_window_is_open(
    qtbot: object, make_window: WindowFactory
) -> None:
    window = make_window()
    assert collector().active and not gc.isenabled()
    garbage = []
    for _ in range(5_000):  # cycles, so only a collection frees them
        a: list[object] = []
        a.append(a)
        garbage.append(a)
    del garbage, a
    qtbot.waitUntil(lambda: sum(collector().collections) > 0, timeout=5_000)  # type: ignore[attr-defined]
    window.close()
    assert not collector().active and gc.isenabled()


def test_runs_never_collect_garbage_on_a_worker_thread(
    qtbot: object, window: MainWindow, collection_threads: list[int]
) -> None:
    gui = threading.get_ident()
    for _ in range(3):
        assert run(qtbot, window).ok
        for _ in range(20_000):  # garbage with cycles, made while the next run allocates on its thread
            a: list[object] = []
            a.append(a)
    assert collection_threads, "no collection ran at all: the test would prove nothing"
    assert set(collection_threads) == {gui}


@pytest.mark.timeout(240)
def test_runs_cancels_and_panel_builds_back_to_back_finish(qtbot: object, window: MainWindow) -> None:
    controller = window.run_ui.controller
    app = QApplication.instance()
    assert app is not None
    for i in range(12):
        with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS):  # type: ignore[attr-defined]
            assert controller.run()
            # While the worker runs: build and throw away a plot panel (widgets, menus, view boxes).
            panel = DepthPanel(window.document, controller, window.actions.run, window)
            panel.show()
            app.processEvents()
            panel.deleteLater()
            del panel
            if i % 3 == 1:
                controller.cancel()
        qtbot.waitUntil(lambda: not controller.running, timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert controller.current is not None and controller.current.ok
