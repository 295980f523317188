"""Equal parameter sets made by a declaration are one object (the analysis memo then matches them by identity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from resnet_studio.core import params as params_module
from resnet_studio.core.catalogue import get_spec
from resnet_studio.core.params import Params, shared
from resnet_studio.core.presets import preset
from resnet_studio.core.project import load, save


def test_equal_blocks_of_a_preset_share_their_parameters() -> None:
    graph = preset("resnet152")
    layer3 = [graph.node(f"layer3.{i}").params for i in range(1, 36)]
    assert all(p is layer3[0] for p in layer3)
    assert graph.node("layer3.0").params is not layer3[0]  # it strides: other values, another object


def test_equal_blocks_of_a_saved_network_share_their_parameters_once_opened(tmp_path: Path) -> None:
    # A file's nodes come with complete parameters of their own: the graph still keeps the shared object.
    graph = load(save(preset("resnet152"), tmp_path / "resnet152.json"))
    layer3 = [graph.node(f"layer3.{i}").params for i in range(1, 36)]
    assert all(p is layer3[0] for p in layer3)
    assert layer3[0] == preset("resnet152").node("layer3.1").params


def test_made_params_are_shared_and_still_equal_to_fresh_ones() -> None:
    spec = get_spec("Conv2d")
    a, b = spec.make_params({"out_channels": 7}), spec.make_params({"out_channels": 7})
    assert a is b and a == Params(dict(a)) and hash(a) == hash(Params(dict(a)))
    assert spec.make_params({"out_channels": 8}) is not a


def test_the_table_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(params_module, "_SHARED", {})
    monkeypatch.setattr(params_module, "_SHARED_LIMIT", 3)
    made = [shared(Params({"n": i})) for i in range(10)]
    assert len(params_module._SHARED) <= 3
    assert [p["n"] for p in made] == list(range(10))
