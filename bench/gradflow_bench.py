"""Gradient-flow comparison of CIFAR ResNet-56 and its plain twin at batch 32 (procedural images), both built.

The engine's compare_gradient_flow() (per-layer and per-block gradient norms, the two networks side by side, one
single-threaded core each) against a naive reference measured in turns in the same run: forward, cross-entropy,
backward and per-layer gradient norms, one network after the other with PyTorch's own thread settings (and, to
show where the gain comes from, the same on one thread). Target: < 3 s. Wall and CPU seconds are both printed:
on a machine shared with other work, the wall time depends on the others.
Run: .venv/bin/python bench/gradflow_bench.py [--repeats 5] [--batch 32]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F
from engine_timing import machine

from resnet_studio.core import preset
from resnet_studio.engine import build
from resnet_studio.engine.assembly import Network
from resnet_studio.engine.gradflow import compare_gradient_flow
from resnet_studio.engine.landscape.batch import procedural_batch
from resnet_studio.engine.threads import operator_threads

TARGET_S = 3.0


def naive(networks: list[Network], images: torch.Tensor, labels: torch.Tensor) -> list[list[float]]:
    """What a first script does: each network in turn, forward, loss, backward, every weight's gradient norm."""
    norms = []
    for net in networks:
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net.train()(images), labels).backward()  # type: ignore[no-untyped-call]
        norms.append([float(p.grad.norm()) for p in net.parameters() if p.grad is not None])
    return norms


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    networks = [build(preset(name), seed=0, inplace=False) for name in ("resnet56", "resnet56_plain")]
    images, labels = procedural_batch(32, args.batch, seed=0)

    def one_thread() -> object:
        with operator_threads(1):
            return naive(networks, images, labels)

    cases: dict[str, Callable[[], object]] = {
        "engine": lambda: compare_gradient_flow(*networks, input=images, labels=labels.tolist()),
        "naive": lambda: naive(networks, images, labels),
        "naive, 1 thread": one_thread,
    }
    for run in cases.values():  # warm-up: first-use costs are not what is compared
        run()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, run in cases.items():
            times[name].append(timed(run))
    print(f"Gradient flow, ResNet-56 and plain-56, batch {args.batch}, models built ({machine()})")
    print(f"medians of {args.repeats} interleaved repeats")
    print(f"{'case':16} {'wall s':>8} {'cpu s':>8} {'naive/this (wall)':>18}")
    reference = statistics.median(w for w, _ in times["naive"])
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{name:16} {wall:>8.2f} {cpu:>8.2f} {reference / wall:>18.2f}")
    engine = statistics.median(w for w, _ in times["engine"])
    verdict = "PASS" if engine < TARGET_S else "SLOW"
    print(f"{verdict}: engine {engine:.2f} s (target < {TARGET_S:g} s)")


if __name__ == "__main__":
    main()
