"""Module names derived from node names."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import Graph
from resnet_studio.engine import build
from resnet_studio.engine.assembly.names import NameTable, clean_segment, module_path


def test_clean_segments_are_identifiers_or_indices() -> None:
    assert clean_segment("conv 1", first=True) == "conv_1"
    assert clean_segment("0", first=False) == "0" and clean_segment("0", first=True) == "n0"
    assert clean_segment("Schicht-ä", first=True) == "Schicht_a"
    assert (
        clean_segment("class", first=True) == "class_" and clean_segment("forward", first=True) == "forward_"
    )
    assert clean_segment("!!!", first=True) == "node"
    assert module_path("layer1.0") == ("layer1", "0") and module_path("..a..b.") == ("a", "b")


@given(st.text(max_size=30))
def test_any_name_gives_a_safe_path(name: str) -> None:
    for i, segment in enumerate(module_path(name)):
        assert segment.isidentifier() or (i > 0 and segment.isdigit())
        assert segment.isascii() and "." not in segment


def test_the_name_table_keeps_paths_apart() -> None:
    table = NameTable()
    assert table.claim(("layer1", "0")) == ("layer1", "0")
    assert table.claim(("layer1", "1")) == ("layer1", "1")
    assert table.claim(("layer1",)) == ("layer1_2",)  # 'layer1' is a container already
    assert table.claim(("conv",)) == ("conv",)
    assert table.claim(("conv", "a")) == ("conv_a",)  # 'conv' is a layer, not a container
    assert table.claim(("conv",)) == ("conv_2",)
    assert not table.is_free(("layer1", "0")) and table.is_free(("layer1", "2"))


# --- any name a user can type builds, runs and exports ------------------------------------------------------

# Attributes of modules and of the built network, containers' methods, and names with dots, spaces and digits.
TRICKY = [
    "training",
    "forward",
    "state_dict",
    "_modules",
    "_parameters",
    "iterate",
    "set_program",
    "outputs_of",
    "info",
    "append",
    "layer1.append",
    "layer1.training",
    "x.forward",
    "a.b",
    "a b",
    "0",
    "1.2",
    "ünïcödé",
    "class",
    "__init__",
]


def named_network(names: list[str]) -> Graph:
    """Input -> one layer or block per name (alternating Conv2d, BasicBlock, ReLU) -> Output on 3x8x8."""
    from .graphs import chain

    kinds = [("Conv2d", {"out_channels": 4}), ("BasicBlock", {"out_channels": 4}), ("ReLU", {})]
    return chain([(name, *kinds[i % 3]) for i, name in enumerate(names)], (3, 8, 8))  # type: ignore[misc]


def check_builds_runs_and_exports_as_source(graph: Graph) -> None:
    from resnet_studio.engine import run_forward

    from .test_export_pytorch import check_same_network

    net = build(graph)
    assert net(torch.randn(2, 3, 8, 8)).shape[0] == 2
    assert run_forward(graph).status == "ok"
    check_same_network(graph)
    for node in net.info.nodes:  # every node's module is reachable under its recorded path
        if node.module_path is not None:
            net.get_submodule(node.module_path)


@pytest.mark.parametrize("name", TRICKY)
def test_a_node_named_like_a_module_attribute_builds_runs_and_exports(name: str) -> None:
    check_builds_runs_and_exports_as_source(named_network([name, f"{name}2", "tail"]))


_NAME_TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12),
    st.lists(st.sampled_from([*TRICKY, "layer1", "0", "conv"]), min_size=1, max_size=3).map(".".join),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_NAME_TEXT.filter(lambda n: bool(n.strip())), min_size=1, max_size=4, unique=True))
def test_any_names_build_run_and_export_as_source(names: list[str]) -> None:
    check_builds_runs_and_exports_as_source(named_network(names))


def test_tricky_names_export_to_onnx_and_torch_export(tmp_path: Path) -> None:
    from resnet_studio.engine.export import export_onnx, export_program

    graph = named_network(["training", "iterate", "append", "layer1.training", "a b", "0", "forward"])
    export_program(graph, tmp_path / "net.pt2")
    pytest.importorskip("onnx")
    export_onnx(graph, tmp_path / "net.onnx")
    assert (tmp_path / "net.onnx").stat().st_size > 0


def test_presets_keep_torchvision_names() -> None:
    from resnet_studio.core import preset

    keys = set(build(preset("resnet50"), device="meta").state_dict())
    assert {"conv1.weight", "layer1.0.downsample.0.weight", "layer4.2.bn3.running_var", "fc.bias"} <= keys
