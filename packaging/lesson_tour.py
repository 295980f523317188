"""Walk a shipped lesson in the app up to a step, wait for what the step started, for screenshots taken outside.

    python packaging/lesson_tour.py LESSON STEP [--platform xcb]

LESSON is a lesson's id (its file name in resources/lessons without .json) and STEP counts from 1. The lesson
is started from the Lessons menu's list and stepped with Next, as a student would; a step that starts a gradient
comparison or a landscape is waited for. Under a virtual X screen, e.g.:

    xshot -w 40 -o docs/screenshots/lessons/gradient-flow.png -- python packaging/lesson_tour.py gradient-flow 2

Prints 'ready: LESSON STEP' once there and keeps the window open until the process is ended.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's package, also when it is not installed
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.core.analysis import RunSettings  # noqa: E402
from resnet_studio.core.lessons import shipped_lessons  # noqa: E402
from resnet_studio.core.presets import PRESETS, preset  # noqa: E402
from resnet_studio.core.project import Project  # noqa: E402
from resnet_studio.ui.document import Document  # noqa: E402
from resnet_studio.ui.main_window import APP_NAME, MainWindow  # noqa: E402
from resnet_studio.ui.settings_store import SettingsStore, default_qsettings  # noqa: E402

SIZE = (1600, 1000)
JOB_PANELS = ("gradients", "landscape")
"""Panels whose job a step may start: the tour waits until it has finished."""


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float, what: str) -> None:
    """Process events until `done()`; exits with a message after `timeout` seconds."""
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit(f"lesson tour: gave up waiting for {what} after {timeout:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    """Reach the step asked for, say so, and keep the window open."""
    lessons = {lesson.id: lesson for lesson in shipped_lessons()}
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson", choices=sorted(lessons))
    parser.add_argument("step", type=int)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "xcb"))
    parser.add_argument(
        "--quit", action="store_true", help="end once there instead of keeping the window open"
    )
    args = parser.parse_args()
    lesson = lessons[args.lesson]
    if not 1 <= args.step <= len(lesson):
        parser.error(f"{args.lesson} has steps 1 to {len(lesson)}")
    os.environ["QT_QPA_PLATFORM"] = args.platform
    folder = tempfile.TemporaryDirectory()
    os.environ["RESNET_STUDIO_SETTINGS"] = str(Path(folder.name) / "settings.ini")
    os.environ["RESNET_STUDIO_RECOVERY_DIR"] = str(Path(folder.name) / "recovery")
    app = QApplication([APP_NAME])
    app.setApplicationName(APP_NAME)
    document = Document()
    document.replace(Project(preset("resnet18"), RunSettings(), PRESETS["resnet18"].title), None)
    window = MainWindow(document, SettingsStore(default_qsettings()))
    document.setParent(window)
    window.set_theme("light", remember=False)
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.windowHandle().isExposed(), 60, "the window")
    window.lessons.start(lesson)
    for _ in range(args.step - 1):
        _wait_for_jobs(app, window)
        window.lessons.next()
    _wait_for_jobs(app, window)
    print(f"ready: {args.lesson} {args.step}", flush=True)
    code = 0 if args.quit else app.exec()
    window.run_ui.shutdown()
    folder.cleanup()
    return code


def _wait_for_jobs(app: QApplication, window: MainWindow) -> None:
    docks = window.run_ui.results
    for key in JOB_PANELS:
        if key not in docks.docks:
            continue
        job = getattr(docks.panel(key), "job", None)
        if job is not None:
            wait_until(app, lambda job=job: not job.running, 900, f"the {key} panel")


if __name__ == "__main__":
    raise SystemExit(main())
