"""Regenerate the README's screenshots from the real app: resources/screenshots/*.png.

    python packaging/screenshots.py [--out resources/screenshots] [--platform offscreen|xcb]

Each picture is the main window at 1600x1000 (light theme, default layout, throwaway settings) in one state the
README describes, drawn by Qt itself (offscreen by default; `--platform xcb` under a real or virtual X screen,
e.g. `xvfb-run -a -s "-screen 0 1600x1000x24" python packaging/screenshots.py --platform xcb`):

- activations.png: ResNet-18 after a forward pass on the sample image, layer1.1 selected, its Activations panel;
- error-and-fix.png: ResNet-18 with an identity shortcut on layer2.0 (which changes the shape), the problem and
  its fix in the inspector, the Summary panel below.

With `--docs`, also the states a teacher meets, into docs/screenshots/: first-start.png (ResNet-18 as the app
opens), fit-resnet50.png (ResNet-50 fitted), broken-block.png (the error on the card, the Problems panel),
stale-light.png and stale-dark.png (results after an edit: only what it can change is greyed) and
presentation-mode.png (a run in presentation mode, the Depth panel open).
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
# Importing Qt chooses no platform yet: main() sets QT_QPA_PLATFORM before it creates the QApplication.
from PySide6.QtWidgets import QApplication  # noqa: E402

from resnet_studio.core.analysis import RunSettings  # noqa: E402
from resnet_studio.core.commands import SetParam  # noqa: E402
from resnet_studio.core.presets import PRESETS, preset  # noqa: E402
from resnet_studio.core.project import Project  # noqa: E402
from resnet_studio.results.run_request import InputChoice  # noqa: E402
from resnet_studio.ui.document import Document  # noqa: E402
from resnet_studio.ui.main_window import APP_NAME, MainWindow  # noqa: E402
from resnet_studio.ui.settings_store import SettingsStore, default_qsettings  # noqa: E402

SIZE = (1600, 1000)
RUN_TIMEOUT_S = 300.0


def wait_until(app: object, done: Callable[[], bool], timeout: float, what: str) -> None:
    """Process events until `done()` is true; exits with a message when it takes longer than `timeout`."""
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit(f"screenshots: gave up waiting for {what} after {timeout:.0f} s")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def settle(app: object, seconds: float = 1.0) -> None:
    """Let deferred work (panels built in idle time, repaints) finish."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def main() -> int:
    """Draw every screenshot and print where each went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "screenshots", help="output folder")
    parser.add_argument("--platform", default="offscreen", help="Qt platform plugin (default offscreen)")
    parser.add_argument("--docs", action="store_true", help="also the docs/screenshots states")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = args.platform
    settings_folder = tempfile.TemporaryDirectory()
    os.environ["RESNET_STUDIO_SETTINGS"] = str(Path(settings_folder.name) / "settings.ini")
    os.environ["RESNET_STUDIO_RECOVERY_DIR"] = str(Path(settings_folder.name) / "recovery")

    app = QApplication([APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    args.out.mkdir(parents=True, exist_ok=True)

    def window_on(name: str) -> MainWindow:
        document = Document()
        document.replace(Project(preset(name), RunSettings(), PRESETS[name].title), None)
        window = MainWindow(document, SettingsStore(default_qsettings()))
        document.setParent(window)
        window.set_theme("light", remember=False)
        window.resize(*SIZE)
        window.show()
        wait_until(app, lambda: window.windowHandle().isExposed(), 60, "the window")
        window.show_whole_network()
        settle(app)
        return window

    def save(window: MainWindow, name: str, folder: Path | None = None) -> None:
        settle(app, 1.5)
        target = (folder or args.out) / name
        if not window.grab().save(str(target)):
            raise SystemExit(f"screenshots: could not write {target}")
        print(f"wrote {target}")

    # A forward pass on the sample image, layer1.1's activations.
    window = window_on("resnet18")
    ui = window.run_ui
    ui.controller.set_input(InputChoice("sample"))
    for _ in range(2):  # the second pass shows warm timings (the first one loads torch and its kernels)
        if not ui.controller.run():
            raise SystemExit(f"screenshots: the run did not start: {ui.controller.blocked_reason}")
        wait_until(app, lambda: not ui.controller.running, RUN_TIMEOUT_S, "the forward pass")
    wait_until(app, lambda: ui.thumbnails.result is ui.controller.current, 60, "the canvas thumbnails")
    ui.activations_dock.raise_()
    window.reveal_node("layer1.0")
    window.document.set_selection(("layer1.1",))
    save(window, "activations.png")
    window.run_ui.shutdown()
    window.close()

    # A shortcut that cannot carry the shape: the problem on the card and in the inspector, with its fix.
    window = window_on("resnet18")
    window.document.push(SetParam("layer2.0", "shortcut", "identity"))
    window.summary_dock.raise_()
    window.reveal_node("layer2.0")
    save(window, "error-and-fix.png")
    window.document.undo_stack.setClean()  # closing asks nothing: the edit was only for the picture
    window.close()
    if args.docs:
        docs_states(app, window_on, save)
    settings_folder.cleanup()
    return 0


def docs_states(
    app: QApplication,
    window_on: Callable[[str], MainWindow],
    save: Callable[[MainWindow, str, Path | None], None],
) -> None:
    """The states of the editor a teacher meets, as pictures in docs/screenshots."""
    docs = ROOT / "docs" / "screenshots"
    docs.mkdir(parents=True, exist_ok=True)
    window = window_on("resnet18")
    save(window, "first-start.png", docs)
    window.close()
    window = window_on("resnet50")
    save(window, "fit-resnet50.png", docs)
    window.close()

    window = window_on("resnet18")
    window.document.push(SetParam("layer2.0", "shortcut", "identity"))
    window.problems_dock.raise_()
    window.document.set_selection(("layer2.0",))
    save(window, "broken-block.png", docs)
    window.document.undo_stack.setClean()
    window.close()

    for theme in ("light", "dark"):
        window = window_on("resnet18")
        window.set_theme(theme, remember=False)
        ui = window.run_ui
        ui.controller.set_input(InputChoice("sample"))
        if not ui.controller.run():
            raise SystemExit(f"screenshots: the run did not start: {ui.controller.blocked_reason}")
        wait_until(app, lambda ui=ui: not ui.controller.running, RUN_TIMEOUT_S, "the forward pass")
        window.document.push(SetParam("layer3.0", "skip", False))  # layer3.0 and after go stale, not before
        window.document.set_selection(("layer3.1",))
        ui.activations_dock.raise_()
        save(window, f"stale-{theme}.png", docs)
        window.document.undo_stack.setClean()
        ui.shutdown()
        window.close()

    window = window_on("resnet18")
    ui = window.run_ui
    ui.controller.set_input(InputChoice("sample"))
    ui.controller.run()
    wait_until(app, lambda: not ui.controller.running, RUN_TIMEOUT_S, "the forward pass")
    window.actions.presentation.trigger()
    dock = ui.dock("depth")
    dock.show()
    dock.raise_()
    save(window, "presentation-mode.png", docs)
    window.actions.presentation.trigger()
    ui.shutdown()
    window.close()


if __name__ == "__main__":
    raise SystemExit(main())
