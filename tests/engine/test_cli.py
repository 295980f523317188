"""The run, gradflow and export subcommands; bad input is one line on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from resnet_studio.cli import main
from resnet_studio.core.project import save
from resnet_studio.engine import build, save_weights

from .graphs import chain, small_cnn


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(args)
    except SystemExit as exit:
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_run_prints_a_table_of_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(["run", "resnet20", "--input-source", "sample"], capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["node", "type", "shape", "mean"]
    assert any(line.startswith("layer3.2  ") and "64x8x8" in line for line in lines)
    assert "float32, batch 1, input sample image" in lines[-1]


def test_run_json_has_a_nodes_list_and_the_device(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "net.json"
    save(small_cnn(), project)
    status, out, _ = run_cli(["run", str(project), "--format", "json", "--batch", "2", "--seed", "4"], capsys)
    data = json.loads(out)
    assert status == 0 and data["device"] == "cpu" and data["batch_size"] == 2
    names = [n["name"] for n in data["nodes"]]
    assert names == ["input", "stem", "block", "bottleneck", "head", "output"]
    block = data["nodes"][2]
    assert set(block) >= {"name", "shape", "mean", "std", "zero_fraction", "time_ms"}
    assert block["shape"] == [16, 10, 9] and 0 <= block["zero_fraction"] <= 1
    assert len(data["outputs"][0]["top5"]) == 5


def test_run_with_weights_and_input_size(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    save_weights(build(small_cnn(), seed=9), tmp_path / "w.pt")
    project = tmp_path / "net.json"
    save(small_cnn(), project)
    args = ["run", str(project), "--weights", str(tmp_path / "w.pt"), "--input", "3x33x17"]
    status, out, _ = run_cli([*args, "--format", "json"], capsys)
    assert status == 0 and json.loads(out)["nodes"][0]["shape"] == [3, 33, 17]


def test_a_network_with_errors_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "broken.json"
    save(chain([("Linear", {})]), project)
    status, out, err = run_cli(["run", str(project)], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and "Flatten" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "resnet99"], "no preset or project file named 'resnet99'"),
        (["run", "resnet20", "--device", "cuda:3"], "device cuda:3 is not available"),
        (["run", "resnet20", "--batch", "0"], "expected a positive integer"),
        (["run", "resnet20", "--input-source", "missing.png"], "there is no file 'missing.png'"),
        (["run", "resnet20", "--input", "3x0x224"], "every part of an input size must be at least 1"),
        (
            ["run", "resnet20", "--input", "sample"],
            "what goes in (random, sample or an image file) is --input-source",
        ),
        (["gradflow", "resnet20", "--input", "3x32"], "found '3x32': that is 2 numbers"),
        (
            ["export", "resnet20", "--to", "pytorch", "-o", "x.py", "--input", "32"],
            "found '32': that is 1 number",
        ),
        (["run", "resnet20", "--weights", "missing.pt"], "there is no weights file"),
        (["run", "resnet20", "--dtype", "int8"], "invalid choice"),
        (["gradflow", "resnet20", "--device", "tpu"], "not a device name"),
        (["export", "resnet20", "--to", "pytorch", "-o", "/no/such/folder/x.py"], "does not exist"),
        (["export", "resnet20", "--to", "keras", "-o", "x"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_on_stderr(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(args, capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_unsafe_weights_are_refused_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    torch.save({"weights": [object]}, tmp_path / "objects.pt")
    status, _, err = run_cli(["run", "resnet20", "--weights", str(tmp_path / "objects.pt")], capsys)
    assert status == 2 and err.count("\n") == 1 and "refused" in err


def test_weights_that_are_no_checkpoint_say_what_they_are(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "garbage.json").write_text('{"layers": [1, 2, 3]}')
    for command in (
        ["run", "resnet20"],
        ["export", "resnet20", "--to", "pytorch", "-o", str(tmp_path / "x.py")],
    ):
        status, _, err = run_cli([*command, "--weights", str(tmp_path / "garbage.json")], capsys)
        assert status == 2 and err.count("\n") == 1
        assert 'garbage.json is not a PyTorch weights file: it holds text that starts \'{"layers"' in err
        assert "Python objects" not in err


def test_export_to_a_folder_names_the_folder_not_pytorch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for target in ("onnx", "pytorch", "torch-export"):
        status, _, err = run_cli(["export", "resnet20", "--to", target, "-o", str(tmp_path)], capsys)
        assert status == 2 and err.count("\n") == 1
        assert f"cannot write '{tmp_path}': it is a folder" in err and "PyTorch" not in err


def test_onnx_export_into_a_folder_is_refused_before_pytorch_runs(tmp_path: Path) -> None:
    from resnet_studio.engine.errors import ExportError
    from resnet_studio.engine.export import export_onnx

    pytest.importorskip("onnx")
    with pytest.raises(ExportError, match="it is a folder"):
        export_onnx(small_cnn(), tmp_path)


def test_exported_files_are_written_like_every_other_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import os

    mask = os.umask(0o022)
    try:
        args = ["export", "resnet20", "--to", "pytorch", "-o", str(tmp_path / "r.py")]
        status, _, _ = run_cli([*args, "--save-weights", str(tmp_path / "r.pt")], capsys)
    finally:
        os.umask(mask)
    assert status == 0
    assert (tmp_path / "r.py").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "r.pt").stat().st_mode & 0o777 == 0o644


def test_gradflow_json_compares_with_the_plain_twin(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(
        ["gradflow", "resnet20", "--compare-plain", "--batch", "2", "--format", "json"], capsys
    )
    data = json.loads(out)
    assert status == 0 and set(data) == {"network", "plain"}
    assert data["plain"]["label"] == "plain twin" and data["network"]["layers"][0]["path"] == "conv1"
    assert all(layer["grad_norm"] > 0 for layer in data["network"]["layers"])
    status, out, _ = run_cli(["gradflow", "resnet20", "--batch", "2"], capsys)
    assert status == 0 and out.splitlines()[0].split() == ["layer", "node", "type", "grad", "norm"]


def test_export_writes_each_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run_cli(
        [
            "export",
            "resnet20",
            "--to",
            "pytorch",
            "-o",
            str(tmp_path / "r.py"),
            "--save-weights",
            str(tmp_path / "r.pt"),
        ],
        capsys,
    )
    assert status == 0 and (tmp_path / "r.py").read_text().count("class BasicBlock") == 1
    assert (tmp_path / "r.pt").is_file() and "wrote" in out
    status, out, _ = run_cli(
        ["export", "resnet20", "--to", "torch-export", "-o", str(tmp_path / "r.pt2")], capsys
    )
    assert status == 0 and torch.export.load(str(tmp_path / "r.pt2")) is not None


@pytest.mark.slow
def test_export_onnx_from_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    status, out, _ = run_cli(["export", "resnet20", "--to", "onnx", "-o", str(tmp_path / "r.onnx")], capsys)
    assert status == 0 and "passes onnx.checker" in out and (tmp_path / "r.onnx").is_file()


def test_the_real_command_prints_no_traceback() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "resnet_studio", "run", "resnet20", "--device", "cuda:9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2 and completed.stdout == ""
    assert (
        completed.stderr.startswith("resnet-studio: error: device cuda:9")
        and completed.stderr.count("\n") == 1
    )
