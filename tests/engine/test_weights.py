"""Weights in and out; a checkpoint that would run code is refused before anything in it runs."""

from __future__ import annotations

import builtins
import os
import pickle
from pathlib import Path

import pytest
import torch

from resnet_studio.core import preset
from resnet_studio.engine import (
    UnsafeWeightsError,
    WeightsError,
    build,
    load_weights,
    read_state_dict,
    save_weights,
)
from resnet_studio.engine.weights import check_weights

from .graphs import small_cnn


class CreatesAFile:
    """A pickle payload that would create a marker file if anything unpickled it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".safetensors"])
def test_weights_round_trip(tmp_path: Path, suffix: str) -> None:
    if suffix == ".safetensors":
        pytest.importorskip("safetensors", reason="the safetensors package is optional")
    source, target = build(small_cnn(), seed=1), build(small_cnn(), seed=2)
    path = save_weights(source, tmp_path / f"weights{suffix}")
    report = load_weights(target, path)
    assert report.ok and report.loaded == len(source.state_dict())
    assert all(torch.equal(a, b) for a, b in zip(source.state_dict().values(), target.state_dict().values()))
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind


def test_a_report_lists_missing_unexpected_and_mismatched_keys(tmp_path: Path) -> None:
    net = build(small_cnn())
    state = dict(net.state_dict())
    state.pop("block.conv1.weight")
    state["extra.weight"] = torch.zeros(3)
    state["fc.weight"] = torch.zeros(7, 4)
    torch.save(state, tmp_path / "partial.pt")
    report = load_weights(net, tmp_path / "partial.pt")
    assert report.missing == ("block.conv1.weight",) and report.unexpected == ("extra.weight",)
    assert report.mismatched == (("fc.weight", (10, 16), (7, 4)),)
    text = report.describe()
    assert "1 missing (block.conv1.weight)" in text and "fc.weight: network 10x16, file 7x4" in text
    assert not torch.equal(net.fc.weight, torch.zeros(10, 16))  # the mismatched tensor was not loaded
    with pytest.raises(WeightsError, match="do not fit"):
        load_weights(net, tmp_path / "partial.pt", strict=True)


def test_weights_of_another_resnet_say_which_network_they_are(tmp_path: Path) -> None:
    torch.save(build(preset("resnet34"), device="meta").state_dict(), tmp_path / "r34.pth")
    torch.save(build(preset("resnet18"), device="meta").state_dict(), tmp_path / "r18.pth")
    cifar = build(preset("resnet20"))
    with pytest.raises(WeightsError) as caught:
        load_weights(build(preset("resnet18"), device="meta"), tmp_path / "r34.pth", strict=True)
    # Before, only the keys that did not fit: a reader had to guess where ResNet-34's layer1.2 came from.
    assert str(caught.value).endswith(
        "; they are ResNet-34's (1000 classes): open the file itself as a network to run them"
    )
    with pytest.raises(WeightsError, match="they are ResNet-18's"):
        load_weights(cifar, tmp_path / "r18.pth", strict=True)
    net = build(small_cnn())
    torch.save(net.state_dict(), tmp_path / "small.pt")
    with pytest.raises(WeightsError) as caught:  # no ResNet: nothing is claimed
        load_weights(cifar, tmp_path / "small.pt", strict=True)
    assert "they are" not in str(caught.value)


def test_checkpoints_nested_state_dicts_and_data_parallel_prefixes(tmp_path: Path) -> None:
    net = build(small_cnn())
    wrapped = {"epoch": 3, "state_dict": {f"module.{k}": v for k, v in net.state_dict().items()}}
    torch.save(wrapped, tmp_path / "checkpoint.pth")
    assert set(read_state_dict(tmp_path / "checkpoint.pth")) == set(net.state_dict())


def test_old_checkpoints_without_num_batches_tracked_load_strictly(tmp_path: Path) -> None:
    net = build(preset("resnet18"), device="meta")
    state = {k: torch.zeros(v.shape, dtype=v.dtype) for k, v in net.state_dict().items()}
    old = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    assert check_weights(net, old).ok


def test_a_malicious_pickle_is_refused_and_nothing_in_it_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    torch.save({"conv1.weight": torch.zeros(1), "payload": CreatesAFile(marker)}, tmp_path / "evil.pt")
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(CreatesAFile(marker)))
    net = build(small_cnn())
    for name in ("evil.pt", "evil.pkl"):
        with pytest.raises(UnsafeWeightsError) as caught:
            load_weights(net, tmp_path / name)
        assert "can run any code" in str(caught.value) and "state_dict()" in str(caught.value)
    assert not marker.exists()


def test_files_that_are_not_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "junk.pt").write_bytes(b"hello world")
    with pytest.raises(WeightsError, match="not a PyTorch weights file"):
        read_state_dict(tmp_path / "junk.pt")
    torch.save([1, 2, 3], tmp_path / "list.pt")
    with pytest.raises(WeightsError, match="not a dictionary"):
        read_state_dict(tmp_path / "list.pt")
    with pytest.raises(WeightsError, match="no weights file"):
        read_state_dict(tmp_path / "missing.pt")
    (tmp_path / "bad.safetensors").write_bytes(b"\x00" * 20)
    with pytest.raises(WeightsError, match="safetensors"):
        read_state_dict(tmp_path / "bad.safetensors")
    real_import = builtins.__import__

    def no_safetensors(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("safetensors"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_safetensors)
    with pytest.raises(WeightsError, match="install the safetensors package"):
        read_state_dict(tmp_path / "bad.safetensors")
