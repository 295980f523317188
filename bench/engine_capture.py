"""Capturing every block's output (statistics + bounded copies, timing, NaN checks) against a plain forward.

run_forward() on a built ResNet-50 with every node captured, against net(x) on the same input, measured in turns
in the same run; the target is at most 1.15x at batch 1 and 8. The 'no capture' column is run_forward capturing
nothing (finite checks and timing only; its own overhead, target at most 1.03x). Both ratios of medians are judged
PASS/SLOW; the machine's CPU model and load average are printed beside them (wall time: torch uses every core). On CUDA an 'eager' column adds run_forward reading
every node back at once (deferred=False): what each node's wait for the GPU costs.
Run: .venv/bin/python bench/engine_capture.py [--device cuda:0] [--batch 1 8] [--repeats 15] [--cpu-time]
(--cpu-time: one torch thread timed by CPU time, for a CPU that other work shares)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
from engine_timing import interleaved, machine, median_ms
from machine import load_average, machine_line, verdict

from resnet_studio.core import preset
from resnet_studio.engine import build, run_forward
from resnet_studio.engine.run.inputs import InputSource, make_input

CAPTURE_TARGET = 1.15
OVERHEAD_TARGET = 1.03


def measure(
    device: torch.device, batch: int, repeats: int, clock: Callable[[], float] = time.perf_counter
) -> dict[str, float]:
    """Medians in ms of each case, and 'fastest': the ratio of the fastest capture run to the fastest plain one."""
    net = build(preset("resnet50")).eval().to(device)
    x = make_input(InputSource("random", seed=0), (3, 224, 224), batch).to(device)
    captured: list[int] = []

    def capture_all(deferred: bool | None = None) -> Callable[[], None]:
        def run() -> None:
            result = run_forward(net, device=str(device), input=x, deferred=deferred)
            assert result.ok, result.error
            captured.append(sum(r.activation is not None for r in result.nodes))

        return run

    cases: dict[str, Callable[[], object]] = {
        "plain": lambda: net(x),
        "capture": capture_all(),
        "no capture": lambda: run_forward(net, device=str(device), input=x, capture_nodes=()),
    }
    if device.type == "cuda":
        cases["eager"] = capture_all(deferred=False)
    with torch.no_grad():
        times = interleaved(cases, device, repeats, clock=clock)
    assert captured and captured[-1] == 18  # stem, 16 blocks, head
    medians = {name: median_ms(samples) for name, samples in times.items()}
    medians["fastest"] = min(times["capture"]) / min(times["plain"])
    return medians


def main() -> int:
    """Measure, print the ratios and PASS/SLOW; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="one torch thread, timed by this process's CPU time (on a CPU shared with other work)",
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    clock = time.perf_counter
    if args.cpu_time and device.type == "cpu":
        torch.set_num_threads(1)
        clock = time.process_time
    eager = device.type == "cuda"
    print(f"machine: {machine_line()}")
    print(f"ResNet-50: run_forward capturing all 18 blocks vs plain forward ({machine()}, {args.device})")
    print(
        f"{'CPU' if clock is time.process_time else 'wall'} time; "
        "medians of interleaved repeats; min ratio: of the fastest runs; last column: run_forward capturing nothing"
        + (" (then eager: every node read back at once)" if eager else "")
    )
    print(
        f"{'batch':>5} {'plain ms':>9} {'capture ms':>11} {'ratio':>6} {'min ratio':>10}  no capture"
        + ("  eager" if eager else "")
    )
    verdicts: list[str] = []
    for batch in args.batch:
        m = measure(device, batch, args.repeats, clock)
        plain = m["plain"]
        capture, overhead = m["capture"] / plain, m["no capture"] / plain
        row = f"{batch:>5} {plain:>9.2f} {m['capture']:>11.2f} {capture:>6.3f} {m['fastest']:>10.3f}  {overhead:>10.3f}"
        print(row + (f"  {m['eager'] / plain:>5.3f}" if eager else ""))
        verdicts.append(
            f"{verdict(capture, CAPTURE_TARGET)}  batch {batch}: capture / plain {capture:.3f} "
            f"(target <= {CAPTURE_TARGET})"
        )
        verdicts.append(
            f"{verdict(overhead, OVERHEAD_TARGET)}  batch {batch}: no capture / plain {overhead:.3f} "
            f"(target <= {OVERHEAD_TARGET})"
        )
    print(f"load average after: {load_average()}")
    print("\n".join(verdicts))
    return 0 if all(line.startswith("PASS") for line in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
