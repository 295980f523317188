"""CPU threads: work split into independent jobs, one single-threaded job per core.

PyTorch normally splits each operation over every core, and each operation waits for its slowest core. On a
machine shared with other work, the cores are rarely all free at once, and small operations then spend most of
their time waiting: on a shared two-core machine, the gradient flow of ResNet-56 and plain-56, 1 s of work for
one core, took 25 to 42 s with two threads per operation. Jobs that each run on one core do not wait for one
another, so a busy machine slows them down gracefully.
"""

from __future__ import annotations

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
