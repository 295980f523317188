"""The window stays responsive during a ResNet-50 pass, and closing it mid-run exits cleanly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from resnet_studio.core.analysis import RunSettings
from resnet_studio.results.run_request import InputChoice
from resnet_studio.ui.main_window import MainWindow

from .conftest import RUN_TIMEOUT_MS, WindowFactory

TICK_MS = 10
GAP_SHARE = 0.25
"""The longest gap may be at most this share of the pass: a pass that held the window would make one gap as
long as itself, however loaded the machine. The 100 ms target on an idle machine is measured by
bench/ui_latency_bench.py, not asserted here (a shared 2-core machine misses any fixed figure now and then)."""
GAP_CEILING_MS = 2000
TRIES = 3
"""A window held by design is held in every pass; a busy shared machine starves the GUI thread in one now and
then. So the best of up to three passes must stay within the bounds."""


@pytest.mark.slow
def test_the_event_loop_keeps_running_during_a_resnet50_run(
    qtbot: object, make_window: WindowFactory
) -> None:
    window = make_window("resnet50", RunSettings())  # batch 1, 3x224x224
    controller = window.run_ui.controller
    # Shortly after start-up the app loads torch on a worker thread (listing the devices) and builds its result
    # panels in idle time; the pass is what is measured here.
    with qtbot.waitSignal(controller.devices_changed, timeout=RUN_TIMEOUT_MS):  # type: ignore[attr-defined]
        controller.probe_devices()
    results = window.run_ui.results
    qtbot.waitUntil(lambda: len(results.built()) == len(results.docks), timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    controller.set_input(InputChoice("sample"))
    tries: list[str] = []
    for _ in range(TRIES):
        longest, elapsed = _longest_gap_during_a_run(qtbot, window)
        tries.append(f"longest gap {longest:.0f} ms in a {elapsed:.0f} ms pass")
        if longest < GAP_SHARE * elapsed and longest < GAP_CEILING_MS:
            break
    else:
        pytest.fail("the window was held in every pass: " + "; ".join(tries))


def _longest_gap_during_a_run(qtbot: object, window: MainWindow) -> tuple[float, float]:
    """Run once with a 10 ms timer ticking; the longest gap between ticks and the pass's length, in ms."""
    controller = window.run_ui.controller
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    started = time.perf_counter()
    with qtbot.waitSignal(controller.finished, timeout=RUN_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        window.actions.run.trigger()
    qtbot.waitUntil(lambda: not controller.running, timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    qtbot.wait(50)  # type: ignore[attr-defined]  # the panels have drawn the result by now
    timer.stop()
    elapsed = time.perf_counter() - started
    assert blocker.args[0].ok
    assert elapsed > 0.3 and len(gaps) > 10  # a real pass, timed by a live event loop
    return max(gaps), elapsed * 1000


def test_closing_the_window_during_a_run_cancels_and_waits(qtbot: object, make_window: WindowFactory) -> None:
    window = make_window("resnet50", RunSettings())
    controller = window.run_ui.controller
    progress: list[str] = []
    controller.progress.connect(lambda _f, node: progress.append(node))
    assert controller.run()
    qtbot.waitUntil(lambda: bool(progress), timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    thread = controller._job.thread if controller._job is not None else None
    started = time.perf_counter()
    assert window.close()
    assert time.perf_counter() - started < 2.0
    assert thread is None or thread.isFinished()


CLOSE_MID_RUN = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.settings_store import SettingsStore

app = QApplication([])
document = Document()
document.replace(Project(preset("resnet50"), RunSettings(), "ResNet-50"), None)
window = MainWindow(document, SettingsStore(QSettings(sys.argv[1], QSettings.Format.IniFormat)))
window.show()
controller = window.run_ui.controller
seen = []
def started(_fraction, _node):
    if not seen:
        seen.append(1)
        QTimer.singleShot(0, window.close)
controller.progress.connect(started)
QTimer.singleShot(0, window.actions.run.trigger)
QTimer.singleShot(60000, lambda: app.exit(3))  # a hang is a failure, not a stuck test
code = app.exec()
print("exited", code, "running", controller.running, flush=True)
sys.exit(code)
"""


@pytest.mark.slow
def test_the_app_exits_cleanly_when_closed_mid_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CLOSE_MID_RUN, str(tmp_path / "settings.ini")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "exited 0" in result.stdout
    assert "QThread" not in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]
