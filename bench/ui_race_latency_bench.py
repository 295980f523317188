"""Event-loop latency of the app while the Race dock trains: the longest time the window could not answer.

    QT_QPA_PLATFORM=offscreen python bench/ui_race_latency_bench.py [--runs 3] [--steps 30] [--default-race]

A 10 ms timer on the GUI thread records the gap between its ticks while a race runs from the Race panel (ResNet-20
against plain-20 by default, the lecture's plain-20, plain-56 and ResNet-56 with --default-race), its curves
streaming in and redrawn live. As a reference in the same run, the same timer over an idle stretch of the same
length just before each race: what the machine's other load alone costs. Prints per race the longest gap, the
99th percentile and the idle reference, then the medians with PASS/SLOW for the longest gap against 100 ms (the
target on an idle machine; the load average is printed beside it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.settings_store import SettingsStore

TARGET_MS = 100.0
TICK_MS = 10


def summary(gaps: list[float]) -> tuple[float, float]:
    """(longest, 99th percentile) of the gaps, in ms."""
    p99 = statistics.quantiles(gaps, n=100)[98] if len(gaps) > 100 else max(gaps)
    return max(gaps), p99


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--default-race", action="store_true", help="plain-20, plain-56 and ResNet-56")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="resnet-studio-race-latency-"))
    os.environ.setdefault("RESNET_STUDIO_RECOVERY_DIR", str(folder / "recovery"))
    app = QApplication(sys.argv[:1])
    document = Document()
    document.replace(Project(preset("resnet20"), RunSettings()), None)
    window = MainWindow(document, SettingsStore(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)))
    window.resize(1400, 900)
    window.show()
    ui = window.run_ui
    ui.dock("race").raise_()
    panel = ui.race
    if not args.default_race:
        panel.form.set_networks(
            [("ResNet-20", preset("resnet20").snapshot()), ("plain-20", preset("resnet20_plain").snapshot())]
        )
    panel.form.fields["steps"].setText(str(args.steps))
    results: list[tuple[float, float, float, float]] = []
    gaps: list[float] = []
    last = [time.perf_counter()]
    measuring = [False]
    phase = {"idle_started": 0.0, "race_seconds": 10.0}
    idle: list[float] = []

    def tick() -> None:
        now = time.perf_counter()
        if measuring[0]:
            gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()

    def prepare() -> None:
        built = len(ui.results.built()) == len(ui.results.docks)
        if not ui.controller.devices_known or not built or panel.data.grid is None or panel.job.running:
            QTimer.singleShot(200, prepare)  # torch loaded, every panel built, the data set's sample shown
            return
        gaps.clear()
        measuring[0] = True
        phase["idle_started"] = time.perf_counter()
        QTimer.singleShot(round(phase["race_seconds"] * 1000), start_race)

    def start_race() -> None:
        idle[:] = list(gaps)
        gaps.clear()
        phase["race_started"] = time.perf_counter()
        if not panel.start():
            raise SystemExit(f"the race did not start: {panel.form.problem.text()}")

    def finished(_result: object) -> None:
        QTimer.singleShot(150, settle)  # the last curves are drawn in the next turns of the loop

    def settle() -> None:
        measuring[0] = False
        seconds = time.perf_counter() - phase["race_started"]
        phase["race_seconds"] = min(seconds, 60.0)
        longest, p99 = summary(gaps)
        idle_longest, _ = summary(idle) if idle else (float("nan"), 0.0)
        results.append((longest, p99, idle_longest, seconds))
        print(
            f"race {len(results)}: longest gap {longest:.0f} ms, 99th percentile {p99:.0f} ms over {seconds:.0f} s "
            f"of training; idle reference longest gap {idle_longest:.0f} ms",
            flush=True,
        )
        if len(results) >= args.runs:
            app.quit()
        else:
            QTimer.singleShot(300, prepare)

    panel.job.finished.connect(finished)
    ui.controller.probe_devices()
    QTimer.singleShot(500, prepare)
    app.exec()
    ui.shutdown()
    longest = statistics.median(r[0] for r in results)
    p99 = statistics.median(r[1] for r in results)
    reference = statistics.median(r[2] for r in results)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    verdict = "PASS" if longest < TARGET_MS else "SLOW"
    print(
        f"median longest gap {longest:.0f} ms (idle reference {reference:.0f} ms, ratio {longest / reference:.1f}), "
        f"median 99th percentile {p99:.0f} ms over {len(results)} races: {verdict} against {TARGET_MS:.0f} ms "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
