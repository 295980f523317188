"""The presets give torchvision's and the paper's figures exactly."""

from __future__ import annotations

import pytest

from resnet_studio.core import analyze, preset, preset_names
from resnet_studio.core.catalogue import Role, role_of

IMAGENET = {
    "resnet18": (11_689_512, 1_814_073_344),
    "resnet34": (21_797_672, 3_663_761_408),
    "resnet50": (25_557_032, 4_089_184_256),
    "resnet101": (44_549_160, 7_801_405_440),
    "resnet152": (60_192_808, 11_513_626_624),
}


@pytest.mark.parametrize(("name", "figures"), IMAGENET.items())
def test_imagenet_presets_match_torchvision(name: str, figures: tuple[int, int]) -> None:
    totals = analyze(preset(name), input_shape=(3, 224, 224)).totals
    assert (totals.params, totals.macs) == figures
    assert totals.flops == 2 * figures[1]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("wide_resnet50_2", 68_883_240),
        ("wide_resnet101_2", 126_886_696),
        ("resnext50_32x4d", 25_028_904),
        ("resnext101_32x8d", 88_791_336),
        ("resnext101_64x4d", 83_455_272),
    ],
)
def test_wide_and_resnext_parameter_counts(name: str, params: int) -> None:
    assert analyze(preset(name)).totals.params == params


@pytest.mark.parametrize(
    ("name", "millions"),
    [("resnet20", 0.27), ("resnet32", 0.46), ("resnet44", 0.66), ("resnet56", 0.85), ("resnet110", 1.7)],
)
def test_cifar_resnets_match_the_paper(name: str, millions: float) -> None:
    analysis = analyze(preset(name))
    assert analysis.ok
    assert analysis[("output")].output_shape == (10,)
    digits = 1 if millions >= 1 else 2
    assert round(analysis.totals.params / 1e6, digits) == millions


def test_resnet20_is_exactly_the_option_a_count() -> None:
    # 3x3 stem (432 + 32), 9 basic blocks without projection parameters, fc 64*10+10.
    assert analyze(preset("resnet20")).totals.params == 269_722


@pytest.mark.parametrize("name", [n for n in preset_names() if not n.endswith("_plain")])
def test_every_preset_has_a_plain_twin_without_skips(name: str) -> None:
    plain = preset(f"{name}_plain")
    assert analyze(plain).ok
    blocks = [n for n in plain.nodes if role_of(n.type) is Role.RESIDUAL]
    assert blocks and all(n.params["skip"] is False for n in blocks)
    # Same shapes everywhere; only the shortcut parameters disappear.
    residual, twin = analyze(preset(name)), analyze(plain)
    assert residual["output"].output_shape == twin["output"].output_shape
    assert twin.totals.params <= residual.totals.params


def test_plain_twin_drops_exactly_the_projection_parameters() -> None:
    # ResNet-18 has three projection shortcuts: 64->128, 128->256, 256->512 (1x1 conv + BN).
    projections = sum(i * o + 2 * o for i, o in ((64, 128), (128, 256), (256, 512)))
    assert (
        analyze(preset("resnet18")).totals.params - analyze(preset("resnet18_plain")).totals.params
        == projections
    )


def test_receptive_field_of_resnet18_is_the_known_435() -> None:
    assert analyze(preset("resnet18"))["layer4.1"].receptive_field == 435
