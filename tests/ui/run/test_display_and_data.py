"""The plain-data side of runs: mosaics, levels, previews, histograms, change descriptions, capture budgets,
CSV rows and the reason Run is blocked. No window, no torch."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from resnet_studio.core.activation_stats import ActivationStats
from resnet_studio.core.analysis import RunSettings, analyze
from resnet_studio.core.edits import remove_nodes
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.presets import preset
from resnet_studio.results.run import Activation, ForwardResult, NodeRecord, ValueHistogram, preview_map
from resnet_studio.results.run_request import InputChoice, RunOptions, RunRequest, run_key
from resnet_studio.ui.run.changes import describe_change
from resnet_studio.ui.run.controller import CAPTURE_BUDGET_BYTES, blocked_reason, capture_limits
from resnet_studio.ui.run.display import (
    GAP,
    dead_channels,
    grid_columns,
    levels_for,
    mosaic,
    tile_at,
)
from resnet_studio.ui.run.export import CSV_COLUMNS, statistics_csv


def test_mosaic_puts_every_channel_in_its_tile_and_nan_in_the_gaps() -> None:
    values = np.arange(10 * 3 * 4, dtype=np.float32).reshape(10, 3, 4)
    image = mosaic(values, start=2, count=7, columns=3)
    rows = 3
    assert image.shape == (rows * (3 + GAP) - GAP, 3 * (4 + GAP) - GAP)
    for index in range(7):
        row, col = divmod(index, 3)
        top, left = row * (3 + GAP), col * (4 + GAP)
        np.testing.assert_array_equal(image[top : top + 3, left : left + 4], values[2 + index])
        assert tile_at(left + 1, top + 2, (3, 4), 3) == index
    assert np.isnan(image[3, 0]) and np.isnan(image[0, 4])  # gaps
    assert np.isnan(image[2 * (3 + GAP), 4 + GAP])  # the cell after the last channel
    assert tile_at(4, 0, (3, 4), 3) is None and tile_at(-1, 0, (3, 4), 3) is None


def test_grid_columns_follow_the_aspect() -> None:
    assert grid_columns(256) == 16
    assert grid_columns(64, aspect=4.0) == 16
    assert grid_columns(3) == 2 and grid_columns(1) == 1 and grid_columns(0) == 1


def test_levels_start_at_zero_after_a_relu_and_are_symmetric_for_signed_outputs() -> None:
    relu = levels_for(ActivationStats(100, mean=0.5, std=0.4, min=0.0, max=9.0, zero_fraction=0.4))
    assert relu.low == 0.0 and relu.high == pytest.approx(0.5 + 3 * 0.4) and not relu.signed
    capped = levels_for(ActivationStats(100, mean=0.5, std=2.0, min=0.0, max=1.5, zero_fraction=0.4))
    assert capped.high == 1.5
    signed = levels_for(ActivationStats(100, mean=-0.2, std=1.0, min=-6.0, max=2.0, zero_fraction=0.0))
    assert signed.signed and signed.low == -signed.high and signed.high == pytest.approx(3.2)
    assert levels_for(
        ActivationStats(1, math.nan, math.nan, math.nan, math.nan, 0.0, nan_count=1)
    ).as_tuple() == (0, 1)


def test_dead_channels_and_previews() -> None:
    values = np.ones((4, 5, 5), dtype=np.float32)
    values[1] = 0.0
    values[3, 2, 2] = np.nan
    assert dead_channels(values) == 1
    preview = preview_map(values)
    assert preview is not None and preview.shape == (5, 5) and np.isfinite(preview).all()
    rgb = preview_map(np.random.default_rng(0).normal(size=(3, 6, 7)).astype(np.float32))
    assert rgb is not None and rgb.shape == (6, 7, 3) and rgb.dtype == np.uint8
    assert preview_map(np.ones(10, dtype=np.float32)) is None


def test_histogram_keeps_the_zeros_apart() -> None:
    values = np.array([0.0, 0.0, 0.0, 1.0, 2.0, 3.0, np.nan], dtype=np.float32)
    histogram = ValueHistogram.of(values, bins=3)
    assert histogram.zeros == 3 and histogram.total == 6
    assert histogram.counts.tolist() == [1, 1, 1]
    assert histogram.edges[0] == 1.0 and histogram.edges[-1] == 3.0


def _request(graph_name: str = "resnet18", **changes: object) -> RunRequest:
    graph = preset(graph_name)
    settings = changes.pop("settings", RunSettings())
    options = changes.pop("options", RunOptions())
    for node_id, params in changes.items():
        for key, value in params.items():  # type: ignore[attr-defined]
            graph.set_param(node_id.replace("_", "."), key, value)
    return RunRequest(graph.snapshot(), settings, options)  # type: ignore[arg-type]


def test_describe_change_names_the_skip_and_the_settings() -> None:
    before = _request()
    after = _request(layer2_0={"skip": False})
    assert describe_change(before, after) == "skip off at layer2.0"
    assert describe_change(after, before) == "skip on at layer2.0"
    batch = _request(settings=RunSettings(batch_size=8), options=RunOptions(input=InputChoice("sample")))
    assert describe_change(before, batch) == "batch 1 → 8, input sample image"
    assert describe_change(before, _request()) == "same network and settings"


def test_run_key_ignores_positions_but_not_parameters() -> None:
    graph = preset("resnet20")
    settings, options = RunSettings(), RunOptions()
    key = run_key(graph.nodes, graph.edges, settings, options)
    graph.move("layer1.0", (500.0, 500.0))
    assert run_key(graph.nodes, graph.edges, settings, options) == key
    graph.set_params("layer1.0", {"skip": False})
    assert run_key(graph.nodes, graph.edges, settings, options) != key
    assert run_key(graph.nodes, graph.edges, settings, RunOptions(device="cuda:0")) != key


def test_capture_limits_keep_every_channel_and_stay_within_the_budget() -> None:
    assert capture_limits(analyze(preset("resnet50"))) == (2048, 64)
    big = analyze(expand_all(preset("resnet152")))  # 517 layers, one node each
    channels, size = capture_limits(big)
    assert size < 64 and channels >= 256
    kept = 0
    for node in big:
        shape = node.output_shape
        if shape is not None and len(shape) == 3:
            c, h, w = shape
            stride = max(1, math.ceil(max(h, w) / size))
            kept += min(c, channels) * math.ceil(h / stride) * math.ceil(w / stride) * 4
    assert kept <= CAPTURE_BUDGET_BYTES


def test_blocked_reason_names_the_errors() -> None:
    graph = preset("resnet18")
    assert blocked_reason(analyze(graph)) is None
    remove_nodes(graph, ["layer1.1"]).do(graph)
    reason = blocked_reason(analyze(graph))
    assert (
        reason is not None
        and reason.startswith("Fix the 1 error in the network first")
        and "layer2.0" in reason
    )


def test_statistics_csv_has_a_row_per_node() -> None:
    stats = ActivationStats(8, 0.5, 0.25, 0.0, 1.0, 0.375, 0, 0)
    kept = Activation((1, 2, 2, 2), stats, np.zeros((1, 2, 2, 2), np.float32))
    nodes = (
        NodeRecord("input", "input", "Input", (3, 2, 2), None, 0.01),
        NodeRecord("stem", "stem", "Stem", (2, 2, 2), (2, 2, 2), 1.5, kept),
    )
    result = ForwardResult(
        "ok", "cpu", "CPU", "float32", 1, False, "random (seed 0)", nodes, request=_request()
    )
    rows = list(csv.reader(io.StringIO(statistics_csv(result))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][:3] == ["input", "Input", "3x2x2"] and rows[1][3] == ""
    assert rows[2] == ["stem", "Stem", "2x2x2", "0.5", "0.25", "0.0", "1.0", "0.375", "0", "0", "1.5000"]
