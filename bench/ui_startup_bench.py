"""How long until the main window is on screen, from launching `resnet-studio` (target: under 1.5 s).

Each run starts the real app in a fresh process (offscreen by default) with RESNET_STUDIO_STARTUP_PROBE=quit:
the app prints the moment its window is first exposed and whether torch had been imported, then quits. As a
reference measured in the same run, the same is done for an empty QMainWindow, so the ratio says how much
the app adds to Qt's own start-up on this machine.

    python bench/ui_startup_bench.py [--runs 7] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.5
PROBE = "RESNET_STUDIO_STARTUP_PROBE"

EMPTY_WINDOW = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1400, 900)
class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Expose and window.windowHandle().isExposed():
            print(f"resnet-studio: window exposed at {time.time():.6f} torch={'torch' in sys.modules}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
window.winId()
probe = Probe()
window.windowHandle().installEventFilter(probe)
window.show()
app.exec()
"""


def app_command() -> list[str]:
    """The installed `resnet-studio` script, or `python -m resnet_studio`."""
    script = Path(sys.executable).with_name("resnet-studio")
    return [str(script)] if script.exists() else [sys.executable, "-m", "resnet_studio"]


def launch(command: list[str], env: dict[str, str]) -> tuple[float, float, bool]:
    """(seconds to window exposed, seconds until the process ended, torch imported by then)."""
    start = time.time()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    ended = time.time() - start
    line = next((ln for ln in result.stdout.splitlines() if "window exposed at" in ln), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"{' '.join(command)} failed (status {result.returncode}):\n{result.stderr[-2000:]}")
    exposed = float(line.split(" at ")[1].split()[0])
    return exposed - start, ended, "torch=True" in line


def main() -> int:
    """Measure and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="launches per measurement (default 7)")
    parser.add_argument("--platform", default="offscreen", help="Qt platform plugin (default offscreen)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": args.platform,
            PROBE: "quit",
            "RESNET_STUDIO_SETTINGS": str(Path(folder) / "settings.ini"),
        }
        launch(app_command(), env)  # warm the file cache so the first run is not an outlier
        app, empty, torch_seen = [], [], False
        for _ in range(args.runs):
            shown, _ended, torch = launch(app_command(), env)
            app.append(shown)
            torch_seen |= torch
            empty.append(launch([sys.executable, "-c", EMPTY_WINDOW], env)[0])
    app_median, empty_median = statistics.median(app), statistics.median(empty)
    print(f"platform: {args.platform}, {args.runs} runs each")
    print(
        f"resnet-studio (ResNet-18): window exposed after {app_median * 1000:.0f} ms median "
        f"(min {min(app) * 1000:.0f}, max {max(app) * 1000:.0f}); target < {TARGET_SECONDS * 1000:.0f} ms"
    )
    print(f"empty QMainWindow (reference): {empty_median * 1000:.0f} ms median")
    print(f"ratio app / empty window: {app_median / empty_median:.2f}")
    print(f"torch imported before the window was shown: {'yes' if torch_seen else 'no'}")
    ok = app_median < TARGET_SECONDS and not torch_seen
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
