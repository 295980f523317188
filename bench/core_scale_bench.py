"""Big networks: building, saving, loading, analysing and laying out (layered, and auto layout by stage) must grow
linearly with the node count, whatever the order in which nodes and connections are listed.

The network is a chain of residual units (Conv2d, BatchNorm2d, ReLU, Add with a skip around them). Each step is
timed at 1,000, 10,000 and 100,000 nodes, once with nodes and connections in order and once reversed (nodes added
downstream first, connections listed last to first, as a file written that way lists them). The growth ratio is
the time per node at the largest size over the time per node at the smallest: quadratic work would give about
100 over this range, linear work about 1 to 2.5 (at 100,000 nodes Python's cyclic garbage collector walks a heap
a hundred times larger, and less of it fits in the CPU caches; --no-gc shows the collector's share).
Target: every ratio <= 3 (PASS, else SLOW), and 100,000 nodes in a few seconds per step.

    python bench/core_scale_bench.py [--sizes 1000 10000 100000] [--repeats 3] [--no-gc]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from resnet_studio.core import Edge, Graph, Node, analyze
from resnet_studio.core.layout import layered_layout, network_layout
from resnet_studio.core.project import Project, from_bytes, save, to_json

TARGET_RATIO = 3.0
UNIT = ("Conv2d", "BatchNorm2d", "ReLU", "Add")


def network_parts(size: int) -> tuple[list[Node], list[Edge]]:
    """About `size` nodes: Input, residual units, Output; the nodes and edges in order (upstream first)."""
    scratch = Graph()
    nodes = [
        scratch.make_node("Input", {"channels": 8, "height": 8, "width": 8}, node_id="input", name="input")
    ]
    edges: list[Edge] = []
    previous = "input"
    for u in range(max(1, (size - 2) // len(UNIT))):
        ids = [f"u{u}_{kind.lower()}" for kind in UNIT]
        conv, bn, relu, add = ids
        nodes.append(scratch.make_node("Conv2d", {"out_channels": 8}, node_id=conv, name=conv))
        nodes.append(scratch.make_node("BatchNorm2d", node_id=bn, name=bn))
        nodes.append(scratch.make_node("ReLU", node_id=relu, name=relu))
        nodes.append(scratch.make_node("Add", node_id=add, name=add))
        edges += [
            Edge(previous, "out", conv, "x"),
            Edge(conv, "out", bn, "x"),
            Edge(bn, "out", relu, "x"),
            Edge(relu, "out", add, "in1"),
            Edge(previous, "out", add, "in2"),
        ]
        previous = add
    nodes.append(scratch.make_node("Output", node_id="output", name="output"))
    edges.append(Edge(previous, "out", "output", "x"))
    return nodes, edges


def build(nodes: list[Node], edges: list[Edge]) -> Graph:
    """Add the nodes and connect the edges one call at a time, as an editor or a script would."""
    graph = Graph()
    for node in nodes:
        graph.add_node(node)
    for edge in edges:
        graph.connect(edge)
    return graph


def seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median CPU time of fn() (steadier than wall time on a machine shared with other work), after one
    untimed warm-up run."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def measure(size: int, reverse: bool, repeats: int, folder: Path) -> dict[str, float]:
    """Seconds per step for one size and order (small sizes repeated more, so their medians are as steady)."""
    repeats = max(repeats, repeats * 10_000 // size)
    nodes, edges = network_parts(size)
    if reverse:
        nodes, edges = nodes[::-1], edges[::-1]
    graph = build(nodes, edges)
    # Saved files list connections by destination in node order: downstream first when the nodes were added so.
    data = to_json(Project(graph)).encode()
    target = folder / f"net-{size}-{int(reverse)}.json"
    return {
        "build": seconds(lambda: build(nodes, edges), repeats),
        "save": seconds(lambda: save(graph, target), repeats),
        "load": seconds(lambda: from_bytes(data), repeats),
        "analyse": seconds(lambda: analyze(graph), repeats),
        "layout": seconds(lambda: layered_layout(graph), repeats),
        "autolayout": seconds(lambda: network_layout(graph), repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-gc", action="store_true", help="switch the cyclic garbage collector off")
    args = parser.parse_args()
    if args.no_gc:
        gc.disable()
    sizes = sorted(args.sizes)
    steps = ("build", "save", "load", "analyse", "layout", "autolayout")
    verdicts = []
    with tempfile.TemporaryDirectory() as folder:
        for reverse in (False, True):
            order = "reversed" if reverse else "in order"
            results = {size: measure(size, reverse, args.repeats, Path(folder)) for size in sizes}
            print(f"\n{order}: median CPU seconds (of {args.repeats} runs, more for small sizes)")
            print(f"{'step':<11}" + "".join(f"{size:>12,}" for size in sizes) + f"{'growth':>9}  verdict")
            for step in steps:
                small, large = sizes[0], sizes[-1]
                growth = (results[large][step] / large) / (results[small][step] / small)
                verdict = "PASS" if growth <= TARGET_RATIO else "SLOW"
                verdicts.append(verdict)
                row = "".join(f"{results[size][step]:>12.3f}" for size in sizes)
                print(f"{step:<11}{row}{growth:>9.2f}  {verdict}")
    print(f"\n{verdicts.count('PASS')} of {len(verdicts)} steps grow linearly (growth <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
