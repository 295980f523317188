"""CPU threads: work split into independent jobs, one single-threaded job per core.

PyTorch normally splits each operation over every core, and each operation waits for its slowest core. On a
machine shared with other work, the cores are rarely all free at once, and small operations then spend most of
their time waiting: on a shared two-core machine, the gradient flow of ResNet-56 and plain-56, 1 s of work for
one core, took 25 to 42 s with two threads per operation. Jobs that each run on one core do not wait for one
another, so a busy machine slows them down gracefully.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import torch

T = TypeVar("T")


@contextmanager
def operator_threads(count: int | None) -> Iterator[None]:
    """PyTorch's CPU threads per operation set to `count` for the duration (None: unchanged). The setting is the
    process's: other work running meanwhile uses it too."""
    if count is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def side_by_side(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """Run the jobs at the same time, one worker thread each with single-threaded PyTorch operations (kernels
    release the interpreter lock); the results in order."""
    if len(jobs) <= 1:
        return [job() for job in jobs]
    with operator_threads(1), ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [future.result() for future in futures]


def idle_cores(most: int, window: float = 0.1) -> int:
    """CPU threads worth using now: the cores this process may run on less what other programs keep busy on
    them, at least 1 and at most `most`.

    On Linux the other programs' use is measured over `window` seconds (/proc/stat, less this process's own CPU
    time). The one-minute load average, used where that cannot be read, also counts this process's own recent
    work: after a minute of training on both cores of an idle machine it says one is busy."""
    cores = _usable_cpus()
    busy = others_busy(cores, window)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except (AttributeError, OSError):
            return max(1, min(most, len(cores)))
    return max(1, min(most, round(len(cores) - busy)))


def others_busy(cpus: Sequence[int], window: float) -> float | None:
    """How many of these CPUs other programs kept busy over the next `window` seconds, or None where the
    kernel's counters cannot be read."""
    first = _cpu_seconds(cpus)
    if first is None:
        return None
    time.sleep(window)
    second = _cpu_seconds(cpus)
    if second is None or second[0] <= first[0]:
        return None
    wall, busy, own = (b - a for a, b in zip(first, second, strict=True))
    return max(0.0, busy - own) / wall


def _usable_cpus() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return list(range(os.cpu_count() or 1))


def _cpu_seconds(cpus: Sequence[int]) -> tuple[float, float, float] | None:
    """(the monotonic clock, seconds these CPUs were busy, seconds this process ran) now; None without
    /proc/stat."""
    wanted = {f"cpu{n}".encode() for n in cpus}
    busy = 0
    try:
        with open("/proc/stat", "rb") as stat:
            for line in stat:
                fields = line.split()
                if fields and fields[0] in wanted:
                    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait
                    ticks = [int(v) for v in fields[1:9]]
                    busy += sum(ticks) - ticks[3] - ticks[4]
                    wanted.discard(fields[0])
    except (OSError, ValueError, IndexError):
        return None
    if wanted:  # a CPU of ours that the file does not list: the figures would not add up
        return None
    own = os.times()
    return time.monotonic(), busy / _TICKS_PER_SECOND, own.user + own.system


_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
