"""The families after ResNet in the catalogue: their presets' totals match the reference implementations, and
their plans have the reference code's names and structure."""

from __future__ import annotations

import pytest

from resnet_studio.core import analyze, get_spec, preset
from resnet_studio.core.catalogue import layer_tensors
from resnet_studio.core.catalogue.registry import place
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.params import Params
from resnet_studio.core.shapes import TensorInfo


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("resnet50d", 25_576_264),  # timm 1.x resnet50d
        ("seresnet50", 28_088_024),  # timm 1.x seresnet50
        ("resnet50", 25_557_032),  # torchvision, unchanged
    ],
)
def test_family_presets_have_their_reference_parameter_counts(name: str, params: int) -> None:
    analysis = analyze(preset(name))
    assert analysis.ok and analysis.totals.params == params


def test_pre_activation_cifar_networks_are_about_the_papers_size() -> None:
    # He et al. 2016, table 3: ResNet-110 and ResNet-164 (bottleneck) with pre-activation, 1.7 M parameters each.
    for name in ("preact_resnet110", "preact_resnet164"):
        assert 1.65e6 < analyze(preset(name)).totals.params < 1.75e6
    depth = sum(1 for n in preset("preact_resnet164").nodes if n.type == "PreActBlock") * 3 + 2
    assert depth == 164


def steps(
    block: str, values: dict[str, object], shape: tuple[int, int, int]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    spec = get_spec(block)
    plan = spec.plan(spec.make_params(values), (TensorInfo(shape),))  # type: ignore[misc]
    return {s.name: (s.type, s.inputs) for s in plan}


def test_a_pre_activation_block_adds_last_and_projects_the_activated_input() -> None:
    plan = steps("PreActBlock", {"width": 128, "stride": 2}, (64, 32, 32))
    assert list(plan)[:3] == ["bn1", "relu1", "conv1"]
    assert list(plan)[-1] == "add"  # nothing after the addition: a clean identity path
    assert plan["downsample.0"] == ("Conv2d", ("relu1",))
    identity = steps("PreActBlock", {"width": 64}, (64, 32, 32))
    assert identity["add"] == ("Add", ("conv2", ""))


def test_resnet_d_shortcut_pools_before_an_unstrided_projection() -> None:
    plan = steps("Bottleneck", {"width": 128, "stride": 2, "shortcut": "avg-pool"}, (256, 32, 32))
    assert plan["downsample.0"][0] == "AvgPool2d" and plan["downsample.1"] == ("Conv2d", ("downsample.0",))
    unstrided = steps("Bottleneck", {"width": 64, "shortcut": "avg-pool"}, (64, 32, 32))
    assert "downsample.0" not in unstrided and unstrided["downsample.1"] == ("Conv2d", ("",))


def test_se_and_deep_stem_tensors_have_timms_names() -> None:
    se = dict(
        layer_tensors(
            "SEBottleneck", get_spec("SEBottleneck").make_params({"width": 64}), (TensorInfo((64, 8, 8)),)
        )
    )
    assert se["se.fc1.weight"] == (16, 256, 1, 1) and se["se.fc2.bias"] == (256,)
    stem = dict(layer_tensors("DeepStem", get_spec("DeepStem").default_params(), (TensorInfo((3, 64, 64)),)))
    assert list(stem)[:3] == ["conv1.0.weight", "conv1.1.weight", "conv1.1.bias"] and "conv1.6.weight" in stem


def test_drop_path_is_a_step_only_when_it_drops() -> None:
    assert "drop_path" not in steps("BasicBlock", {}, (64, 8, 8))
    plan = steps("BasicBlock", {"drop_path": 0.2}, (64, 8, 8))
    assert plan["drop_path"] == ("DropPath", ("bn2",)) and plan["add"] == ("Add", ("drop_path", ""))
    stage = get_spec("Stage").make_params({"blocks": 2, "drop_path": 0.1})
    assert all(
        Params(s.params)["drop_path"] == 0.1 for s in get_spec("Stage").plan(stage, (TensorInfo((64, 8, 8)),))
    )  # type: ignore[misc]


def test_a_squeeze_and_excitation_gate_widens_the_receptive_field_but_keeps_the_spacing() -> None:
    # The gate is one value per channel from the whole map: every output sees the whole map, but the outputs
    # stay as far apart as the block's input positions (the gate's jump was taken, and grew without bound).
    se, plain = analyze(preset("seresnet50")).nodes, analyze(preset("resnet50")).nodes
    assert all(se[node_id].rf_stride == plain[node_id].rf_stride for node_id in plain)
    assert se["layer1.0"].receptive_field == plain["layer1.0"].receptive_field + (56 - 1) * 4
    assert se["head"].receptive_field == 3967  # the union over the 7x7 map of 3,775-pixel fields, 32 apart
    expanded = analyze(expand_all(preset("seresnet50"))).nodes  # the gate as a Scale node of its own
    for node_id in ("layer1.0", "layer2.0", "layer4.2"):
        last = expanded[f"{node_id}.relu3"]
        assert (last.receptive_field, last.rf_stride) == (se[node_id].receptive_field, se[node_id].rf_stride)


def test_a_broadcast_input_adds_its_field_but_not_its_spacing() -> None:
    out = TensorInfo((64, 28, 28))
    x, gate = ((64, 28, 28), 43, 8), ((64, 1, 1), 259, 224)
    assert place(out, (x, gate)) == (259, 8) == place(out, (gate, x))
    assert place(out, (x, gate, ((64, 28, 28), 47, 8))) == (259, 8)  # three inputs: the general path
    assert place(out, (x, ((64, 28, 28), 51, 8))) == (51, 8)  # an addition: both laid out alike
    assert place(TensorInfo((10,)), (((10,), 5, 3), ((10,), 7, 2))) == (7, 3)  # vectors: no map, any spacing


def test_the_deep_stem_s_description_gives_its_own_figures() -> None:
    deep, plain = analyze(preset("resnet50d")).nodes["stem"], analyze(preset("resnet50")).nodes["stem"]
    words = get_spec("DeepStem").explanation
    assert "11x11 pixels where the 7x7 one sees 7x7" in words and "15x15 against 11x11" in words
    assert (deep.receptive_field, plain.receptive_field) == (15, 11)  # with the max-pool (2 more each side)
    assert "three times the multiply-accumulates" in words and 2.5 < deep.macs / plain.macs < 3.5
