"""`resnet-studio gradflow` in every format: table and JSON, alone, beside the plain twin or another network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resnet_studio.core.project import save

from .graphs import chain, small_cnn
from .test_cli import run_cli

BASE = ["gradflow", "resnet20", "--batch", "2"]


def test_the_table_beside_the_plain_twin_has_both_columns_for_layers_and_blocks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run_cli([*BASE, "--compare-plain"], capsys)
    assert status == 0 and err == ""
    layers, blocks = out.split("\n\n")
    assert layers.splitlines()[0].split() == ["layer", "node", "type", "network", "plain", "twin"]
    conv1 = layers.splitlines()[1].split()
    assert conv1[:3] == ["conv1", "stem", "Conv2d"] and len(conv1) == 5
    assert all(float(x) > 0 for x in conv1[3:])
    block_lines = blocks.splitlines()
    assert block_lines[0].split() == ["block", "output", "type", "network", "plain", "twin"]
    layer1 = next(line.split() for line in block_lines if line.startswith("layer1.0 "))
    assert layer1[1] == "BasicBlock" and float(layer1[2]) > 0 and float(layer1[3]) > 0
    assert "plain twin: first-layer gradient" in block_lines[-1] and "loss" in block_lines[-1]


def test_the_table_of_one_network(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(BASE, capsys)
    layers, blocks = out.split("\n\n")
    assert status == 0 and layers.splitlines()[0].split() == ["layer", "node", "type", "grad", "norm"]
    assert len(layers.splitlines()) == 1 + 39 and layers.splitlines()[-1].split()[:3] == [
        "fc",
        "head",
        "Linear",
    ]
    assert blocks.splitlines()[0].split() == ["block", "output", "type", "grad", "norm"]
    assert "network: first-layer gradient" in blocks.splitlines()[-1]


def test_json_of_one_network(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli([*BASE, "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 0 and set(data) == {"network"}
    assert data["network"]["status"] == "ok" and data["network"]["batch_size"] == 2
    assert [layer["path"] for layer in data["network"]["layers"]][:2] == ["conv1", "bn1"]
    assert data["network"]["blocks"][0]["node"] == "stem" and data["network"]["loss"] > 0


def test_json_beside_the_plain_twin_has_the_same_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli([*BASE, "--compare-plain", "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 0 and set(data) == {"network", "plain"}
    assert [b["node"] for b in data["network"]["blocks"]] == [b["node"] for b in data["plain"]["blocks"]]
    assert data["network"]["layers"][0]["grad_norm"] != data["plain"]["layers"][0]["grad_norm"]


def test_any_two_networks_compare_in_both_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "tiny.json"
    save(small_cnn(), project)
    status, out, _ = run_cli(
        ["gradflow", str(project), "--compare", "resnet20", "--batch", "2", "--format", "json"], capsys
    )
    data = json.loads(out)
    assert status == 0 and set(data) == {"network", "other"}
    assert data["network"]["label"] == str(project) and data["other"]["label"] == "resnet20"
    assert len(data["other"]["layers"]) == 39 and len(data["network"]["layers"]) < 39
    status, out, _ = run_cli(["gradflow", "resnet20", "--compare", "resnet32", "--batch", "2"], capsys)
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == ["layer", "node", "type", "resnet20", "resnet32"]
    # Layers only resnet32 has are listed too, with a dash for resnet20.
    assert any(line.split()[:4] == ["layer1.4.conv1", "layer1.4", "Conv2d", "-"] for line in lines)


def test_bad_comparisons_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run_cli([*BASE, "--compare", "resnet99"], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and "resnet99" in err
    status, _, err = run_cli([*BASE, "--compare", "resnet32", "--compare-plain"], capsys)
    assert status == 2 and "not allowed with" in err
    project = tmp_path / "features.json"
    save(chain([("Conv2d", {"out_channels": 4})]), project)
    status, out, err = run_cli([*BASE, "--compare", str(project)], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1 and "classifier output" in err
