"""Run settings: sizes no device could hold are refused in one line; a training pass is checked for BatchNorm."""

from __future__ import annotations

import pytest

from resnet_studio.core import RunSettings, analyze, preset
from resnet_studio.core.report import render
from resnet_studio.core.shapes import MAX_BATCH, MAX_INPUT_VALUES

HUGE = 10**200


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"input_shape": (3, HUGE, HUGE)}, "an input of 3x(a 201-digit number)x(a 201-digit number) is more"),
        ({"input_shape": (1, MAX_INPUT_VALUES + 1, 1)}, "at most 2,147,483,648 values per sample"),
        ({"batch_size": HUGE}, "batch size must be between 1 and 65,536, found a 201-digit number"),
        ({"batch_size": MAX_BATCH + 1}, "batch size must be between 1 and 65,536"),
        ({"input_shape": (3, 0, 8)}, "three positive integers"),
        ({"input_shape": (3, True, 8)}, "three positive integers"),
    ],
)
def test_sizes_beyond_any_device_are_one_line_errors(settings: dict[str, object], expected: str) -> None:
    with pytest.raises(ValueError) as caught:
        RunSettings(**settings)  # type: ignore[arg-type]
    message = str(caught.value)
    assert expected in message and "\n" not in message and len(message) < 200


def test_the_largest_sizes_accepted_still_render_every_report() -> None:
    # Every figure of the largest accepted input must fit in a float: the reports divide and format them.
    settings = RunSettings((2, 32768, 32768), MAX_BATCH, "float64")
    analysis = analyze(preset("resnet18"), settings=settings)
    for fmt in ("table", "markdown", "csv", "json"):
        assert render(preset("resnet18"), analysis, fmt)


def test_training_flag_makes_one_value_per_channel_an_error_that_names_the_fix() -> None:
    graph = preset("resnet18")
    assert analyze(graph, (3, 32, 32), 1).ok
    analysis = analyze(graph, (3, 32, 32), 1, training=True)
    assert [d.node_name for d in analysis.errors] == ["layer4.0", "layer4.1"]
    assert "batch of 2 or more" in analysis.errors[0].message
    assert analyze(graph, (3, 32, 32), 2, training=True).ok
    assert analyze(graph, (3, 64, 64), 1, training=True).ok  # 2x2 maps: four values per channel


def test_the_incremental_analysis_follows_the_training_flag_and_the_batch() -> None:
    from resnet_studio.core import Analyzer

    graph = preset("resnet18")
    analyzer = Analyzer(graph)
    assert analyzer.analyze(RunSettings((3, 32, 32), 1)).ok
    assert not analyzer.analyze(RunSettings((3, 32, 32), 1, training=True)).ok
    assert analyzer.analyze(RunSettings((3, 32, 32), 4, training=True)).ok
    assert not analyzer.analyze(RunSettings((3, 32, 32), 1, training=True)).ok
