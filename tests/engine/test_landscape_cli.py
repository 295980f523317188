"""`resnet-studio landscape`: JSON and .npz output, the plain twin and curves; bad input is one line, status 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from resnet_studio.core.project import save
from resnet_studio.engine import build, save_weights

from .graphs import chain, small_cnn
from .test_cli import run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    save(small_cnn(), path)
    return path


def test_json_holds_the_surface_and_its_non_convexity(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "surface.json"
    status, stdout, stderr = run_cli(
        ["landscape", str(project), "--data", "random", "--grid", "5", "--batch", "4", "-o", str(out)], capsys
    )
    assert status == 0 and stdout.startswith(f"wrote {out}: 5x5 surface of {project}")
    assert (
        "non-convex within the slice at" in stdout
        and "landscape: coarse grid done, 25 of 25 points" in stderr
    )
    data = json.loads(out.read_text())
    assert data["status"] == "ok" and data["options"]["grid"] == 5 and data["batch_size"] == 4
    assert len(data["loss"]) == 5 and all(len(row) == 5 for row in data["loss"])
    assert data["coordinates"] == [-1.0, -0.5, 0.0, 0.5, 1.0] and data["centre_loss"] == data["loss"][2][2]
    assert 0 <= data["nonconvexity"]["fraction"] <= 1 and len(data["nonconvexity"]["ratio"]) == 3
    assert data["notes"][0].startswith("BatchNorm in eval mode")


def test_npz_holds_arrays_and_the_rest_as_json(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "curve.npz"
    args = [
        "landscape",
        str(project),
        "--plain",
        "--dimensions",
        "1",
        "--grid",
        "7",
        "--range",
        "0.5",
        "--batch",
        "4",
        "--data",
        "random",
    ]
    status, stdout, _ = run_cli([*args, "-o", str(out)], capsys)
    assert status == 0 and "7-point curve" in stdout and "(plain twin)" in stdout
    with np.load(out, allow_pickle=False) as archive:
        assert archive["loss"].shape == (7,) and archive["computed"].all()
        np.testing.assert_allclose(archive["coordinates"], np.linspace(-0.5, 0.5, 7))
        meta = json.loads(str(archive["meta"]))
    assert meta["options"]["dimensions"] == 1 and meta["nonconvexity"] is None and "loss" not in meta


def test_the_same_seed_gives_the_same_file_and_weights_move_the_centre(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["landscape", str(project), "--data", "random", "--grid", "3", "--batch", "4", "--format", "json"]
    for name in ("a", "b"):
        assert run_cli([*base, "-o", str(tmp_path / name)], capsys)[0] == 0
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("a", "b"))
    assert a["loss"] == b["loss"]
    save_weights(build(small_cnn(), seed=8), tmp_path / "w.pt")
    assert run_cli([*base, "--weights", str(tmp_path / "w.pt"), "-o", str(tmp_path / "c")], capsys)[0] == 0
    assert json.loads((tmp_path / "c").read_text())["centre_loss"] != a["centre_loss"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "0"], "grid must be a whole number from 3 to 501, not 0"),
        (["--grid", "1"], "grid must be a whole number from 3 to 501, not 1"),
        (["--grid", "10000"], "grid must be a whole number from 3 to 501, not 10000"),
        (["--grid", "ten"], "invalid int value"),
        (["--range", "-1"], "range must be a positive number"),
        (["--range", "0"], "range must be a positive number"),
        (["--batch", "0"], "expected a positive integer"),
        (["--weights", "missing.pt"], "there is no weights file"),
    ],
)
def test_bad_options_are_one_line_with_status_2(
    args: list[str], message: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["landscape", str(project), "--data", "random", *args, "-o", str(tmp_path / "x.json")]
    status, out, err = run_cli(command, capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "x.json").exists()


def test_weights_that_do_not_fit_and_a_network_without_classes(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_weights(
        build(chain([("Stem", {"style": "cifar", "out_channels": 4}), ("Head", {})])), tmp_path / "w.pt"
    )
    args = [
        "landscape",
        str(project),
        "--data",
        "random",
        "--grid",
        "3",
        "--batch",
        "2",
        "-o",
        str(tmp_path / "x.json"),
    ]
    status, out, err = run_cli([*args, "--weights", str(tmp_path / "w.pt")], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and "do not fit the network" in err
    features = tmp_path / "features.json"
    save(chain([("Conv2d", {"out_channels": 4})]), features)
    status, out, err = run_cli(
        ["landscape", str(features), "--data", "random", "--grid", "3", "-o", str(tmp_path / "x.json")],
        capsys,
    )
    assert status == 2 and out == "" and err.count("\n") == 1 and "classifier output" in err
    status, _, err = run_cli(["landscape", str(project), "-o", str(tmp_path / "no" / "x.json")], capsys)
    assert status == 2 and "does not exist" in err
    assert not (tmp_path / "x.json").exists()


def test_the_batch_comes_from_the_procedural_data_set_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    status, stdout, _ = run_cli(
        ["landscape", "resnet20", "--grid", "3", "--batch", "4", "-o", str(out)], capsys
    )
    assert status == 0 and "3x3 surface of resnet20" in stdout
    noise = tmp_path / "n.json"
    args = ["landscape", "resnet20", "--grid", "3", "--batch", "4", "--data", "random", "-o", str(noise)]
    assert run_cli(args, capsys)[0] == 0
    assert json.loads(out.read_text())["loss"] != json.loads(noise.read_text())["loss"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "3x20x20"], "the procedural images come in 3x32x32"),
        (["--input", "3x20"], "CxHxW"),
        (["--data", "no/such/folder"], "there is no folder"),
    ],
)
def test_a_batch_that_cannot_be_made_is_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(["landscape", "resnet20", *args, "-o", str(tmp_path / "x.json")], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_a_folder_as_output_is_refused_before_any_work(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.json"
    taken.mkdir()
    (taken / "inside").write_text("kept")
    args = ["landscape", str(project), "--data", "random", "--grid", "3", "--batch", "2"]
    status, out, err = run_cli([*args, "-o", str(taken)], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and "is a folder" in err
    assert (taken / "inside").read_text() == "kept"
