"""Drive the app through the residual-learning lecture, one state per run, for screenshots taken from outside.

    python packaging/teaching_tour.py opened|compared|no-batchnorm|race|landscape [--platform xcb] [--coarse PNG]

Under a virtual X screen with the xshot tool, e.g. (the wait covers the work; the race needs minutes on a laptop):
    xshot -w 40 -o docs/screenshots/gradients-compared.png -- python packaging/teaching_tour.py compared

- opened: ResNet-56 opened from File > New from Preset, the Gradients dock in front;
- compared: Compare Gradients pressed once: ResNet-56 beside its plain twin, plain-56;
- no-batchnorm: PyTorch's default initialisation, compared, then the BatchNorm switch flipped off: the comparison
  runs again and the one with BatchNorm stays dashed;
- race: the default race (plain-20, plain-56, ResNet-56) started from the Race dock, held with Pause ten steps
  after the gap became clear;
- landscape: ResNet-56 and plain-56 trained side by side in the Race dock (200 steps, batch 64, learning rate
  0.05), then Compute Landscapes in the Landscape dock with the weights from the race: both surfaces on one
  colour scale with their non-convexity maps. `--coarse PNG` saves the window as soon as both coarse 5x5 grids
  are in, before they refine.

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
LANDSCAPE_DOCK_SHARE = 0.62
"""The Landscape dock gets more: two surfaces and their maps side by side."""
STATES = ("opened", "compared", "no-batchnorm", "race", "landscape")
LANDSCAPE_RACE = {"steps": "200", "batch_size": "64", "lr": "0.05"}
"""The training before the landscapes: long enough for plain-56's surface to turn rugged."""
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
    parser.add_argument("--coarse", type=Path, help="landscape: save the window when the coarse grids are in")
    parser.add_argument(
        "--views", type=Path, metavar="PREFIX", help="landscape: also save PREFIX-curve.png and PREFIX-3d.png"
    )
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
    key = {"race": "race", "landscape": "landscape"}.get(args.state, "gradients")
    dock = ui.dock(key)
    dock.show()
    dock.raise_()
    share = LANDSCAPE_DOCK_SHARE if args.state == "landscape" else DOCK_SHARE
    window.resizeDocks([dock], [round(SIZE[1] * share)], Qt.Orientation.Vertical)
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
    elif args.state == "landscape":
        landscapes(app, window, args.coarse, args.views)
    print(f"ready: {args.state}", flush=True)
    code = 0 if args.quit else app.exec()
    ui.shutdown()
    folder.cleanup()
    return code


def landscapes(app: QApplication, window: MainWindow, coarse: Path | None, views: Path | None) -> None:
    """Train ResNet-56 and plain-56 in the Race dock, then compute their landscapes with the weights reached."""
    ui = window.run_ui
    race = ui.race
    ui.dock("race").raise_()
    wait_until(app, lambda: race.data.grid is not None, 120, "the data set")
    graph = window.document.graph
    from resnet_studio.core.presets import plain_twin

    race.form.set_networks([("ResNet-56", graph.snapshot()), ("plain-56", plain_twin(graph).snapshot())])
    for key, text in LANDSCAPE_RACE.items():
        race.form.fields[key].setText(text)
    race.start_button.click()
    wait_until(app, lambda: not race.job.running and race.job.result is not None, 3600, "the race")
    dock = ui.dock("landscape")
    dock.raise_()
    panel = ui.landscape
    wait_until(app, lambda: panel.form.weights_choice == "race", 10, "the race's weights")
    panel.compute_button.click()
    started = time.monotonic()
    wait_until(
        app,
        lambda: all(s.done >= 25 for s in panel.job.surfaces[:2]) and len(panel.job.surfaces) == 2,
        600,
        "the coarse grids",
    )
    print(f"coarse grids in {time.monotonic() - started:.1f} s after Compute", flush=True)
    if coarse is not None:
        panel.bring_up_to_date()
        app.processEvents()
        shot(app, coarse)
    wait_until(app, lambda: not panel.job.running, 1800, "the landscapes")
    print(f"landscapes complete {time.monotonic() - started:.1f} s after Compute", flush=True)
    window.show_whole_network()
    if views is not None:
        for index, name in ((1, "curve"), (2, "3d")):
            panel.view.setCurrentIndex(index)
            settle(app, 1.5)
            if panel.view.currentIndex() == index:
                shot(app, Path(f"{views}-{name}.png"))
            else:
                print(f"no {name} view: {panel.gl_note.text()}", flush=True)
        panel.view.setCurrentIndex(0)
        settle(app, 0.5)


def shot(app: QApplication, path: Path) -> None:
    """Save the screen as it is shown (an OpenGL view included), as a screenshot taken from outside would."""
    app.primaryScreen().grabWindow(0).save(str(path))


def settle(app: QApplication, seconds: float) -> None:
    """Process events for a while (a view is drawn)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    raise SystemExit(main())
