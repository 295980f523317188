"""Shape rules follow PyTorch's documented formulas (floor mode, padding, dilation, ceil mode)."""

from __future__ import annotations

import pytest

from resnet_studio.core.catalogue import LayerProblem, evaluate, get_spec
from resnet_studio.core.shapes import TensorInfo, conv_output_size, pool_output_size


def run(block: str, shape: tuple[int, ...], **params: object):  # type: ignore[no-untyped-def]
    return evaluate(block, get_spec(block).make_params(params), (TensorInfo(shape),))


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "d", "expected"),
    [
        (224, 7, 2, 3, 1, 112),
        (56, 3, 2, 1, 1, 28),
        (7, 3, 2, 0, 1, 3),
        (32, 3, 1, 2, 2, 32),
        (5, 5, 1, 0, 1, 1),
    ],
)
def test_conv_output_size(size: int, k: int, s: int, p: int, d: int, expected: int) -> None:
    assert conv_output_size(size, k, s, p, d) == expected


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "ceil", "expected"),
    # ceil mode: the last window must start inside the input or the left padding (PyTorch's rule).
    [(112, 3, 2, 1, False, 56), (7, 2, 2, 0, False, 3), (7, 2, 2, 0, True, 4), (5, 3, 2, 1, True, 3)],
)
def test_pool_output_size(size: int, k: int, s: int, p: int, ceil: bool, expected: int) -> None:
    assert pool_output_size(size, k, s, p, 1, ceil) == expected


def test_conv_counts_parameters_and_macs() -> None:
    cost = run("Conv2d", (64, 56, 56), out_channels=128, kernel_size=3, stride=2, padding=1)
    assert cost.output.shape == (128, 28, 28)
    assert cost.params == 128 * 64 * 9
    assert cost.macs == 128 * 28 * 28 * 64 * 9


def test_grouped_conv_with_bias() -> None:
    cost = run("Conv2d", (32, 8, 8), out_channels=64, kernel_size=3, groups=4, bias=True)
    assert cost.params == 64 * (32 // 4) * 9 + 64


def test_groups_that_do_not_divide_the_channels_are_an_error_with_a_fix() -> None:
    with pytest.raises(LayerProblem) as caught:
        run("Conv2d", (30, 8, 8), out_channels=64, groups=4)
    assert caught.value.problem.fix is not None
    assert caught.value.problem.fix.set_params == (("groups", 1),)


def test_vanishing_map_is_an_error_naming_what_is_needed() -> None:
    with pytest.raises(LayerProblem, match="vanishes") as caught:
        run("Conv2d", (3, 2, 2), kernel_size=5, padding=0)
    assert caught.value.problem.actual == "2x2"


def test_stride_two_on_odd_map_that_skips_the_last_row_warns() -> None:
    cost = run("MaxPool2d", (8, 7, 7), kernel_size=2, stride=2, padding=0)
    assert cost.output.shape == (8, 3, 3)
    assert cost.warnings and "last 1 row" in cost.warnings[0].message


def test_usual_stride_two_layers_do_not_warn() -> None:
    assert not run("Conv2d", (64, 56, 56), kernel_size=1, stride=2, padding=0).warnings
    assert not run("Conv2d", (64, 7, 7), kernel_size=3, stride=2, padding=1).warnings
    assert not run("MaxPool2d", (64, 112, 112)).warnings


def test_pool_padding_over_half_the_window_is_refused_as_pytorch_does() -> None:
    with pytest.raises(LayerProblem, match="more than half"):
        run("MaxPool2d", (8, 10, 10), kernel_size=2, padding=2)


def test_linear_on_a_feature_map_suggests_flatten() -> None:
    with pytest.raises(LayerProblem) as caught:
        run("Linear", (512, 7, 7))
    fix = caught.value.problem.fix
    assert fix is not None and fix.insert[0][0] == "Flatten"


def test_batchnorm_has_parameters_and_buffers_apart() -> None:
    cost = run("BatchNorm2d", (64, 8, 8))
    assert (cost.params, cost.buffers) == (128, 129)


def test_zero_pad_shortcut_subsamples_and_adds_channels_without_parameters() -> None:
    cost = run("ZeroPadShortcut", (16, 33, 32), out_channels=32, stride=2)
    assert cost.output.shape == (32, 17, 16)
    assert cost.params == 0


def test_bottleneck_v1_and_v1_5_differ_only_in_macs() -> None:
    v15 = run("Bottleneck", (256, 56, 56), width=128, stride=2, stride_on="3x3")
    v1 = run("Bottleneck", (256, 56, 56), width=128, stride=2, stride_on="1x1")
    assert v1.params == v15.params
    assert v1.output.shape == v15.output.shape == (512, 28, 28)
    assert v1.macs < v15.macs


def test_identity_shortcut_that_cannot_fit_explains_itself() -> None:
    with pytest.raises(LayerProblem) as caught:
        run("BasicBlock", (64, 56, 56), out_channels=128, stride=2, shortcut="identity")
    problem = caught.value.problem
    assert "identity shortcut carries 64x56x56" in problem.message
    assert "128x28x28" in problem.message
    assert problem.fix is not None and problem.fix.set_params == (("shortcut", "projection"),)


def test_stage_reports_the_failing_block_and_keeps_the_fix() -> None:
    with pytest.raises(LayerProblem) as caught:
        run("Stage", (64, 56, 56), width=128, stride=2, shortcut="identity", blocks=3)
    assert caught.value.problem.message.startswith("block 0:")
    assert caught.value.problem.fix is not None


def test_every_declaration_is_complete() -> None:
    from resnet_studio.core.catalogue import all_specs

    for spec in all_specs():
        assert spec.explanation and spec.summary and spec.title
        params = spec.default_params()
        spec.describe(params, (64, 56, 56))
        spec.describe(params, None)
        for p in spec.params:
            assert p.validate(p.default) == p.default
