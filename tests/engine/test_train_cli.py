"""`resnet-studio train`: the curve on stdout (JSON or a table), progress on stderr, bad input in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from resnet_studio.cli import main
from resnet_studio.core.project import save
from resnet_studio.engine import build
from resnet_studio.engine.weights import load_weights

from .graphs import chain
from .test_training import tiny


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(args)
    except SystemExit as exit:
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    save(tiny(), path)
    return path


def test_train_prints_the_curve_as_json_and_progress_on_stderr(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = tmp_path / "w.pt"
    args = ["train", str(project), "--steps", "3", "--batch", "4", "--lr", "0.01", "--threads", "1"]
    status, out, err = run_cli([*args, "--format", "json", "--save", str(weights)], capsys)
    assert status == 0
    data = json.loads(out)
    assert [p["step"] for p in data["curve"]] == [1, 2, 3] and data["status"] == "finished"
    assert set(data["curve"][0]) == {"step", "loss", "accuracy", "seconds"} and data["stop"] is None
    assert data["options"]["batch_size"] == 4 and data["options"]["lr"] == 0.01
    assert "shapes and textures" in data["data"]
    assert "step 1/3" in err and "step 3/3" in err and f"wrote {weights}" in err
    assert load_weights(build(tiny()), weights, strict=True).ok


def test_train_prints_a_table_by_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["train", str(project), "--steps", "2", "--batch", "2"], capsys)
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == ["step", "loss", "accuracy", "seconds"] and len(lines) == 3
    assert lines[2].split()[0] == "2"


def test_train_on_a_folder_of_images_resized(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for label, value in (("dark", 30), ("light", 220)):
        for i in range(3):
            (tmp_path / "data" / label).mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.full((20, 20, 3), value + i, np.uint8)).save(
                tmp_path / "data" / label / f"{i}.png"
            )
    save(tiny(classes=2), tmp_path / "two.json")
    args = ["train", str(tmp_path / "two.json"), "--data", str(tmp_path / "data"), "--input", "3x32x32"]
    status, out, _ = run_cli([*args, "--steps", "2", "--batch", "3", "--format", "json"], capsys)
    assert status == 0 and json.loads(out)["data"].startswith("data: 6 images, 32x32, 2 classes")


def test_a_diverging_run_prints_its_curve_then_the_reason_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["train", str(project), "--steps", "30", "--batch", "8", "--lr", "1e6", "--momentum", "0"]
    status, out, err = run_cli([*args, "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 1 and data["status"] == "diverged" and data["stop"]["kind"] == "diverged"
    assert err.splitlines()[-1].startswith("resnet-studio: error: ") and "Lower the learning rate" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "-5"], "expected a positive integer, found '-5'"),
        (["--steps", "ten"], "expected a positive integer, found 'ten'"),
        (["--batch", "0"], "expected a positive integer, found '0'"),
        (["--lr", "fast"], "expected a positive number, found 'fast'"),
        (["--lr", "-0.1"], "expected a positive number, found '-0.1'"),
        (["--lr", "nan"], "expected a positive number, found 'nan'"),
        (["--momentum", "1.5"], "expected a number from 0 to below 1"),
        (["--data", "no/such/folder"], "there is no folder 'no/such/folder'"),
        (["--input", "3x40x40"], "the image size must be one of 32, 64"),
        (["--input", "1x32x32"], "the size must be 3xHxW"),
        (["--input", "3x32x64"], "the procedural images are square"),
        (["--save", "no/such/folder/w.pt"], "the folder 'no/such/folder' does not exist"),
        (["--save", "weights.txt"], "must end in .safetensors, .pt or .pth"),
        (["--device", "cuda:9"], "device cuda:9 is not available"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(["train", "resnet20", *args], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err


def test_a_network_without_a_class_output_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(chain([("Conv2d", {"out_channels": 4})], (3, 32, 32)), tmp_path / "features.json")
    status, out, err = run_cli(["train", str(tmp_path / "features.json")], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and "not one score per class" in err


def test_a_folder_that_is_not_a_data_set_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "only" / "cats").mkdir(parents=True)
    Image.new("RGB", (4, 4)).save(tmp_path / "only" / "cats" / "a.png")
    status, _, err = run_cli(["train", "resnet20", "--data", str(tmp_path / "only")], capsys)
    assert status == 2 and err.count("\n") == 1 and "only one class sub-folder" in err


def test_imagenet_presets_with_1000_classes_are_refused_for_the_10_class_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run_cli(["train", "resnet18", "--steps", "1"], capsys)
    assert status == 2 and "outputs 1000 class scores but the data set has 10 classes" in err
