"""Speed of the pure-Python analysis, as ratios against references measured in turns in the same run.

Targets (so they hold on any machine):
- the cold analysis of ResNet-152 at block level (rule memo cleared, a fresh analyzer) is at least 1000x faster
  than torchinfo.summary of the built ResNet-152 (one thread, as a shared machine gives it);
- the cold analysis of ResNet-152 expanded to its 517 layers takes at most 3x the cold block analysis;
- re-analysis after any single edit takes at most 0.2x the cold block analysis: the skip of layer3.17 (no shape
  changes), the stride of layer3.0 (every shape downstream changes) and the classes of the head (the last node).
  Each edit toggles between two values, so both states are in the rule memo, as when a user flips a setting to
  compare; the figures are the cost of the incremental re-analysis itself. The stride edit is also measured the
  first time (the memo holds only the state before it, so the blocks downstream meet their new shapes).

Each round runs torchinfo once, then every measurement of ours `--repeats` times in turns; medians over all
rounds. CPU time of this process decides PASS/SLOW (wall time under other people's load also counts their work);
wall times are printed beside it.

    python bench/core_analysis_bench.py [--rounds 15] [--repeats 20]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import Timings, machine_line, verdict

from resnet_studio.core import Analyzer, analyze, preset
from resnet_studio.core.catalogue import clear_memo
from resnet_studio.core.expansion import expand_all

TORCHINFO_SPEEDUP = 1000.0
EXPANDED_RATIO = 3.0
EDIT_RATIO = 0.2
EDITS = {
    "edit: skip of layer3.17 (no shape change)": ("layer3.17", "skip", (False, True)),
    "edit: stride of layer3.0 (all downstream)": ("layer3.0", "stride", (1, 2)),
    "edit: classes of head (last node)": ("head", "num_classes", (10, 1000)),
}


def edit_runner(
    node_id: str, param: str, values: tuple[object, object]
) -> tuple[Callable[[], object], Callable[[], object]]:
    """(setup, run): setup edits a ResNet-152 (alternating the values), run re-analyses it."""
    graph = preset("resnet152")
    analyzer = Analyzer(graph)
    for value in values:  # both states in the rule memo
        graph.set_param(node_id, param, value)  # type: ignore[arg-type]
        analyzer.analyze()
    turn = [0]

    def setup() -> None:
        # Both states analysed untimed first: the cold measurements in between clear the rule memo.
        turn[0] += 1
        for value in (values[turn[0] % 2], values[(turn[0] + 1) % 2], values[turn[0] % 2]):
            graph.set_param(node_id, param, value)  # type: ignore[arg-type]
            analyzer.analyze()
        graph.set_param(node_id, param, values[(turn[0] + 1) % 2])  # type: ignore[arg-type]

    return setup, analyzer.analyze


def first_edit_runner(
    node_id: str, param: str, values: tuple[object, object]
) -> tuple[Callable[[], object], Callable[[], object]]:
    """(setup, run): setup analyses a ResNet-152 cold in one state and edits it into the other, whose new shapes
    the rule memo has never seen; run re-analyses it."""
    graph = preset("resnet152")
    analyzer = [Analyzer(graph)]

    def setup() -> None:
        graph.set_param(node_id, param, values[0])  # type: ignore[arg-type]
        clear_memo()
        analyzer[0].close()
        analyzer[0] = Analyzer(graph)
        analyzer[0].analyze()
        graph.set_param(node_id, param, values[1])  # type: ignore[arg-type]

    return setup, lambda: analyzer[0].analyze()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="torchinfo runs, each followed by our repeats")
    parser.add_argument("--repeats", type=int, default=20, help="runs of each of ours per round")
    args = parser.parse_args()

    import torch
    import torchinfo

    import resnet_studio as rs

    print(f"machine: {machine_line()}")
    blocks = preset("resnet152")
    expanded = expand_all(blocks)
    model = rs.build(blocks).eval()
    torch.set_num_threads(1)

    def summary() -> object:
        return torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0, device="cpu")

    ours: dict[str, tuple[Callable[[], object] | None, Callable[[], object]]] = {
        "ResNet-152 blocks, cold": (clear_memo, lambda: analyze(blocks)),
        f"ResNet-152 expanded ({len(expanded)} layers), cold": (clear_memo, lambda: analyze(expanded)),
    }
    for name, (node_id, param, values) in EDITS.items():
        ours[name] = edit_runner(node_id, param, values)
    ours["edit: stride of layer3.0, first time (new shapes)"] = first_edit_runner(
        "layer3.0", "stride", (2, 1)
    )
    reference = Timings()
    times = {name: Timings() for name in ours}
    summary()  # warm up
    for setup, run in ours.values():
        for _ in range(3):
            if setup is not None:
                setup()
            run()
    for _ in range(args.rounds):
        reference.time(summary)
        for _ in range(args.repeats):
            for name, (setup, run) in ours.items():
                times[name].time(run, setup)
    print(f"load average after: {machine_line().rsplit('load average ', 1)[1]}")

    cold_name = next(iter(ours))
    cold = times[cold_name].cpu_ms()
    width = max(len(n) for n in ours)
    print(f"{'measurement'.ljust(width)}  CPU ms (median)  wall ms (median)")
    print(
        f"{'torchinfo.summary(ResNet-152), reference'.ljust(width)}  {reference.cpu_ms():14.3f}  {reference.wall_ms():16.3f}"
    )
    for name, t in times.items():
        print(f"{name.ljust(width)}  {t.cpu_ms():14.3f}  {t.wall_ms():16.3f}")
    results = []
    speedup = reference.cpu_ms() / cold
    results.append(
        (
            f"torchinfo / cold block analysis: {speedup:,.0f}x (target >= {TORCHINFO_SPEEDUP:,.0f}x; "
            f"wall {reference.wall_ms() / times[cold_name].wall_ms():,.0f}x)",
            verdict(speedup, TORCHINFO_SPEEDUP, at_most=False),
        )
    )
    for name, t in times.items():
        if name == cold_name:
            continue
        target = EDIT_RATIO if name.startswith("edit") else EXPANDED_RATIO
        ratio = t.cpu_ms() / cold
        wall = t.wall_ms() / times[cold_name].wall_ms()
        results.append(
            (
                f"{name} / cold block: {ratio:.3f} (target <= {target}; wall {wall:.3f})",
                verdict(ratio, target),
            )
        )
    for text, word in results:
        print(f"{word}  {text}")
    return 0 if all(word == "PASS" for _, word in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
