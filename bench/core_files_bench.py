"""Hostile project files are refused quickly and without holding much memory.

Each case is a file up to the size cap (64 MiB): huge texts, a 5,000-digit number, NaN positions, millions of
malformed nodes, deep nesting, lone surrogates, hundreds of thousands of edges to missing nodes, plus /dev/zero and
a FIFO. For each: the median time to refuse it, json.loads of the same bytes in the same run (what merely parsing
the whole file costs, for reference), and the peak memory Python allocated while refusing it (tracemalloc).
Target: every refusal well under a second (PASS < 1 s, else SLOW).

    python bench/core_files_bench.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from resnet_studio.core import preset
from resnet_studio.core.project import Project, ProjectFileError, from_bytes, load_project, to_json

TARGET_S = 1.0


def cases() -> dict[str, bytes]:
    """The hostile files, each as bytes."""
    valid = to_json(Project(preset("resnet18")))
    doc = json.loads(valid)
    head = '{"format": "resnet-studio", "format_version": 1'
    edges = ",".join(
        f'{{"src": "a{i}", "src_port": "out", "dst": "b{i}", "dst_port": "x"}}' for i in range(800_000)
    )
    text_param = dict(doc)
    text_param["nodes"] = [dict(n) for n in doc["nodes"]]
    text_param["nodes"][3] = {
        **doc["nodes"][3],
        "params": {**doc["nodes"][3]["params"], "stride": "x" * 50_000_000},
    }
    return {
        "50 MB text in a parameter": json.dumps(text_param).encode(),
        "50 MB description": json.dumps({**doc, "description": "y" * 50_000_000}).encode(),
        "5,000-digit integer": valid.replace(
            '"out_channels": 64', '"out_channels": ' + "9" * 5000, 1
        ).encode(),
        "NaN position": re.sub(r'"position": \[[^\]]*\]', '"position": [NaN, 0.0]', valid, count=1).encode(),
        "1e400 position": re.sub(
            r'"position": \[[^\]]*\]', '"position": [1e400, 0.0]', valid, count=1
        ).encode(),
        "5 million malformed nodes (45 MB)": (
            f'{head}, "nodes": [' + ",".join(['{"id":1}'] * 5_000_000) + "]}"
        ).encode(),
        "nested 900 deep": (f'{head}, "nodes": [' + "[" * 900 + "]" * 900 + "]}").encode(),
        "nested 100,000 deep": (f'{head}, "nodes": [' + "[" * 100_000 + "]" * 100_000 + "]}").encode(),
        "lone surrogate in a name": valid.replace('"name": "stem"', '"name": "st\\ud800em"', 1).encode(),
        "800,000 edges to missing nodes (50 MB)": f'{head}, "nodes": [], "edges": [{edges}]}}'.encode(),
        "the same, edges before nodes": f'{head}, "edges": [{edges}], "nodes": []}}'.encode(),
    }


def seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of fn()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refuse(data: bytes) -> None:
    try:
        from_bytes(data, "bench.json")
    except ProjectFileError:
        return
    raise AssertionError("a hostile file was accepted")


def parse(data: bytes) -> None:
    with contextlib.suppress(ValueError, RecursionError):
        json.loads(data)


def peak_mib(fn: Callable[[], object]) -> float:
    """Peak memory Python allocated while fn() ran."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, data in cases().items():
        refused = seconds(lambda data=data: refuse(data), args.repeats)  # type: ignore[misc]
        parsed = seconds(lambda data=data: parse(data), args.repeats)  # type: ignore[misc]
        memory = peak_mib(lambda data=data: refuse(data))  # type: ignore[misc]
        rows.append((name, len(data), refused, parsed, memory))
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "huge.json"
        with big.open("wb") as file:
            file.truncate(65 * 2**20)
        special = {"65 MiB file (over the cap)": big, "/dev/zero": Path("/dev/zero")}
        if hasattr(os, "mkfifo"):
            fifo = Path(folder) / "fifo.json"
            os.mkfifo(fifo)
            special["FIFO with no writer"] = fifo
        for name, path in special.items():
            if not path.exists():
                continue

            def load(path: Path = path) -> None:
                try:
                    load_project(path)
                except ProjectFileError:
                    return
                raise AssertionError("accepted")

            rows.append((name, 0, seconds(load, args.repeats), float("nan"), peak_mib(load)))
    print(f"{'case':<40}{'MB':>7}{'refused s':>11}{'json.loads s':>14}{'peak MiB':>10}  verdict")
    for name, size, refused, parsed, memory in rows:
        verdict = "PASS" if refused < TARGET_S else "SLOW"
        print(f"{name:<40}{size / 1e6:>7.1f}{refused:>11.3f}{parsed:>14.3f}{memory:>10.1f}  {verdict}")
    passed = sum(r[2] < TARGET_S for r in rows)
    print(f"\n{passed} of {len(rows)} hostile files refused in under {TARGET_S:g} s")


if __name__ == "__main__":
    main()
