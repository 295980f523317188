"""What every benchmark prints about the machine, and how it judges a ratio: PASS or SLOW against its target.

Timings on a shared machine are noisy, so the benchmarks compare against a reference measured in turns in the same
run and judge medians. They time CPU seconds of their own process as well as wall seconds: under load, wall time
also counts the time other programs held the cores, and it stretches a long run more than a short one (a run that
fits in one time slice is rarely interrupted), while the CPU time of single-threaded work does not depend on load.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def cpu_model() -> str:
    """The processor's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, or '?' where the system has none."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine_line() -> str:
    """CPU model, core count, Python and the load average right now, in one line."""
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load_average()}"
    )


def verdict(ratio: float, target: float, *, at_most: bool = True) -> str:
    """'PASS' when the ratio meets the target (at most, or at least), else 'SLOW'."""
    ok = ratio <= target if at_most else ratio >= target
    return "PASS" if ok else "SLOW"


@dataclass
class Timings:
    """CPU and wall seconds of the runs of one measurement."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    def time(self, run: Callable[[], object], setup: Callable[[], object] | None = None) -> None:
        """Run once (after the untimed setup) and record its times."""
        if setup is not None:
            setup()
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)

    def cpu_ms(self) -> float:
        """Median CPU milliseconds."""
        return statistics.median(self.cpu) * 1e3

    def wall_ms(self) -> float:
        """Median wall milliseconds."""
        return statistics.median(self.wall) * 1e3
