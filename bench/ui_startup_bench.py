"""How long until the main window is on screen, as a ratio to an empty QMainWindow started the same way in the
same run (target: at most 2.5x), and what is imported by then (none of numpy, networkx, pydantic, pyqtgraph,
torch: they load after the first paint).

Each run starts the real app in a fresh process (offscreen by default) with RESNET_STUDIO_STARTUP_PROBE=quit: the
app prints the moment its window is first exposed, its CPU time by then and the packages imported, then quits.
The reference, an empty QMainWindow that prints the same, runs in turns with it. Both run with compiled bytecode
in a cache of their own (as an installed app has: pip compiles at install time), written by warm-up runs.

The CPU time of the process until exposure decides PASS/SLOW: on a shared machine wall time also counts the
time other programs held the cores (both are printed).

    python bench/ui_startup_bench.py [--runs 15] [--platform offscreen|xcb]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import load_average, machine_line, verdict

TARGET_RATIO = 2.5
PROBE = "RESNET_STUDIO_STARTUP_PROBE"
NOT_BEFORE_FIRST_PAINT = ("numpy", "networkx", "pydantic", "pyqtgraph", "torch")

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
            now, cpu = time.time(), time.process_time()
            print(f"resnet-studio: window exposed at {now:.6f} torch={'torch' in sys.modules} cpu={cpu:.6f}", flush=True)
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


def launch(command: list[str], env: dict[str, str]) -> tuple[float, float, set[str]]:
    """(wall seconds to window exposed, CPU seconds of the process by then, packages imported by then)."""
    start = time.time()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    line = next((ln for ln in lines if "window exposed at" in ln), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"{' '.join(command)} failed (status {result.returncode}):\n{result.stderr[-2000:]}")
    fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
    exposed = float(line.split(" at ")[1].split()[0])
    listed = next((ln for ln in lines if "packages at exposure:" in ln), "")
    packages = set(listed.partition("packages at exposure:")[2].strip().split(","))
    if fields.get("torch") == "True":
        packages.add("torch")
    return exposed - start, float(fields["cpu"]), packages


def main() -> int:
    """Measure, print the medians and the verdict; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="launches of each, in turns (default 15)")
    parser.add_argument("--platform", default="offscreen", help="Qt platform plugin (default offscreen)")
    args = parser.parse_args()
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": args.platform,
            PROBE: "quit",
            "RESNET_STUDIO_SETTINGS": str(Path(folder) / "settings.ini"),
            "PYTHONPYCACHEPREFIX": str(Path(folder) / "bytecode"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        empty_command = [sys.executable, "-c", EMPTY_WINDOW]
        for _ in range(2):  # compile the bytecode and warm the file cache
            launch(app_command(), env)
            launch(empty_command, env)
        app_wall, app_cpu, empty_wall, empty_cpu = [], [], [], []
        early: set[str] = set()
        for _ in range(args.runs):
            wall, cpu, packages = launch(app_command(), env)
            app_wall.append(wall)
            app_cpu.append(cpu)
            early |= packages & set(NOT_BEFORE_FIRST_PAINT)
            wall, cpu, _ = launch(empty_command, env)
            empty_wall.append(wall)
            empty_cpu.append(cpu)
    print(f"load average after: {load_average()}")
    med = statistics.median
    cpu_ratio = med(app_cpu) / med(empty_cpu)
    wall_ratio = med(app_wall) / med(empty_wall)
    print(f"platform: {args.platform}, {args.runs} runs each, in turns; medians")
    print(
        f"resnet-studio (ResNet-18): window exposed after {med(app_cpu) * 1000:.0f} ms CPU, "
        f"{med(app_wall) * 1000:.0f} ms wall (min {min(app_wall) * 1000:.0f}, max {max(app_wall) * 1000:.0f})"
    )
    print(
        f"empty QMainWindow (reference): {med(empty_cpu) * 1000:.0f} ms CPU, {med(empty_wall) * 1000:.0f} ms wall"
    )
    word = verdict(cpu_ratio, TARGET_RATIO)
    print(
        f"{word}  app / empty window: {cpu_ratio:.2f} CPU (target <= {TARGET_RATIO}); wall {wall_ratio:.2f}"
    )
    imports_ok = not early
    listed = ", ".join(sorted(early)) or "none"
    print(
        f"{'PASS' if imports_ok else 'SLOW'}  imported before the first paint, of {', '.join(NOT_BEFORE_FIRST_PAINT)}: {listed}"
    )
    return 0 if word == "PASS" and imports_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
