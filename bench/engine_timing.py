"""Timing helpers shared by the engine benchmarks: interleaved repeats, medians, device sync."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the hand-written torchvision-style reference in tests/engine


def sync(device: torch.device) -> None:
    """Wait for queued device work."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def interleaved(
    cases: dict[str, Callable[[], object]],
    device: torch.device,
    repeats: int,
    warmup: int = 2,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Seconds per call of each case, measured in turns (A B A B ...) so drifts in machine load hit all alike.

    `clock`: wall time by default; time.process_time (with one torch thread) counts only this process's work, which
    other people's load on a shared machine does not stretch."""
    for _ in range(warmup):
        for run in cases.values():
            run()
    sync(device)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, run in cases.items():
            sync(device)
            start = clock()
            run()
            sync(device)
            times[name].append(clock() - start)
    return times


def median_ms(samples: list[float]) -> float:
    """Median in milliseconds."""
    return statistics.median(samples) * 1000


def machine() -> str:
    """What ran the benchmark, in one line."""
    cpu = f"{torch.get_num_threads()} CPU threads"
    if torch.cuda.is_available():
        return f"{cpu}, {torch.cuda.get_device_name(0)}; torch {torch.__version__}"
    return f"{cpu}; torch {torch.__version__}"
