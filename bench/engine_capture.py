"""Capturing every block's output (statistics + bounded copies, timing, NaN checks) against a plain forward.

run_forward() on a built ResNet-50 with every node captured, against net(x) on the same input, measured in turns
in the same run; the target is at most 1.15x at batch 1 and 8. Run: .venv/bin/python bench/engine_capture.py
[--device cuda:0] [--batch 1 8] [--repeats 15]
"""

from __future__ import annotations

import argparse

import torch
from engine_timing import interleaved, machine, median_ms

from resnet_studio.core import preset
from resnet_studio.engine import build, run_forward
from resnet_studio.engine.run.inputs import InputSource, make_input


def measure(device: torch.device, batch: int, repeats: int) -> tuple[float, float, float, float]:
    """(plain, capture every block, run without capture) medians in ms, and the ratio of the fastest runs."""
    net = build(preset("resnet50")).eval().to(device)
    x = make_input(InputSource("random", seed=0), (3, 224, 224), batch).to(device)
    captured: list[int] = []

    def capture_all() -> None:
        result = run_forward(net, device=str(device), batch_size=batch, input=x)
        assert result.ok, result.error
        captured.append(sum(r.activation is not None for r in result.nodes))

    with torch.no_grad():
        times = interleaved(
            {
                "plain": lambda: net(x),
                "capture": capture_all,
                "no capture": lambda: run_forward(
                    net, device=str(device), batch_size=batch, capture_nodes=()
                ),
            },
            device,
            repeats,
        )
    assert captured and captured[-1] == 18  # stem, 16 blocks, head
    fastest = min(times["capture"]) / min(times["plain"])
    return median_ms(times["plain"]), median_ms(times["capture"]), median_ms(times["no capture"]), fastest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"ResNet-50: run_forward capturing all 18 blocks vs plain forward ({machine()}, {args.device})")
    print(
        "medians of interleaved repeats; min ratio: of the fastest runs; last column: run_forward capturing nothing"
    )
    print(
        f"{'batch':>5} {'plain ms':>9} {'capture ms':>11} {'ratio':>6} {'min ratio':>10}  (target <= 1.15)  no capture"
    )
    for batch in args.batch:
        plain, capture, bare, fastest = measure(device, batch, args.repeats)
        row = f"{batch:>5} {plain:>9.2f} {capture:>11.2f} {capture / plain:>6.3f} {fastest:>10.3f}"
        print(f"{row}  {'':16}  {bare / plain:>10.3f}")


if __name__ == "__main__":
    main()
