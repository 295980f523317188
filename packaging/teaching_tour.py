"""Drive the app through the residual-learning lecture, one state per run, for screenshots taken from outside.

    python packaging/teaching_tour.py opened|compared|no-batchnorm|race [--platform xcb]

Under a virtual X screen with the xshot tool, e.g. (the wait covers the work; the race needs minutes on a laptop):
    xshot -w 40 -o docs/screenshots/gradients-compared.png -- python packaging/teaching_tour.py compared

- opened: ResNet-56 opened from File > New from Preset, the Gradients dock in front;
- compared: Compare Gradients pressed once: ResNet-56 beside its plain twin, plain-56;
- no-batchnorm: PyTorch's default initialisation, compared, then the BatchNorm switch flipped off: the comparison
  runs again and the one with BatchNorm stays dashed;
- race: the default race (plain-20, plain-56, ResNet-56) started from the Race dock, held with Pause ten steps
  after the gap became clear.

Each state prints 'ready: STATE' once reached and keeps the window open until the process is ended.
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
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.core.analysis import RunSettings  # noqa: E402
from resnet_studio.core.presets import PRESETS, preset  # noqa: E402
from resnet_studio.core.project import Project  # noqa: E402
from resnet_studio.ui.document import Document  # noqa: E402
from resnet_studio.ui.main_window import APP_NAME, MainWindow  # noqa: E402
from resnet_studio.ui.settings_store import SettingsStore, default_qsettings  # noqa: E402

SIZE = (1600, 1000)
DOCK_SHARE = 0.5
"""The teaching dock takes this share of the window's height."""
STATES = ("opened", "compared", "no-batchnorm", "race")
AFTER_GAP_STEPS = 10


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float, what: str) -> None:
    """Process events until `done()`; exits with a message after `timeout` seconds."""
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit(f"teaching tour: gave up waiting for {what} after {timeout:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    """Reach the state asked for, say so, and keep the window open."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("state", choices=STATES)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "xcb"))
    parser.add_argument(
        "--quit", action="store_true", help="end once there instead of keeping the window open"
    )
    args = parser.parse_args()
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
    window.files.open_preset("resnet56")  # as File > New from Preset > ResNet-56 (CIFAR) does
    ui = window.run_ui
    key = "race" if args.state == "race" else "gradients"
    dock = ui.dock(key)
    dock.show()
    dock.raise_()
    window.resizeDocks([dock], [round(SIZE[1] * DOCK_SHARE)], Qt.Orientation.Vertical)
    wait_until(app, lambda: not dock.visibleRegion().isEmpty(), 30, "the dock")
    window.show_whole_network()
    if args.state in ("compared", "no-batchnorm"):
        panel = ui.gradients
        if args.state == "no-batchnorm":
            panel.weights.setCurrentIndex(panel.weights.findData("pytorch"))
        panel.compare_button.click()
        wait_until(
            app, lambda: not panel.job.running and panel.job.current is not None, 600, "the comparison"
        )
        if args.state == "no-batchnorm":
            panel.norm.click()  # the switch: one undo step, then the comparison runs again
            wait_until(app, lambda: not panel.job.running and panel.job.previous is not None, 600, "again")
        window.show_whole_network()
    elif args.state == "race":
        race = ui.race
        wait_until(app, lambda: race.data.grid is not None, 120, "the data set")
        race.start_button.click()
        wait_until(
            app,
            lambda: (
                race.gap_at is not None
                and min(c.steps for c in race.job.curves) >= race.gap_at + AFTER_GAP_STEPS
            ),
            1800,
            "the gap",
        )
        race.pause_button.click()
    print(f"ready: {args.state}", flush=True)
    code = 0 if args.quit else app.exec()
    ui.shutdown()
    folder.cleanup()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
