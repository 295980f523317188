"""Training speed and the degradation race, on the machine at hand.

Speed (default): ResNet-20 (CIFAR) on the procedural data set, the engine's `train` against a naive PyTorch loop
of the same model, same batches, measured in turns in the same run; medians and their ratio, and the time 200
steps take (target < 60 s at batch 64). The naive loop is the tutorial one: default SGD (a Python loop over the
parameters on the CPU), `loss.item()` and a second, evaluation-mode forward pass for the accuracy at every step.
`--variants` also times the naive loop with 1 thread and the engine with channels_last on and off and with 1 and
2 CPU threads (the engine's own choice is one thread per idle core: on a loaded machine, threads that wait for a
busy core slow every step down).

Race (`--race`): the default race (plain-20, plain-56, ResNet-56) with the default options, printing the smoothed
losses as it goes, the step from which plain-56 stays clearly behind ResNet-56 (target: within 120 s of start).

Run: .venv/bin/python bench/training_bench.py [--steps 200] [--batch 64] [--repeats 3] [--variants]
     .venv/bin/python bench/training_bench.py --race [--steps N] [--batch B] [--lr X]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resnet_studio.core import preset
from resnet_studio.engine import build
from resnet_studio.engine.datasets import BatchSampler, ImageDataset, procedural_dataset
from resnet_studio.engine.training import (
    GAP_CLEAR_AFTER,
    RACE_OPTIONS,
    CurveUpdate,
    TrainingOptions,
    default_race,
    gap_step,
    race,
    train,
)

TARGET_200_STEPS_S = 60.0
TARGET_GAP_S = 120.0


def naive_loop(data: ImageDataset, options: TrainingOptions) -> float:
    """Seconds for `options.steps` steps of the tutorial loop (building the model not counted), with PyTorch's
    own thread setting unless `options.threads` says otherwise."""
    before = torch.get_num_threads()
    torch.set_num_threads(options.threads or before)
    try:
        return _naive_steps(data, options)
    finally:
        torch.set_num_threads(before)


def _naive_steps(data: ImageDataset, options: TrainingOptions) -> float:
    net = build(preset("resnet20"), data.image_shape, seed=options.seed).train()
    optimizer = torch.optim.SGD(
        net.parameters(), lr=options.lr, momentum=options.momentum, weight_decay=options.weight_decay
    )
    sampler = BatchSampler(len(data), options.batch_size, options.seed)
    losses, accuracies = [], []
    start = time.perf_counter()
    for _ in range(options.steps):
        indices = next(sampler)
        x, y = data.images[indices], data.labels[indices]
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        net.eval()
        with torch.no_grad():
            accuracies.append((net(x).argmax(dim=1) == y).float().mean().item())
        net.train()
    return time.perf_counter() - start


def engine_loop(data: ImageDataset, options: TrainingOptions) -> float:
    """Seconds for the same steps with the engine's train() (building not counted: the race's own clock)."""
    curve = train(preset("resnet20"), data, options)
    assert curve.status == "finished", curve.stop
    return curve.points[-1].wall_seconds


def speed(args: argparse.Namespace) -> None:
    data = procedural_dataset()
    base = TrainingOptions(steps=args.steps, batch_size=args.batch, device=args.device)
    cases = {"naive loop": lambda: naive_loop(data, base), "engine": lambda: engine_loop(data, base)}
    if args.variants:
        one = dataclasses.replace(base, threads=1)
        cases["naive loop, 1 thread"] = lambda: naive_loop(data, one)
        for name, change in (
            ("engine, channels_last", {"channels_last": True}),
            ("engine, contiguous", {"channels_last": False}),
            ("engine, 1 thread", {"threads": 1}),
            ("engine, 2 threads", {"threads": 2}),
        ):
            options = dataclasses.replace(base, **change)  # type: ignore[arg-type]
            cases[name] = lambda options=options: engine_loop(data, options)  # type: ignore[misc]
    print(
        f"ResNet-20 training, {args.steps} steps at batch {args.batch} on {args.device} "
        f"({torch.get_num_threads()} threads by default, {os.cpu_count()} CPUs, load {_load()}; torch {torch.__version__})"
    )
    times: dict[str, list[float]] = {name: [] for name in cases}
    for repeat in range(args.repeats):
        for name, run in cases.items():
            times[name].append(run())
            print(f"  run {repeat + 1}: {name} {times[name][-1]:.2f} s", flush=True)
    naive = statistics.median(times["naive loop"])
    print(f"{'':24} {'median s':>9} {'per step ms':>12} {'200 steps s':>12} {'speed-up':>9}")
    for name, samples in times.items():
        median = statistics.median(samples)
        per_step = median / args.steps
        print(
            f"{name:24} {median:>9.2f} {per_step * 1000:>12.1f} {per_step * 200:>12.1f} {naive / median:>8.2f}x"
        )
    engine = statistics.median(times["engine"]) / args.steps * 200
    verdict = "PASS" if engine < TARGET_200_STEPS_S else "SLOW"
    print(
        f"200 steps with the engine: {engine:.1f} s (target < {TARGET_200_STEPS_S:.0f} s): {verdict}; load now {_load()}"
    )


def race_bench(args: argparse.Namespace) -> None:
    changes = {"device": args.device}
    for field, value in (("steps", args.steps), ("batch_size", args.batch), ("lr", args.lr)):
        if value is not None:
            changes[field] = value
    options = dataclasses.replace(RACE_OPTIONS, **changes)  # type: ignore[arg-type]
    print(f"default race, {options} ({os.cpu_count()} CPUs, load {_load()})")
    networks = default_race()
    labels = list(networks)
    points: dict[str, list] = {label: [] for label in labels}  # type: ignore[type-arg]
    started = time.perf_counter()

    def show(update: CurveUpdate) -> None:
        points[update.label].extend(update.points)
        if update.label == labels[-1] and update.points and update.points[-1].step % 10 == 0:
            step = update.points[-1].step
            losses = "  ".join(
                f"{label} {sum(p.loss for p in points[label][-10:]) / len(points[label][-10:]):.3f}"
                for label in labels
                if points[label]
            )
            print(f"step {step:>4}  {time.perf_counter() - started:>6.1f} s  {losses}", flush=True)

    result = race(networks, None, options, on_update=show)
    behind, ahead = result.curve("plain-56"), result.curve("ResNet-56")
    step = gap_step(behind, ahead)
    for curve in result.curves:
        print(
            f"{curve.label:10} {curve.status:9} final loss {curve.final_loss:.3f}  own time {curve.points[-1].seconds:.1f} s"
        )
    if step is None:
        print(f"plain-56 and ResNet-56 were not clearly apart after {options.steps} steps: SLOW")
        return
    wall = ahead.points[step - 1].wall_seconds
    verdict = "PASS" if wall < TARGET_GAP_S else "SLOW"
    print(
        f"gap clear from step {step} (defaults say about {GAP_CLEAR_AFTER}), {wall:.1f} s after start "
        f"(target < {TARGET_GAP_S:.0f} s): {verdict}; load now {_load()}"
    )


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--race", action="store_true", help="run the default race instead")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.race:
        race_bench(args)
    else:
        args.steps = args.steps or 200
        args.batch = args.batch or 64
        speed(args)


if __name__ == "__main__":
    main()
