"""A 21x21 loss landscape of CIFAR ResNet-20 on a batch of 128: the engine against the naive per-point loop, and
the scaling of the same command from one torchrun process to two.

engine: compute_landscape() from the graph (build, BatchNorm statistics, directions included): total seconds and
seconds to the first coarse picture (its 5x5 grid complete). naive: load_state_dict and a forward pass per point,
with PyTorch's own thread settings, timed on the first --naive-points points (in the same run, between the engine
runs) and given per point and for the whole grid (per point x 441). The losses of those points are compared.
Targets: whole grid < 60 s, coarse picture < 5 s. Wall and CPU seconds are both printed: on a machine shared with
other work the wall time depends on the others.
scaling: `torchrun --nproc-per-node K -m resnet_studio landscape resnet20 ...` for K = 1 and 2, one thread each
(OMP_NUM_THREADS=1), on a --scaling-grid grid; the seconds the landscape took (as the command reports them) and
the wall time of the command (process start included).
Run: .venv/bin/python bench/landscape_bench.py [--repeats 3] [--naive-points 25] [--scaling-grid 11] [--no-scaling]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from engine_timing import ROOT, machine

from resnet_studio.core import preset
from resnet_studio.engine.landscape import LandscapeOptions, LandscapePoint, compute_landscape
from resnet_studio.engine.landscape.batch import procedural_batch
from resnet_studio.engine.landscape.reference import naive_landscape

GRID_TARGET_S, COARSE_TARGET_S = 60.0, 5.0


def engine_run(batch: tuple[torch.Tensor, torch.Tensor], grid: int) -> tuple[float, float, float, np.ndarray]:
    """(wall s, CPU s, wall s to the complete coarse grid, losses) of one landscape."""
    coarse: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()

    def on_point(point: LandscapePoint) -> None:
        if point.level == 0:
            coarse.append(time.perf_counter() - wall)

    landscape = compute_landscape(preset("resnet20"), batch, LandscapeOptions(grid=grid), on_point=on_point)
    assert landscape.ok, landscape.error
    return time.perf_counter() - wall, time.process_time() - cpu, max(coarse), landscape.loss


def naive_run(
    batch: tuple[torch.Tensor, torch.Tensor], grid: int, points: int
) -> tuple[float, float, np.ndarray]:
    """(wall s per point, CPU s per point, losses) of the naive loop over the first `points` points."""
    wall, cpu = time.perf_counter(), time.process_time()
    loss = naive_landscape(preset("resnet20"), batch, LandscapeOptions(grid=grid), limit=points)
    return (time.perf_counter() - wall) / points, (time.process_time() - cpu) / points, loss


def scaling(grid: int, batch: int) -> dict[int, tuple[float, float]]:
    """Processes -> (landscape seconds, command wall seconds) of the torchrun command."""
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in (1, 2):
            out = Path(folder) / f"{count}.json"
            command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(count)]
            command += [
                "-m",
                "resnet_studio",
                "landscape",
                "resnet20",
                "--grid",
                str(grid),
                "--batch",
                str(batch),
            ]
            env = dict(os.environ, OMP_NUM_THREADS="1")
            started = time.perf_counter()
            subprocess.run([*command, "-o", str(out)], cwd=ROOT, env=env, check=True, capture_output=True)
            results[count] = (json.loads(out.read_text())["seconds"], time.perf_counter() - started)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", type=int, default=21)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--naive-points", type=int, default=25)
    parser.add_argument("--scaling-grid", type=int, default=11)
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args()
    batch = procedural_batch(32, args.batch, seed=0)
    points = args.grid**2
    engine: list[tuple[float, float, float]] = []
    naive: list[tuple[float, float]] = []
    for _ in range(args.repeats):
        wall, cpu, coarse, loss = engine_run(batch, args.grid)
        engine.append((wall, cpu, coarse))
        per_wall, per_cpu, reference = naive_run(batch, args.grid, args.naive_points)
        naive.append((per_wall, per_cpu))
    done = ~np.isnan(reference)
    difference = float(np.max(np.abs(loss[done] - reference[done]) / np.abs(reference[done])))
    print(f"Loss landscape of ResNet-20, {args.grid}x{args.grid}, batch {args.batch} ({machine()})")
    print(
        f"medians of {args.repeats} interleaved repeats; naive timed on {args.naive_points} points, x {points}"
    )
    wall, cpu, coarse = (statistics.median(e[i] for e in engine) for i in range(3))
    naive_wall, naive_cpu = (statistics.median(n[i] * points for n in naive) for i in range(2))
    print(f"{'case':8} {'wall s':>8} {'cpu s':>8} {'s/point':>8} {'coarse s':>9} {'naive/this (wall)':>18}")
    print(
        f"{'engine':8} {wall:>8.1f} {cpu:>8.1f} {wall / points:>8.3f} {coarse:>9.2f} {naive_wall / wall:>18.2f}"
    )
    print(
        f"{'naive':8} {naive_wall:>8.1f} {naive_cpu:>8.1f} {naive_wall / points:>8.3f} {'':>9} {1.0:>18.2f}"
    )
    print(f"largest relative difference of the losses from the naive loop's: {difference:.1e}")
    grid_verdict = "PASS" if wall < GRID_TARGET_S else "SLOW"
    coarse_verdict = "PASS" if coarse < COARSE_TARGET_S else "SLOW"
    print(f"{grid_verdict}: whole grid {wall:.1f} s (target < {GRID_TARGET_S:g} s)")
    print(f"{coarse_verdict}: coarse picture {coarse:.2f} s (target < {COARSE_TARGET_S:g} s)")
    if not args.no_scaling:
        timings = scaling(args.scaling_grid, args.batch)
        (one, one_wall), (two, two_wall) = timings[1], timings[2]
        print(f"torchrun, {args.scaling_grid}x{args.scaling_grid}, one thread per process:")
        print(f"  1 process  {one:.1f} s (command {one_wall:.1f} s)")
        print(f"  2 processes {two:.1f} s (command {two_wall:.1f} s): speed-up {one / two:.2f}x")


if __name__ == "__main__":
    main()
