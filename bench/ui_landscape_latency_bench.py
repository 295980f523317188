"""Event-loop latency of the app while the Landscape dock computes, and how soon the coarse picture is drawn.

    QT_QPA_PLATFORM=offscreen python bench/ui_landscape_latency_bench.py [--runs 3] [--preset resnet20]
        [--grid 11] [--batch 32]

A 10 ms timer on the GUI thread records the gap between its ticks while the Landscape dock computes the surfaces
of a network and its plain twin (ResNet-20 and plain-20 by default), their points streaming in and the heatmaps,
contours and maps redrawn live. As a reference in the same run, the same timer over an idle stretch of the same
length just before each computation: what the machine's other load alone costs. Prints per computation the longest
gap, the 99th percentile, the idle reference, the seconds until both coarse 5x5 grids were drawn and until the
whole grids were; then the medians with PASS/SLOW for the longest gap against 100 ms (the target on an idle
machine; the load average is printed beside it) and for the coarse picture against 5 s.
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
from resnet_studio.core.presets import PRESETS, preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.settings_store import SettingsStore

TARGET_MS = 100.0
COARSE_TARGET_S = 5.0
TICK_MS = 10
COARSE_POINTS = 25


def summary(gaps: list[float]) -> tuple[float, float]:
    """(longest, 99th percentile) of the gaps, in ms."""
    p99 = statistics.quantiles(gaps, n=100)[98] if len(gaps) > 100 else max(gaps)
    return max(gaps), p99


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="resnet20")
    parser.add_argument("--grid", type=int, default=11)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="resnet-studio-landscape-latency-"))
    os.environ.setdefault("RESNET_STUDIO_RECOVERY_DIR", str(folder / "recovery"))
    app = QApplication(sys.argv[:1])
    document = Document()
    document.replace(Project(preset(args.preset), RunSettings(), PRESETS[args.preset].title), None)
    window = MainWindow(document, SettingsStore(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)))
    window.resize(1400, 900)
    window.show()
    ui = window.run_ui
    ui.dock("landscape").raise_()
    panel = ui.landscape
    panel.form.fields["grid"].setText(str(args.grid))
    panel.form.fields["batch"].setText(str(args.batch))
    results: list[tuple[float, float, float, float, float]] = []
    gaps: list[float] = []
    last = [time.perf_counter()]
    measuring = [False]
    phase = {"started": 0.0, "coarse": 0.0, "seconds": 10.0}
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
        if not ui.controller.devices_known or not built or panel.job.running:
            QTimer.singleShot(200, prepare)  # torch loaded and every panel built, as after a minute of use
            return
        gaps.clear()
        measuring[0] = True
        QTimer.singleShot(round(phase["seconds"] * 1000), start)

    def start() -> None:
        idle[:] = list(gaps)
        gaps.clear()
        phase["started"], phase["coarse"] = time.perf_counter(), 0.0
        if not panel.compute():
            raise SystemExit(f"the landscapes did not start: {panel.last_problem}")

    def drawn() -> None:
        surfaces = panel.job.surfaces
        coarse = len(surfaces) == 2 and all(s.done >= COARSE_POINTS for s in surfaces)
        if coarse and not phase["coarse"]:
            phase["coarse"] = time.perf_counter() - phase["started"]

    def finished(_outcome: object) -> None:
        QTimer.singleShot(150, settle)  # the last points are drawn in the next turns of the loop

    def settle() -> None:
        measuring[0] = False
        seconds = time.perf_counter() - phase["started"]
        phase["seconds"] = min(seconds, 60.0)
        longest, p99 = summary(gaps)
        idle_longest, _ = summary(idle) if idle else (float("nan"), 0.0)
        results.append((longest, p99, idle_longest, phase["coarse"], seconds))
        print(
            f"landscapes {len(results)}: longest gap {longest:.0f} ms, 99th percentile {p99:.0f} ms; idle "
            f"reference longest gap {idle_longest:.0f} ms; coarse grids drawn after {phase['coarse']:.1f} s, "
            f"all {args.grid}x{args.grid} points after {seconds:.1f} s",
            flush=True,
        )
        if len(results) >= args.runs:
            app.quit()
        else:
            QTimer.singleShot(300, prepare)

    panel.job.surfaces_changed.connect(drawn)
    panel.job.finished.connect(finished)
    ui.controller.probe_devices()
    QTimer.singleShot(500, prepare)
    app.exec()
    ui.shutdown()
    longest = statistics.median(r[0] for r in results)
    p99 = statistics.median(r[1] for r in results)
    reference = statistics.median(r[2] for r in results)
    coarse = statistics.median(r[3] for r in results)
    whole = statistics.median(r[4] for r in results)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    verdict = "PASS" if longest < TARGET_MS else "SLOW"
    coarse_verdict = "PASS" if coarse < COARSE_TARGET_S else "SLOW"
    print(
        f"median longest gap {longest:.0f} ms (idle reference {reference:.0f} ms, ratio {longest / reference:.1f}), "
        f"median 99th percentile {p99:.0f} ms over {len(results)} computations: {verdict} against "
        f"{TARGET_MS:.0f} ms; coarse picture after {coarse:.1f} s ({coarse / whole:.0%} of the {whole:.1f} s for "
        f"the whole grids): {coarse_verdict} against {COARSE_TARGET_S:.0f} s (load average {load:.1f} on "
        f"{os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
