"""Checkpoints that hold no ResNet, are cut short or have shapes that do not fit are refused with one typed
error naming the first key that does not fit; nothing but tensors is ever unpickled."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch

from resnet_studio.engine import UnsafeWeightsError, WeightsError
from resnet_studio.engine.checkpoint import (
    CheckpointError,
    IncompleteCheckpointError,
    InconsistentCheckpointError,
    NotAResNetError,
    open_checkpoint,
)

from .reference_resnet import CifarResNet, reference


@pytest.fixture(scope="module")
def resnet18_state() -> dict[str, torch.Tensor]:
    return dict(reference("resnet18", num_classes=10).state_dict())


def refused(tmp_path: Path, state: object, kind: type[CheckpointError], key: str | None) -> str:
    path = tmp_path / "bad.pth"
    torch.save(state, path)
    with pytest.raises(kind) as caught:
        open_checkpoint(path)
    assert caught.value.key == key
    if key is not None:
        assert key in str(caught.value)
    return str(caught.value)


def test_a_network_of_another_family_is_refused_by_its_first_key(tmp_path: Path) -> None:
    vgg = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    message = refused(
        tmp_path,
        {"features": 1, **{f"features.{k}": v for k, v in vgg.state_dict().items()}},
        NotAResNetError,
        "features.0.weight",
    )
    assert "not a ResNet-family network" in message


def test_a_part_a_resnet_cannot_have_is_named(
    tmp_path: Path, resnet18_state: dict[str, torch.Tensor]
) -> None:
    state = dict(resnet18_state)
    state["layer2.1.se.fc1.weight"] = torch.zeros(8, 128, 1, 1)
    refused(tmp_path, state, NotAResNetError, "layer2.1.se.fc1.weight")


@pytest.mark.parametrize(
    "missing",
    [
        "layer2.0.bn2.running_var",
        "layer3.1.conv2.weight",
        "fc.weight",
        "conv1.weight",
        "layer1.0.downsample.0.weight",
    ],
)
def test_a_cut_down_checkpoint_names_the_missing_tensor(
    tmp_path: Path, resnet18_state: dict[str, torch.Tensor], missing: str
) -> None:
    state = {k: v for k, v in resnet18_state.items() if k != missing}
    if missing == "layer1.0.downsample.0.weight":
        state = dict(resnet18_state)  # resnet18's layer1.0 has no projection: add half of one
        state["layer1.0.downsample.1.weight"] = torch.ones(64)
        refused(tmp_path, state, IncompleteCheckpointError, missing)
        return
    refused(tmp_path, state, IncompleteCheckpointError, missing)


def test_a_missing_stage_names_the_first_key_after_the_gap(
    tmp_path: Path, resnet18_state: dict[str, torch.Tensor]
) -> None:
    state = {k: v for k, v in resnet18_state.items() if not k.startswith("layer3.")}
    message = refused(tmp_path, state, IncompleteCheckpointError, "layer4.0.conv1.weight")
    assert "no layer3" in message


@pytest.mark.parametrize(
    ("key", "shape"),
    [
        ("layer2.0.bn1.weight", (64,)),
        ("layer1.1.conv1.weight", (64, 32, 3, 3)),
        ("layer3.0.downsample.0.weight", (256, 64, 1, 1)),
        ("fc.weight", (10, 256)),
        ("conv1.weight", (64, 3, 5, 5)),
        ("layer2.0.conv2.weight", (128, 128, 1, 1)),
    ],
)
def test_shapes_that_do_not_fit_together_name_the_first_offending_key(
    tmp_path: Path, resnet18_state: dict[str, torch.Tensor], key: str, shape: tuple[int, ...]
) -> None:
    state = dict(resnet18_state)
    state[key] = torch.zeros(shape)
    refused(tmp_path, state, InconsistentCheckpointError, key)


def test_a_truncated_file_is_refused_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "cut.pth"
    torch.save(CifarResNet(20).state_dict(), path)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(WeightsError, match=r"cut\.pth is not a PyTorch weights file"):
        open_checkpoint(path)


class RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_checkpoint_that_would_run_code_is_refused_before_anything_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pth"
    with path.open("wb") as f:
        pickle.dump({"state_dict": reference("resnet18").state_dict(), "hook": RunsCode(marker)}, f)
    with pytest.raises(UnsafeWeightsError):
        open_checkpoint(path)
    assert not marker.exists()


def test_a_file_that_is_not_there_is_a_weights_error(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="there is no weights file"):
        open_checkpoint(tmp_path / "nothing.pth")
