"""Soak: the real app under random edits, runs, cancels and undo/redo for a long time.

    python bench/soak.py --minutes 30            # a real window (under Xvfb: xvfb-run -a python bench/soak.py)
    QT_QPA_PLATFORM=offscreen python bench/soak.py --minutes 2
    python bench/soak.py --minutes 5 --why 50   # also: what the GUI thread was doing in each gap over 50 ms

Reports, and checks against the targets: no crash, no deadlock (a watchdog dumps every thread's stack and exits 3
when the window stops answering for 30 s), resident memory growth after warm-up under 50 MB, and the longest gap
of the event loop (under 100 ms on an idle machine; gaps are measured by a 10 ms timer). Exit status 0 when every
check passes.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from soak_why import GapSampler, TimedApplication

from resnet_studio.core import edits
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.catalogue import Role, role_of
from resnet_studio.core.commands import SetParam
from resnet_studio.core.errors import GraphError
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.results.run_request import InputChoice
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.settings_store import SettingsStore

RSS_GROWTH_LIMIT_MB = 50.0
GAP_LIMIT_MS = 100.0
HANG_S = 30.0
TICK_MS = 10
START_UP_S = 5.0
"""Gaps are counted from this long after the start: start-up (torch loading, first panels) is not measured."""
WARM_UP_S = 60.0
"""Memory is measured from this long after the start (torch, the panels and the first runs have loaded)."""


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Soak:
    """Drives one window with random actions and measures it."""

    def __init__(self, window: MainWindow, minutes: float, seed: int, why: GapSampler | None = None) -> None:
        self.window = window
        self.why = why
        self.document = window.document
        self.controller = window.run_ui.controller
        self.random = random.Random(seed)
        self.deadline = time.monotonic() + minutes * 60
        self.started = time.monotonic()
        self.beat = time.monotonic()
        self.gaps: list[float] = []
        self.cpu_beat = time.thread_time()
        self.cpu_gaps: list[float] = []
        """The GUI thread's own processor time in each gap: what the window did, without the time it waited for
        a processor (other work on a shared machine) or for the display. For comparing versions under load."""
        self.longest = (0.0, 0.0)
        """(seconds after start, ms) of the longest gap: early ones are torch still loading."""
        self.actions: dict[str, int] = {}
        self._done = ""
        """The action the step just took ('' when it took none)."""
        self.baseline: float | None = None
        self.rss: list[float] = []
        self.finished = False
        self.tick = QTimer()
        self.tick.setInterval(TICK_MS)
        self.tick.timeout.connect(self._tick)
        self.step = QTimer()
        self.step.setInterval(150)
        self.step.timeout.connect(self._act)

    def start(self) -> None:
        """Start measuring and acting."""
        self.tick.start()
        self.step.start()
        if self.why is not None:
            self.why.start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _tick(self) -> None:
        now = time.monotonic()
        counted = now - self.started > START_UP_S
        if counted:
            gap = (now - self.beat) * 1000
            self.gaps.append(gap)
            self.cpu_gaps.append((time.thread_time() - self.cpu_beat) * 1000)
            if gap > self.longest[1]:
                self.longest = (now - self.started, gap)
        if self.why is not None:
            self.why.ended((now - self.beat) * 1000, now - self.started, now, counted)
            self.why.beat = now
        self.beat = now
        self.cpu_beat = time.thread_time()
        if self.baseline is None and now - self.started > WARM_UP_S:
            self.baseline = rss_mb()
        if int(now) % 10 == 0 and (not self.rss or now - self.rss[-1] >= 10):
            self.rss.append(rss_mb())
        if now > self.deadline and not self.controller.running:
            self.tick.stop()
            self.step.stop()
            self.finished = True
            self.document.undo_stack.setClean()  # no save prompt on the way out
            QApplication.quit()

    def _watch(self) -> None:
        while not self.finished:
            time.sleep(1.0)
            if time.monotonic() - self.beat > HANG_S:
                print(f"soak: the window has not answered for {HANG_S:.0f} s: deadlock", flush=True)
                faulthandler.dump_traceback(all_threads=True)
                os._exit(3)

    def _count(self, name: str) -> None:
        self.actions[name] = self.actions.get(name, 0) + 1
        self._done = name

    def _act(self) -> None:
        self._done = ""
        started = time.perf_counter()
        try:
            self._act_once()
        finally:
            if self.why is not None and self._done:
                self.why.acted(self._done, (time.perf_counter() - started) * 1000)

    def _act_once(self) -> None:
        r = self.random.random()
        graph = self.document.graph
        try:
            if self.controller.running:
                if r < 0.15:
                    self.controller.cancel()
                    self._count("cancel")
                return
            if r < 0.25:
                if self.controller.run():
                    self._count("run")
            elif r < 0.50:
                blocks = [n for n in graph.nodes if role_of(n.type) is Role.RESIDUAL]
                node = self.random.choice(blocks)
                key = self.random.choice(["skip", "stride", "norm"])
                value: object = {
                    "skip": not node.params.as_bool("skip"),
                    "stride": self.random.choice([1, 2]),
                    "norm": self.random.choice(["batchnorm", "none"]),
                }[key]
                self.document.push(SetParam(node.id, key, value))  # type: ignore[arg-type]
                self._count("edit")
            elif r < 0.60:
                node = self.random.choice([n for n in graph.nodes if role_of(n.type) is Role.RESIDUAL])
                self.document.push(edits.delete_with_reconnect(graph, [node.id]))
                self._count("delete")
            elif r < 0.80:
                self.document.undo_stack.undo()
                self._count("undo")
            elif r < 0.90:
                self.document.undo_stack.redo()
                self._count("redo")
            else:
                ids = [n.id for n in graph.nodes]
                self.document.set_selection([self.random.choice(ids)])
                self._count("select")
        except (GraphError, ValueError, IndexError):
            self._count("refused")

    def report(self) -> bool:
        """Print the figures and PASS/FAIL; True when every check passed."""
        growth = (self.rss[-1] - self.baseline) if self.baseline is not None and self.rss else float("nan")
        worst = max(self.gaps) if self.gaps else float("nan")
        p99 = statistics.quantiles(self.gaps, n=100)[98] if len(self.gaps) > 100 else worst
        minutes = (time.monotonic() - self.started) / 60
        print(f"soak: {minutes:.1f} min, actions {dict(sorted(self.actions.items()))}")
        print(
            f"soak: resident memory {self.rss[0]:.0f} MB at start, {self.baseline or float('nan'):.0f} MB "
            f"after warm-up, {self.rss[-1]:.0f} MB at the end: growth {growth:.1f} MB "
            f"({'PASS' if growth < RSS_GROWTH_LIMIT_MB else 'FAIL'}, limit {RSS_GROWTH_LIMIT_MB:.0f} MB)"
        )
        print(
            f"soak: event loop gaps: {sum(gap > GAP_LIMIT_MS for gap in self.gaps)} of {len(self.gaps):,} over "
            f"{GAP_LIMIT_MS:.0f} ms, longest {worst:.0f} ms ({self.longest[0]:.0f} s after start), 99th "
            f"percentile {p99:.0f} ms ({'PASS' if worst < GAP_LIMIT_MS else 'SLOW'} against "
            f"{GAP_LIMIT_MS:.0f} ms on an idle machine; load average {os.getloadavg()[0]:.1f})"
        )
        cpu = sorted(self.cpu_gaps) or [float("nan")]
        print(
            f"soak: the GUI thread's processor time in those gaps (the same less waiting for a processor or the "
            f"display; compare versions with it on a busy machine): {sum(c > GAP_LIMIT_MS for c in cpu)} over "
            f"{GAP_LIMIT_MS:.0f} ms, {sum(c > GAP_LIMIT_MS / 2 for c in cpu)} over {GAP_LIMIT_MS / 2:.0f} ms, "
            f"longest {cpu[-1]:.0f} ms, 99th percentile {cpu[int(len(cpu) * 0.99)]:.0f} ms"
        )
        if self.why is not None:
            app = QApplication.instance()
            self.why.report(app if isinstance(app, TimedApplication) else None)
        return growth < RSS_GROWTH_LIMIT_MB


def main() -> int:
    """Run the soak and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--preset", default="resnet18")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--why", type=float, metavar="MS", help="sample what the GUI thread does in every gap longer than MS"
    )
    args = parser.parse_args()
    faulthandler.enable()
    app = TimedApplication(sys.argv[:1], args.why) if args.why else QApplication(sys.argv[:1])
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"resnet-studio-soak-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("RESNET_STUDIO_RECOVERY_DIR", str(folder / "recovery"))
    store = SettingsStore(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    document = Document()
    document.replace(Project(preset(args.preset), RunSettings(input_shape=(3, 96, 96))), None)
    window = MainWindow(document, store)
    window.resize(1400, 900)
    window.show()
    window.run_ui.controller.set_input(InputChoice("sample"))
    soak = Soak(window, args.minutes, args.seed, GapSampler(args.why) if args.why else None)
    QTimer.singleShot(1000, soak.start)
    app.exec()
    passed = soak.report()
    if isinstance(app, TimedApplication):
        app.report()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
