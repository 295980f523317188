"""Deferred passes (everything read back once, at the end) against eager ones (read back after every node).

The deferred mode is the default on CUDA. Here it runs on the CPU: with the CPU's reductions it must give exactly
what the eager mode gives; with the GPU's (rows of held outputs, staged transfers) the same to float32 rounding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch

from resnet_studio.core import preset
from resnet_studio.core.expansion import expand_all
from resnet_studio.engine import CancelToken, Fault, build, run_forward
from resnet_studio.engine.run import forward as forward_module
from resnet_studio.engine.run import readback as readback_module
from resnet_studio.engine.run import recorder as recorder_module
from resnet_studio.engine.run.recorder import PassRecorder

from .compare import assert_same_run
from .graphs import small_cnn, two_branch


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """The `deferred` flag of every pass run_forward makes (a repeat shows as a second entry)."""
    seen: list[bool] = []

    class Spy(PassRecorder):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            seen.append(self.deferred)

    monkeypatch.setattr(forward_module, "PassRecorder", Spy)
    yield seen


RUNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("small", small_cnn, {}),
    ("resnet20", lambda: preset("resnet20"), {}),
    ("resnet20 channels last", lambda: preset("resnet20"), {"channels_last": True}),
    ("resnet20 nothing captured", lambda: preset("resnet20"), {"capture_nodes": ()}),
    ("two inputs and outputs", two_branch, {}),
    (
        "inner layers",
        lambda: preset("resnet20"),
        {"capture_nodes": ["stem", "layer1.0.bn1", "layer2.0.relu2"]},
    ),
]


@pytest.mark.parametrize(("graph", "kwargs"), [(g, k) for _, g, k in RUNS], ids=[n for n, _, _ in RUNS])
def test_a_deferred_pass_gives_exactly_what_an_eager_one_gives(
    graph: Any, kwargs: dict[str, Any], passes: list[bool]
) -> None:
    net = build(graph())
    eager = run_forward(net, batch_size=3, deferred=False, **kwargs)
    deferred = run_forward(net, batch_size=3, deferred=True, **kwargs)
    assert eager.ok and deferred.ok, (eager.error, deferred.error)
    assert_same_run(eager, deferred)
    assert passes == [False, True]  # one pass each: nothing needed a repeat


def test_the_first_node_with_nan_is_found_by_an_eager_repeat_with_exact_counts(passes: list[bool]) -> None:
    net = build(small_cnn())
    eager = run_forward(net, batch_size=2, deferred=False, faults=[Fault("nan", "block")])
    deferred = run_forward(net, batch_size=2, deferred=True, faults=[Fault("nan", "block")])
    assert (
        deferred.error is not None and deferred.error.kind == "non_finite" and deferred.error.node == "block"
    )
    assert_same_run(eager, deferred)
    assert deferred.node("block").activation.stats.nan_count >= 1
    assert passes == [False, True, False]  # the deferred pass saw NaN and was repeated eagerly


def test_inf_in_a_node_that_is_not_captured_needs_no_repeat(passes: list[bool]) -> None:
    net = build(small_cnn())
    deferred = run_forward(net, deferred=True, capture_nodes=(), faults=[Fault("inf", "stem")])
    assert deferred.error is not None and deferred.error.node == "stem"
    assert [r.finite for r in deferred.nodes] == [True, False, False, False, False, False]
    assert passes == [True]  # the finite flags alone name the node


def test_outputs_that_a_later_relu_overwrites_are_summarised_before_it_runs(passes: list[bool]) -> None:
    net = build(expand_all(preset("resnet18"), (3, 32, 32)), (3, 32, 32))
    eager = run_forward(net, batch_size=2, deferred=False)
    deferred = run_forward(net, batch_size=2, deferred=True)
    assert_same_run(eager, deferred)
    assert deferred.node("bn1").activation.stats.min < 0  # BatchNorm's output, read before ReLU ran in place
    assert passes == [False, True]


def test_a_held_output_changed_in_place_is_caught_and_the_pass_repeated(
    monkeypatch: pytest.MonkeyPatch, passes: list[bool]
) -> None:
    # Pretend nothing is overwritten: the BatchNorm outputs are held, ReLU changes them, the version counter tells.
    monkeypatch.setattr(forward_module, "overwritten_slots", lambda net: frozenset())
    net = build(expand_all(preset("resnet18"), (3, 32, 32)), (3, 32, 32))
    eager = run_forward(net, batch_size=2, deferred=False)
    deferred = run_forward(net, batch_size=2, deferred=True)
    assert_same_run(eager, deferred)
    assert passes == [False, True, False]


def test_outputs_beyond_the_held_budget_are_summarised_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder_module, "HELD_BYTES", 40_000)  # room for a few of resnet20's outputs
    net = build(preset("resnet20"))
    assert_same_run(
        run_forward(net, batch_size=2, deferred=False), run_forward(net, batch_size=2, deferred=True)
    )


def test_rows_of_the_gpu_recipe_match_its_per_output_reductions(
    monkeypatch: pytest.MonkeyPatch, passes: list[bool]
) -> None:
    # CUDA's recipe on the CPU: held outputs of equal size reduced as the rows of one tensor, the others one by
    # one; the figures agree to float32 rounding, the minimum, maximum and counts exactly.
    monkeypatch.setattr(recorder_module, "recipe_for", lambda device: "moments")
    net = build(preset("resnet20"))
    for kwargs in ({}, {"channels_last": True}, {"dtype": "float64"}):
        eager = run_forward(net, batch_size=3, deferred=False, **kwargs)
        deferred = run_forward(net, batch_size=3, deferred=True, **kwargs)
        assert_same_run(eager, deferred, exact=False)
    nan = run_forward(net, deferred=True, faults=[Fault("nan", "layer2.1")])
    assert nan.error is not None and nan.error.node == "layer2.1" and passes[-2:] == [True, False]


def test_a_cancelled_deferred_pass_keeps_what_ran() -> None:
    token = CancelToken()

    def progress(fraction: float, name: str) -> None:
        if name == "block":
            token.cancel()

    result = run_forward(small_cnn(), progress=progress, cancel=token, deferred=True)
    assert result.status == "cancelled" and [r.name for r in result.nodes] == ["input", "stem", "block"]
    assert result.node("block").activation is not None and result.node("block").time_ms is not None


def test_a_deferred_pass_that_fails_keeps_what_ran() -> None:
    result = run_forward(small_cnn(), faults=[Fault("device_lost", "bottleneck")], deferred=True)
    assert result.error is not None and result.error.kind == "device_lost"
    assert [r.name for r in result.nodes] == ["input", "stem", "block"]
    assert result.node("stem").activation is not None


def test_progress_reports_every_node_once_even_when_the_pass_is_repeated() -> None:
    seen: list[str] = []
    run_forward(
        small_cnn(), deferred=True, faults=[Fault("nan", "stem")], progress=lambda f, n: seen.append(n)
    )
    assert seen == ["input", "stem", "block", "bottleneck", "head", "output"]


def test_training_passes_read_back_eagerly(passes: list[bool]) -> None:
    result = run_forward(build(small_cnn()), train=True, batch_size=4, deferred=True)
    assert result.ok and passes == [False]


def test_the_chunk_size_does_not_change_what_a_run_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    net = build(preset("resnet20"))
    whole = run_forward(net, batch_size=2)
    monkeypatch.setattr("resnet_studio.engine.run.stats.CHUNK_ELEMENTS", 1000)
    monkeypatch.setattr("resnet_studio.engine.run.stats.ZERO_BUFFER_ELEMENTS", 300)
    chunked = run_forward(net, batch_size=2)
    assert_same_run(whole, chunked, exact=False)


def test_a_network_run_twice_deferred_gives_the_same_figures() -> None:
    net = build(preset("resnet20"))
    first, second = run_forward(net, deferred=True), run_forward(net, deferred=True)
    assert_same_run(first, second)
    assert torch.equal(torch.from_numpy(first.outputs[0]), torch.from_numpy(second.outputs[0]))


def test_the_gpu_code_path_run_on_the_cpu_gives_what_an_eager_pass_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Everything a CUDA pass does but pinning memory and timing with events: the GPU recipe, held outputs reduced
    # as rows, and the read-back's staged transfers (numbers concatenated per dtype, copies concatenated and split).
    monkeypatch.setattr(recorder_module, "recipe_for", lambda device: "moments")
    monkeypatch.setattr(
        readback_module, "_pinned_copy", lambda tensor, dtype: tensor.to("cpu", dtype, copy=True)
    )
    monkeypatch.setattr(readback_module, "DIRECT_COPY_ELEMENTS", 5000)  # some copies take the direct way
    original = readback_module.Readback.__init__

    def as_if_on_a_gpu(self: readback_module.Readback, device: torch.device) -> None:
        original(self, device)
        self.cpu, self.cuda = False, True

    monkeypatch.setattr(readback_module.Readback, "__init__", as_if_on_a_gpu)
    net = build(preset("resnet20"))
    runs: list[dict[str, Any]] = [
        {},
        {"capture_nodes": ["stem", "layer1.0.bn1", "layer3.2"]},
        {"dtype": "float64", "channels_last": True},
        {"faults": [Fault("nan", "layer2.0")]},
    ]
    for kwargs in runs:
        eager = run_forward(net, batch_size=3, deferred=False, **kwargs)
        deferred = run_forward(net, batch_size=3, deferred=True, **kwargs)
        assert_same_run(eager, deferred, exact=False)
