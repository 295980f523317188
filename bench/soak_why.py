"""What the GUI thread does in the soak's long event-loop gaps (`bench/soak.py --why MS`): its Python stack sampled
while the loop is late, the events Qt took long to deliver (including C++ painting with no Python frame), and the
garbage collections on the GUI thread."""

from __future__ import annotations

import collections
import gc
import statistics
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

SLOW_COLLECTION_MS = 20.0
"""Collections longer than this are listed with the time they ended."""
SAMPLE_S = 0.005
"""How often the GUI thread's stack is looked at while the event loop is late."""


class GapSampler:
    """Samples the GUI thread's Python stack while the event loop is late, and times collections: what each long
    gap was spent on (the innermost frames of this project, or the garbage collector)."""

    def __init__(self, late_ms: float) -> None:
        self.late_s = late_ms / 1000
        self.gui = threading.get_ident()
        self.created = time.monotonic()
        self.beat = time.monotonic()
        self.stacks: collections.Counter[str] = collections.Counter()
        self.gap: collections.Counter[str] = collections.Counter()
        """The samples of the gap going on now."""
        self.gaps: list[tuple[float, float, float, collections.Counter[str]]] = []
        """(ms, seconds after start, when it ended, samples) of every late gap."""
        self.collections: list[tuple[int, float]] = []
        self.slow_collections: list[tuple[int, float, float]] = []
        """(generation, ms, when it ended) of every collection over 20 ms."""
        self.actions: list[tuple[float, str, float]] = []
        """(when it ended, name, ms) of every action the soak took."""
        self._gc_started = 0.0
        self.running = True
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != self.gui:
            return
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._gc_started) * 1000
            self.collections.append((info["generation"], ms))
            if ms > SLOW_COLLECTION_MS:
                self.slow_collections.append((info["generation"], ms, time.monotonic()))

    def acted(self, name: str, ms: float) -> None:
        """The soak took an action (an edit, a run, ...) that held the GUI thread for `ms`."""
        self.actions.append((time.monotonic(), name, ms))

    def start(self) -> None:
        """Start sampling on a thread of its own."""
        threading.Thread(target=self._sample, daemon=True).start()

    def ended(self, ms: float, after_s: float, now: float, counted: bool = True) -> None:
        """The event loop ticked after a gap of `ms`: keep its samples if it was late (and the soak counts it:
        not during start-up)."""
        if counted and ms >= self.late_s * 1000:
            self.gaps.append((ms, after_s, now, self.gap))
        self.gap = collections.Counter()

    def _sample(self) -> None:
        while self.running:
            time.sleep(SAMPLE_S)
            if time.monotonic() - self.beat < self.late_s:
                continue
            frame = sys._current_frames().get(self.gui)
            names: list[str] = []
            while frame is not None and len(names) < 40:
                code = frame.f_code
                names.append(f"{Path(code.co_filename).stem}.{code.co_name}:{frame.f_lineno}")
                frame = frame.f_back
            ours = [n for n in names if not n.startswith(("threading.", "soak.", "<frozen", "runpy."))][:6]
            where = " < ".join(ours) or "(outside Python: Qt)"
            self.stacks[where] += 1
            self.gap[where] += 1

    def report(self, events: TimedApplication | None) -> None:
        """Print where the late samples were, the longest gaps one by one, and the collections."""
        self.running = False
        total = sum(self.stacks.values())
        print(f"soak: {total} samples ({SAMPLE_S * 1000:.0f} ms apart) while the event loop was late; where:")
        for stack, count in self.stacks.most_common(12):
            print(f"  {count:5d} ({count * SAMPLE_S * 1000:6.0f} ms)  {stack}")
        print("soak: the longest gaps:")
        for ms, after_s, ended, samples in sorted(self.gaps, key=lambda gap: -gap[0])[:8]:
            print(f"  {ms:5.0f} ms, {after_s:6.1f} s after start")
            for stack, count in samples.most_common(2):
                print(f"      {count:3d} samples  {stack}")
            for when, name, action_ms in self.actions:
                if ended - ms / 1000 <= when <= ended + 0.001:
                    print(f"      action {action_ms:4.0f} ms  {name}")
            for label, event_ms in events.during(ended - ms / 1000, ended) if events is not None else ():
                print(f"      event {event_ms:5.0f} ms  {label}")
        in_gaps: collections.Counter[str] = collections.Counter()
        for ms, _after_s, ended, _samples in self.gaps:
            names = {name for when, name, _ms in self.actions if ended - ms / 1000 <= when <= ended + 0.001}
            in_gaps.update(names or {"(no action)"})
        print(
            f"soak: the actions taken in the {len(self.gaps)} gaps over {self.late_s * 1000:.0f} ms: {dict(in_gaps)}"
        )
        print("soak: the actions themselves (the step that took them, before the work they queue):")
        by_name: dict[str, list[float]] = collections.defaultdict(list)
        for _when, name, action_ms in self.actions:
            by_name[name].append(action_ms)
        for name, times in sorted(by_name.items()):
            print(
                f"  {name:8s} {len(times):5d} x, median {statistics.median(times):5.1f} ms, longest "
                f"{max(times):5.1f} ms"
            )
        for generation in range(3):
            times = sorted(ms for g, ms in self.collections if g == generation)
            if times:
                print(
                    f"soak: {len(times)} collections of generation {generation} on the GUI thread: median "
                    f"{statistics.median(times):.1f} ms, longest {times[-1]:.1f} ms"
                )
        for generation, ms, ended in self.slow_collections:
            print(f"  generation {generation}: {ms:.0f} ms, {ended - self.created:.1f} s after start")


class TimedApplication(QApplication):
    """A QApplication that times the events it delivers: which receiver and event took the long gaps, including
    the work Qt does in C++ with no Python frame to sample."""

    def __init__(self, args: list[str], late_ms: float) -> None:
        super().__init__(args)
        self.late_ms = late_ms
        self.depth = 0
        self.slow: dict[tuple[int, str], list[float]] = collections.defaultdict(list)
        self.log: list[tuple[float, str, float]] = []
        """(when it ended, label, ms) of every slow delivery from the event loop itself."""

    def notify(self, receiver: object, event: object) -> bool:  # type: ignore[override]
        """Deliver as Qt does, timing it."""
        self.depth += 1
        started = time.perf_counter()
        try:
            return super().notify(receiver, event)  # type: ignore[arg-type]
        finally:
            self.depth -= 1
            ms = (time.perf_counter() - started) * 1000
            if ms > self.late_ms / 4 and self.depth < 4:
                label = self._label(receiver, event)
                self.slow[(self.depth, label)].append(ms)
                if self.depth == 0:
                    self.log.append((time.monotonic(), label, ms))

    @staticmethod
    def _label(receiver: object, event: object) -> str:
        kind = event.type().name if isinstance(event, QEvent) else "?"
        if not isinstance(receiver, QObject):
            return f"{type(receiver).__name__} {kind}"
        try:
            name, parent = receiver.objectName(), receiver.parent()
        except RuntimeError:  # deleted while the event was delivered
            return f"(deleted) {kind}"
        if not name and parent is not None:  # a viewport: say whose
            name = f"in {type(parent).__name__}"
        return f"{type(receiver).__name__}{'(' + name + ')' if name else ''} {kind}"

    def during(self, start: float, end: float) -> list[tuple[str, float]]:
        """The slow deliveries from the event loop that ended between start and end (monotonic seconds)."""
        return [(label, ms) for when, label, ms in self.log if start <= when <= end + 0.001]

    def report(self) -> None:
        """The slowest deliveries by total time, at the outer levels."""
        print(
            f"soak: events that took over {self.late_ms / 4:.0f} ms to deliver (level 0: from the event loop):"
        )
        ranked = sorted(self.slow.items(), key=lambda item: -sum(item[1]))[:15]
        for (depth, label), times in ranked:
            print(
                f"  level {depth}: {len(times):4d} x, {sum(times):7.0f} ms in all, longest {max(times):5.0f} ms  "
                f"{label}"
            )
