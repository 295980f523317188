"""Speed of the pure-Python analysis, against torchinfo.summary on the same network in the same run.

Targets (issue: core): ResNet-152 at block level < 1 ms, expanded to primitives (~517 layers) < 5 ms,
re-analysis after one parameter edit < 0.5 ms, and >= 300x faster than torchinfo.summary.

    python bench/core_analysis_bench.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from resnet_studio.core import Analyzer, analyze, preset
from resnet_studio.core.catalogue import clear_memo
from resnet_studio.core.expansion import expand_all


def median_ms(fn: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None) -> float:
    """Median wall time of fn() in milliseconds; setup() runs untimed before each call."""
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def edit_ms(graph_name: str, node_id: str, param: str, values: tuple[object, object], repeats: int) -> float:
    """Median time of analyze() right after one parameter edit (values alternate, so both are memoised)."""
    graph = preset(graph_name)
    analyzer = Analyzer(graph)
    analyzer.analyze()
    times = []
    for i in range(repeats):
        graph.set_param(node_id, param, values[i % 2])  # type: ignore[arg-type]
        start = time.perf_counter()
        analyzer.analyze()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    n = args.repeats

    blocks = preset("resnet152")
    expanded = expand_all(blocks)
    rows: list[tuple[str, float, float | None]] = []
    rows.append(
        ("ResNet-152 blocks, cold (memo cleared)", median_ms(lambda: analyze(blocks), n, clear_memo), 1.0)
    )
    rows.append(("ResNet-152 blocks, warm memo", median_ms(lambda: analyze(blocks), n), 1.0))
    rows.append(
        (
            f"ResNet-152 expanded ({len(expanded)} layers), cold",
            median_ms(lambda: analyze(expanded), n, clear_memo),
            5.0,
        )
    )
    rows.append(
        (f"ResNet-152 expanded ({len(expanded)} layers), warm", median_ms(lambda: analyze(expanded), n), 5.0)
    )
    rows.append(
        (
            "edit: skip of layer3.17 (no shape change)",
            edit_ms("resnet152", "layer3.17", "skip", (False, True), n * 4),
            0.5,
        )
    )
    rows.append(
        (
            "edit: stride of layer3.0 (all downstream)",
            edit_ms("resnet152", "layer3.0", "stride", (1, 2), n * 4),
            0.5,
        )
    )
    rows.append(
        (
            "edit: classes of head (last node)",
            edit_ms("resnet152", "head", "num_classes", (10, 1000), n * 4),
            0.5,
        )
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'measurement'.ljust(width)}  median ms  target ms")
    for name, value, target in rows:
        verdict = "" if target is None else ("  ok" if value < target else "  SLOW")
        print(f"{name.ljust(width)}  {value:9.3f}  {target if target else '':>9}{verdict}")
    import torch
    import torchinfo

    import resnet_studio as rs

    model = rs.build(blocks).eval()
    torch.set_num_threads(1)
    reference = median_ms(
        lambda: torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0, device="cpu"), max(3, n // 5)
    )
    ours = rows[0][1]

    print(f"{'torchinfo.summary(ResNet-152), same run'.ljust(width)}  {reference:9.1f}")
    print(f"speed-up over torchinfo (cold block analysis): {reference / ours:,.0f}x (target >= 300x)")


if __name__ == "__main__":
    main()
