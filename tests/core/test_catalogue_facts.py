"""What views and the engine need to know about a block type is a fact of its declaration, asked, never
re-derived from its name elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from resnet_studio.core.analysis import analyze
from resnet_studio.core.catalogue import Role, all_specs, block_types, get_spec
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.graph import Graph
from resnet_studio.core.params import Params
from resnet_studio.core.presets import preset

PACKAGE = Path(__file__).resolve().parents[2] / "resnet_studio"
DECLARATIONS = PACKAGE / "core" / "catalogue"
# The engine's layer factory and the exporter's block code are the builders each declaration is paired with:
# tables keyed by type name, never branches.
FACTORIES = {PACKAGE / "engine" / "assembly" / "layers.py", PACKAGE / "engine" / "export" / "templates.py"}


def _names_in(node: ast.AST, names: frozenset[str]) -> set[str]:
    """Block-type names written as string constants in an expression (alone or in a tuple, list or set)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return set().union(*(_names_in(e, names) for e in node.elts)) if node.elts else set()
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("frozenset", "set", "tuple"):
        return set().union(*(_names_in(a, names) for a in node.args)) if node.args else set()
    return set()


def type_name_branches(root: Path) -> list[str]:
    """Every comparison with, or table keyed by, a block-type name outside the catalogue and the factories."""
    names = frozenset(block_types())
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if DECLARATIONS in path.parents or path in FACTORIES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            hits: set[str] = set()
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    hits |= _names_in(side, names)
            elif isinstance(node, ast.Dict):
                for key in node.keys:
                    if key is not None:
                        hits |= _names_in(key, names)
            elif isinstance(node, ast.Assign) and isinstance(
                node.value, (ast.Tuple, ast.List, ast.Set, ast.Call)
            ):
                exported = any(getattr(t, "id", "") == "__all__" for t in node.targets)
                if (
                    not exported and len(_names_in(node.value, names)) > 1
                ):  # a hand-made group of types, like RESIDUAL_TYPES
                    hits |= _names_in(node.value, names)
            if hits:
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {sorted(hits)}")
    return found


def test_no_module_outside_the_catalogue_branches_on_a_block_type_name() -> None:
    assert type_name_branches(PACKAGE) == []


def test_the_branch_finder_finds_branches(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "view.py").write_text(
        "RESIDUAL = frozenset({'BasicBlock', 'Bottleneck'})\n"
        "def f(node):\n"
        "    if node.type == 'Conv2d':\n"
        "        return 1\n"
        "    return {'Add': 2}.get(node.type) or node.type in ('Input', 'Output')\n"
        "def g(text):\n"
        "    return text == 'Output report'\n"
    )
    found = type_name_branches(package)
    assert len(found) == 4, found  # the group, the comparison, the table and the membership test


def test_every_declaration_says_its_facts() -> None:
    for spec in all_specs():
        assert spec.node_name and spec.node_name == spec.node_name.lower()
        assert isinstance(spec.role, Role)
        if spec.role is Role.RESIDUAL:
            assert spec.skip is not None and "skip" in {p.name for p in spec.params}
    roles = {spec.type_name: spec.role for spec in all_specs()}
    assert roles["Input"] is Role.INPUT and roles["Output"] is Role.OUTPUT and roles["Add"] is Role.MERGE


def test_new_nodes_are_named_from_their_declaration() -> None:
    graph = Graph()
    first = graph.add_node(graph.make_node("Conv2d"))
    second = graph.add_node(graph.make_node("Conv2d"))
    stage = graph.add_node(graph.make_node("Stage"))
    # A stage is numbered from 1 (its declaration says so), as torchvision names layer1..layer4.
    assert (first.name, second.name, stage.name) == ("conv", "conv2", "layer1")
    assert first.id == "conv_1" and second.id == "conv_2"


@pytest.mark.parametrize(
    ("block", "params", "channels"),
    [
        ("BasicBlock", {"out_channels": 96}, 96),
        ("Bottleneck", {"width": 32, "expansion": 4}, 128),
        ("Stage", {"block": "bottleneck", "width": 16, "expansion": 2}, 32),
        ("Stage", {"block": "basic", "width": 16, "expansion": 2}, 16),
        ("Conv2d", {"out_channels": 7}, 7),
        ("ReLU", {}, 33),
        ("Head", {"num_classes": 10}, 10),
    ],
)
def test_output_channels_agree_with_the_analysis(
    block: str, params: dict[str, object], channels: int
) -> None:
    spec = get_spec(block)
    p = spec.make_params(params)
    assert spec.output_channels(p, 33) == channels
    graph = Graph()
    source = graph.add_node(graph.make_node("Input", {"channels": 33, "height": 16, "width": 16}))
    node = graph.add_node(graph.make_node(block, params))
    from resnet_studio.core.model import Edge

    graph.connect(Edge(source.id, "out", node.id, "x"))
    shape = analyze(graph).nodes[node.id].output_shape
    assert shape is not None and shape[0] == channels


def test_a_skip_is_not_claimed_before_the_input_is_known() -> None:
    spec = get_spec("BasicBlock")
    p = spec.make_params({"out_channels": 128})
    unknown = spec.skip_of(p, None)
    assert unknown is not None and unknown.kind == "auto" and unknown.label == "?"
    assert "auto shortcut" in spec.describe(p, None) and "projection" not in spec.describe(p, None)
    known = spec.skip_of(p.replace(stride=2), (64, 56, 56))
    assert known is not None and (known.kind, known.label) == ("projection", "1x1, s2")
    assert spec.skip_of(p, (128, 28, 28)).kind == "identity"  # type: ignore[union-attr]
    assert (
        get_spec("Conv2d").tag(get_spec("Conv2d").make_params({"kernel_size": 1, "stride": 2})) == "1x1, s2"
    )
    assert get_spec("ReLU").tag(Params()) == ""


def _bn_and_bias(graph: Graph) -> tuple[int, int]:
    layers = expand_all(graph)
    bns = sum(1 for n in layers.nodes if n.type == "BatchNorm2d")
    biased = sum(1 for n in layers.nodes if n.type == "Conv2d" and n.params.as_bool("bias"))
    return bns, biased


def test_normalisation_none_drops_every_batchnorm_and_gives_the_convolutions_a_bias() -> None:
    graph = preset("resnet18")
    assert _bn_and_bias(graph) == (20, 0)
    for node in graph.nodes:
        if "norm" in node.params:
            graph.set_param(node.id, "norm", "none")
    assert _bn_and_bias(graph) == (0, 20)
    with_bn, without = analyze(preset("resnet18")).totals, analyze(graph).totals
    # ResNet-18's 20 BatchNorms cover 4,800 channels: their scales and shifts (9,600) go, and the 20
    # convolutions before them gain a bias per output channel (4,800).
    assert with_bn.buffers == 2 * 4_800 + 20  # running mean and variance per channel, a counter per layer
    assert with_bn.params - without.params == 9_600 - 4_800
    assert without.buffers == 0 and with_bn.buffers > 0
    assert "no BatchNorm" in get_spec("BasicBlock").describe(graph.node("layer1.0").params, (64, 56, 56))


def test_a_parameter_that_matters_only_sometimes_names_a_sibling_and_one_of_its_values() -> None:
    found = 0
    for spec in all_specs():
        names = {p.name: p for p in spec.params}
        for param in spec.params:
            if param.only_when is None:
                continue
            found += 1
            other, value = param.only_when
            assert other in names and other != param.name, (spec.type_name, param.name)
            assert names[other].validate(value) == value, (spec.type_name, param.name)
            assert param.applies(spec.make_params({other: value}))
    assert found >= 3
