"""A landscape shared between processes (gloo on the CPU): the same numbers as one process, and a process that
dies makes the others stop with a message instead of waiting for ever."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from resnet_studio.core.project import save
from resnet_studio.engine.landscape import LandscapeOptions, compute_landscape
from resnet_studio.engine.landscape.batch import default_batch

from ..graphs import small_cnn
from ..test_cli import run_cli

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(rank: int, count: int, port: int, *args: str) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(count),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        OMP_NUM_THREADS="1",
    )
    command = [sys.executable, "-m", "tests.engine.landscape.distributed_worker", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_processes_compute_what_one_does(tmp_path: Path) -> None:
    port = _free_port()
    workers = [_start(rank, 2, port, str(tmp_path / "loss.npy")) for rank in range(2)]
    outcomes = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outcomes
    alone = compute_landscape(
        small_cnn(), default_batch((3, 20, 18), 4, 10, seed=1), LandscapeOptions(grid=5)
    )
    np.testing.assert_array_equal(np.load(tmp_path / "loss.npy"), alone.loss)


def test_a_process_that_dies_stops_the_other_with_a_message(tmp_path: Path) -> None:
    port = _free_port()
    workers = [_start(rank, 2, port, str(tmp_path / "loss.npy"), "3") for rank in range(2)]
    (_, leader_err), _ = (w.communicate(timeout=240) for w in workers)
    assert workers[1].returncode == 3 and workers[0].returncode == 1
    assert (
        leader_err.count("\n") == 1
        and "lost the others" in leader_err
        and "nothing was written" in leader_err
    )
    assert not (tmp_path / "loss.npy").exists()


@pytest.mark.parametrize("count", [3])
def test_torchrun_writes_the_single_process_result(
    count: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "tiny.json"
    save(small_cnn(), project)
    args = ["landscape", str(project), "--data", "random", "--grid", "5", "--batch", "4", "--seed", "2"]
    status, _, _ = run_cli([*args, "-o", str(tmp_path / "one.json")], capsys)
    assert status == 0
    torchrun = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc-per-node",
        str(count),
        "--master-port",
    ]
    completed = subprocess.run(
        [*torchrun, str(_free_port()), "-m", "resnet_studio", *args, "-o", str(tmp_path / "many.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.count("wrote") == 1 and f"{count} processes" in completed.stdout
    one, many = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("one", "many"))
    assert many["processes"] == count and one["processes"] == 1
    assert many["loss"] == one["loss"] and many["accuracy"] == one["accuracy"]
    assert many["nonconvexity"] == one["nonconvexity"]
