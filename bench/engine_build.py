"""Building ResNet-152 from its graph: structure (blocks from their plans) plus seeded torchvision initialisation.

Target: under 0.3 s. Also shown: the structure alone (meta device) and constructing the hand-written
torchvision-style ResNet-152 in the same run, for reference. Run: .venv/bin/python bench/engine_build.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from engine_timing import machine

from resnet_studio.core import preset
from resnet_studio.engine import build
from tests.engine.reference_resnet import reference


def timed(run: object, repeats: int) -> float:
    """Median seconds of `repeats` calls (after one warm-up)."""
    run()  # type: ignore[operator]
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    graph = preset("resnet152")
    full = timed(lambda: build(graph, device=args.device), args.repeats)
    snapshot = graph.snapshot()
    from_snapshot = timed(lambda: build(snapshot, device=args.device), args.repeats)
    structure = timed(lambda: build(graph, device="meta"), args.repeats)
    with torch.device(args.device):
        torchvision_style = timed(lambda: reference("resnet152"), max(3, args.repeats // 2))
    print(f"Building ResNet-152 (60.2 M parameters) on {args.device} ({machine()})")
    print(f"  build(graph)                 {full * 1000:8.1f} ms   (target < 300 ms)")
    print(f"  build(snapshot)              {from_snapshot * 1000:8.1f} ms")
    print(f"  structure only (meta)        {structure * 1000:8.1f} ms")
    print(f"  torchvision-style __init__   {torchvision_style * 1000:8.1f} ms   (reference, same run)")


if __name__ == "__main__":
    main()
