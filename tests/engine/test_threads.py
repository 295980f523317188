"""How many CPU threads the engine takes: the cores that other programs leave free, not fewer because this
process itself has just been busy."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from resnet_studio.engine import threads


def readings(*values: tuple[float, float, float] | None) -> Iterator[tuple[float, float, float] | None]:
    yield from values


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_usable_cpus", lambda: [0, 1])
    monkeypatch.setattr(threads.time, "sleep", lambda seconds: None)


def fake_counters(monkeypatch: pytest.MonkeyPatch, *values: tuple[float, float, float] | None) -> None:
    found = readings(*values)
    monkeypatch.setattr(threads, "_cpu_seconds", lambda cpus: next(found))


def test_this_process_s_own_work_leaves_the_cores_to_it(
    monkeypatch: pytest.MonkeyPatch, two_cores: None
) -> None:
    # The load average still remembers a minute of our own training on both cores.
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.5, 1.0))
    # Over 0.1 s both CPUs were busy for 0.2 s, all of it this process's own work.
    fake_counters(monkeypatch, (10.0, 50.0, 30.0), (10.1, 50.2, 30.2))
    assert threads.idle_cores(2) == 2


def test_a_core_busy_with_other_work_is_left_to_it(monkeypatch: pytest.MonkeyPatch, two_cores: None) -> None:
    fake_counters(monkeypatch, (10.0, 50.0, 30.0), (10.1, 50.1, 30.0))  # someone else: one core for 0.1 s
    assert threads.idle_cores(2) == 1
    fake_counters(monkeypatch, (10.0, 50.0, 30.0), (10.1, 50.2, 30.0))  # both: one thread all the same
    assert threads.idle_cores(2) == 1
    fake_counters(monkeypatch, (10.0, 50.0, 30.0), (10.1, 50.0, 30.0))
    assert threads.idle_cores(1) == 1  # never more than asked


def test_without_the_kernel_s_counters_the_load_average_decides(
    monkeypatch: pytest.MonkeyPatch, two_cores: None
) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    fake_counters(monkeypatch, None)
    assert threads.idle_cores(2) == 1
    fake_counters(monkeypatch, (10.0, 50.0, 30.0), None)  # the file went away in between
    assert threads.idle_cores(2) == 1

    def no_load_average() -> tuple[float, float, float]:
        raise OSError("not here")

    monkeypatch.setattr(os, "getloadavg", no_load_average)
    fake_counters(monkeypatch, None)
    assert threads.idle_cores(2) == 2


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="reads Linux's /proc/stat")
def test_the_real_counters_count_this_process_s_work_as_its_own() -> None:
    cpus = threads._usable_cpus()
    first = threads._cpu_seconds(cpus)
    assert first is not None
    stop = time.monotonic() + 0.3
    spin = threading.Thread(target=lambda: [None for _ in iter(lambda: time.monotonic() > stop, True)])
    spin.start()
    spin.join()
    second = threads._cpu_seconds(cpus)
    assert second is not None
    wall, busy, own = (b - a for a, b in zip(first, second, strict=True))
    assert wall >= 0.3 and own >= 0.1  # the spin was counted as ours
    assert busy >= own - 0.05  # and as busy CPU time (both in ticks of 1/100 s or finer)
    assert 0.0 <= threads.others_busy(cpus, 0.05) <= len(cpus)  # type: ignore[operator]
