"""`resnet-studio summary|run|export|render FILE.pth`: a checkpoint opens as its network, and runs and exports
with its own weights; one it cannot open is one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from .reference_resnet import CifarResNet, randomise
from .test_cli import run_cli


@pytest.fixture(scope="module")
def cifar(tmp_path_factory: pytest.TempPathFactory) -> tuple[torch.nn.Module, Path]:
    model = randomise(CifarResNet(20, "A"), seed=21)
    path = tmp_path_factory.mktemp("checkpoint") / "resnet20.pth"
    torch.save({"state_dict": model.state_dict(), "epoch": 3}, path)
    return model, path


def test_summary_of_a_checkpoint_is_its_networks(
    cifar: tuple[torch.nn.Module, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = cifar
    status, out, err = run_cli(["summary", str(path), "--format", "json"], capsys)
    assert status == 0 and err == ""
    data = json.loads(out)
    assert data["totals"]["params"] == sum(p.numel() for p in cifar[0].parameters())
    assert [n["name"] for n in data["layers"]][:3] == ["input", "stem", "layer1.0"]


def test_run_of_a_checkpoint_uses_its_weights(
    cifar: tuple[torch.nn.Module, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    model, path = cifar
    status, out, _ = run_cli(["run", str(path), "--input-source", "sample", "--format", "json"], capsys)
    assert status == 0
    data = json.loads(out)
    stats = {n["name"]: n for n in data["nodes"]}
    from resnet_studio.engine.run.inputs import InputSource, make_input

    x = make_input(InputSource.parse("sample", 0), (3, 32, 32), 1)
    with torch.no_grad():
        expected = model(x)[0]
    assert stats["head"]["mean"] == pytest.approx(float(expected.mean()), rel=1e-4, abs=1e-6)


def test_export_writes_the_checkpoints_weights(
    cifar: tuple[torch.nn.Module, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, path = cifar
    safetensors = pytest.importorskip("safetensors.torch", reason="the safetensors package is optional")
    source, weights = tmp_path / "net.py", tmp_path / "merged.safetensors"
    status, _, err = run_cli(
        ["export", str(path), "--to", "pytorch", "-o", str(source), "--save-weights", str(weights)], capsys
    )
    assert status == 0, err
    saved = safetensors.load_file(str(weights))
    assert all(torch.equal(saved[k], v) for k, v in model.state_dict().items())


def test_render_draws_a_checkpoints_network(
    cifar: tuple[torch.nn.Module, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run_cli(["render", str(cifar[1]), "-o", str(tmp_path / "net.svg")], capsys)
    assert status == 0 and "13 blocks" in out
    assert (tmp_path / "net.svg").read_text().startswith("<?xml")


@pytest.mark.parametrize("command", ["summary", "run", "export", "render"])
def test_a_checkpoint_that_is_no_resnet_is_one_line(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "vgg.pt"
    torch.save({"features.0.weight": torch.zeros(8, 3, 3, 3)}, path)
    extra = {
        "export": ["--to", "pytorch", "-o", str(tmp_path / "x.py")],
        "render": ["-o", str(tmp_path / "x.svg")],
    }
    status, out, err = run_cli([command, str(path), *extra.get(command, [])], capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "'features.0.weight'" in err and "Traceback" not in err
