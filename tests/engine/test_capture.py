"""Activation statistics and bounded copies."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from resnet_studio.engine.run.capture import (
    CaptureOptions,
    capture,
    is_finite,
    kept_elements,
    kept_view,
    statistics,
)
from resnet_studio.engine.run.readback import Readback
from resnet_studio.engine.run.stats import (
    MOMENTS,
    SUMS,
    PendingStats,
    Recipe,
    ZeroCounter,
    exact_statistics,
    reduce,
    reduce_rows,
    thread_zero_counter,
)


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(st.integers(1, 3), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)),
    st.floats(-3, 3),
    st.floats(0.1, 5),
    st.floats(0, 0.9),
)
def test_statistics_match_numpy_over_the_whole_tensor(
    shape: tuple[int, ...], shift: float, scale: float, zeros: float
) -> None:
    generator = torch.Generator().manual_seed(sum(shape))
    x = torch.randn(shape, generator=generator) * scale + shift
    x[torch.rand(shape, generator=generator) < zeros] = 0.0
    stats = statistics(x)
    data = x.double().numpy()
    assert stats.count == data.size
    assert stats.mean == pytest.approx(data.mean(), rel=1e-4, abs=1e-5)
    assert stats.std == pytest.approx(data.std(), rel=1e-3, abs=1e-4)
    assert (stats.min, stats.max) == (pytest.approx(data.min()), pytest.approx(data.max()))
    assert stats.zero_fraction == pytest.approx(np.mean(data == 0))  # exact for small tensors
    assert stats.finite


def test_large_outputs_are_summarised_exactly() -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.relu(
        torch.randn(4, 64, 56, 56, generator=generator) + torch.linspace(-1, 1, 4).view(4, 1, 1, 1)
    )
    stats, data = statistics(x), x.double()
    assert stats.mean == pytest.approx(data.mean().item(), rel=1e-5)
    assert stats.std == pytest.approx(data.std(unbiased=False).item(), rel=1e-4)
    assert stats.zero_fraction == (x == 0).sum().item() / x.numel()


def test_a_spike_or_nan_anywhere_is_seen() -> None:
    x = torch.zeros(8, 64, 32, 32)
    x[7, 63, 31, 30] = 1e6
    assert statistics(x).max == 1e6
    x[5, 1, 2, 3] = float("nan")
    stats = statistics(x)
    assert stats.nan_count == 1 and stats.max == 1e6 and not stats.finite


def test_channels_last_outputs_give_the_same_statistics() -> None:
    x = torch.relu(torch.randn(4, 64, 40, 40))
    plain, last = statistics(x), statistics(x.contiguous(memory_format=torch.channels_last))
    assert (last.min, last.max, last.count, last.zero_fraction) == (
        plain.min,
        plain.max,
        plain.count,
        plain.zero_fraction,
    )
    assert last.mean == pytest.approx(plain.mean, rel=1e-5) and last.std == pytest.approx(plain.std, rel=1e-5)


def test_nan_and_inf_are_counted_and_the_rest_summarised() -> None:
    x = torch.tensor([[1.0, 2.0, float("nan"), 0.0], [float("inf"), -1.0, 3.0, float("nan")]])
    stats = statistics(x)
    assert (stats.nan_count, stats.inf_count, stats.finite) == (2, 1, False)
    finite = np.array([1.0, 2.0, 0.0, -1.0, 3.0])
    assert stats.mean == pytest.approx(finite.mean()) and (stats.min, stats.max) == (-1.0, 3.0)
    assert not is_finite(x) and is_finite(torch.ones(3)) and not is_finite(torch.tensor([float("-inf")]))


def test_bfloat16_statistics_accumulate_in_float32() -> None:
    x = torch.full((1000, 1000), 1.0, dtype=torch.bfloat16)
    stats = statistics(x)
    assert stats.mean == 1.0 and stats.std == pytest.approx(0.0, abs=1e-3) and stats.zero_fraction == 0.0


def test_capture_keeps_a_bounded_float32_copy() -> None:
    x = torch.randn(4, 100, 130, 90)
    activation = capture(x, CaptureOptions(max_samples=2, max_channels=16, max_size=32))
    assert activation.shape == (4, 100, 130, 90) and activation.truncated
    assert activation.stride == math.ceil(130 / 32)
    assert activation.values.shape == (2, 16, math.ceil(130 / 5), math.ceil(90 / 5))
    assert activation.values.dtype == np.float32
    assert np.array_equal(activation.values, x[:2, :16, ::5, ::5].numpy())
    x.zero_()  # the copy is independent of the tensor
    assert activation.values.any()
    flat = capture(torch.arange(10_000.0).reshape(2, 5000), CaptureOptions(max_features=100))
    assert flat.values.shape == (1, 100) and flat.values[0, 99] == 99.0
    assert flat.stats.zero_fraction == 1 / 10_000  # one zero among all 10 000 values, not just the kept ones


def test_histogram_covers_the_kept_values_of_the_first_sample_with_the_zeros_apart() -> None:
    x = torch.rand(2, 8, 10, 10) + 0.1
    x[0, 0] = 0.0  # one channel of zeros in the first sample
    activation = capture(x, CaptureOptions(bins=16, max_samples=2))
    histogram = activation.histogram
    assert activation.values.shape[0] == 2 and activation.first.shape == (8, 10, 10)
    assert histogram.total == 800 and histogram.zeros == 100 and len(histogram.edges) == 17
    assert histogram.counts.sum() == 700
    constant = capture(torch.zeros(1, 2, 3, 3), CaptureOptions()).histogram
    assert constant.zeros == constant.total == 18 and constant.counts.sum() == 0


@pytest.mark.parametrize("recipe", ["sums", "moments"])
@pytest.mark.parametrize("chunk", [1, 7, 1000, 4096])
def test_statistics_in_chunks_equal_those_of_the_whole_tensor(recipe: Recipe, chunk: int) -> None:
    generator = torch.Generator().manual_seed(chunk)
    x = torch.relu(torch.randn(3, 16, 9, 11, generator=generator) + 0.2)
    whole, chunked = statistics(x, recipe=recipe), statistics(x, recipe=recipe, chunk=chunk)
    assert (chunked.count, chunked.min, chunked.max, chunked.zero_fraction) == (
        whole.count,
        whole.min,
        whole.max,
        whole.zero_fraction,
    )
    assert chunked.mean == pytest.approx(whole.mean, rel=1e-5) and chunked.std == pytest.approx(
        whole.std, rel=1e-5
    )
    data = x.double().numpy()
    assert chunked.std == pytest.approx(data.std(), rel=1e-5) and chunked.zero_fraction == np.mean(data == 0)


@pytest.mark.parametrize("chunk", [3, 64, None])
def test_the_exact_path_counts_nan_and_inf_the_same_in_chunks(chunk: int | None) -> None:
    x = torch.randn(4, 8, 6, 6, generator=torch.Generator().manual_seed(3))
    x[0, 1, 2, 3] = float("nan")
    x[3, 7, 5, 5] = float("inf")
    x[2, 0, 0, :] = float("-inf")
    x[1, 2] = 0.0
    stats = statistics(x, chunk=chunk)
    finite = x[torch.isfinite(x)].double().numpy()
    assert (stats.nan_count, stats.inf_count, stats.count) == (1, 7, x.numel())
    assert stats.mean == pytest.approx(finite.mean()) and stats.std == pytest.approx(finite.std())
    assert (stats.min, stats.max) == (finite.min(), finite.max())
    assert stats.zero_fraction == np.sum(finite == 0) / x.numel()
    assert exact_statistics(x, chunk) == stats


@pytest.mark.parametrize("recipe", ["sums", "moments"])
def test_a_nan_in_a_later_chunk_is_counted(recipe: Recipe) -> None:
    """Python's min() drops a NaN that comes after a number; every chunk's range must be looked at."""
    x = torch.relu(torch.randn(8, 64, 30, 30, generator=torch.Generator().manual_seed(5)))
    x[3, 2, 1, 0] = float("nan")  # far beyond the first chunk of 1000 values
    stats = statistics(x, recipe=recipe, chunk=1000)
    exact = exact_statistics(x)
    assert (stats.nan_count, stats.inf_count) == (1, 0)
    assert (stats.count, stats.min, stats.max, stats.zero_fraction) == (
        exact.count,
        exact.min,
        exact.max,
        exact.zero_fraction,
    )
    assert stats.mean == pytest.approx(exact.mean) and stats.std == pytest.approx(exact.std)


def test_16_bit_chunks_are_converted_one_at_a_time() -> None:
    x = (torch.randn(64, 100, generator=torch.Generator().manual_seed(1)) * 3).to(torch.bfloat16)
    reference = exact_statistics(x.float())
    for chunk in (50, 333, None):
        stats = statistics(x, chunk=chunk, recipe="moments")
        assert (stats.min, stats.max, stats.zero_fraction) == (
            reference.min,
            reference.max,
            reference.zero_fraction,
        )
        assert stats.mean == pytest.approx(reference.mean, rel=1e-5, abs=1e-6)
        assert stats.std == pytest.approx(reference.std, rel=1e-5)


def test_nearly_constant_outputs_take_the_exact_path() -> None:
    x = torch.full((200, 300), 1000.0) + torch.linspace(0, 1e-3, 300)
    stats = statistics(x, recipe="sums")
    assert stats.std == pytest.approx(x.double().std(unbiased=False).item(), rel=1e-6)
    pending, tensors = reduce(x, "sums")
    assert pending.resolve([t.item() for t in tensors]) is None  # E[x^2] - E[x]^2 would have lost the digits


def test_rows_of_equal_size_give_each_output_its_own_figures() -> None:
    generator = torch.Generator().manual_seed(2)
    outputs = [torch.relu(torch.randn(2, 5, 7, 3, generator=generator) * s) for s in (0.5, 1.0, 4.0)]
    rows = torch.stack([o.reshape(-1) for o in outputs])
    numbers = torch.stack(
        reduce_rows(rows), dim=1
    ).tolist()  # k rows of (min, max, variance, mean, non-zeros)
    layout = PendingStats(rows.shape[1], "moments", ((rows.shape[1], MOMENTS),))
    for output, figures in zip(outputs, numbers):
        stats, reference = layout.resolve(figures), exact_statistics(output)
        assert stats is not None
        assert (stats.min, stats.max, stats.zero_fraction) == (
            reference.min,
            reference.max,
            reference.zero_fraction,
        )
        assert stats.mean == pytest.approx(reference.mean, rel=1e-5)
        assert stats.std == pytest.approx(reference.std, rel=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 90), min_size=1, max_size=4),
    st.integers(1, 3),
    st.integers(1, 70),
    st.integers(2, 20),
)
def test_kept_elements_predicts_the_kept_view(
    shape: list[int], samples: int, channels: int, size: int
) -> None:
    options = CaptureOptions(max_samples=samples, max_channels=channels, max_size=size, max_features=50)
    x = torch.zeros(shape)
    kept, _ = kept_view(x, options)
    assert kept_elements(tuple(shape), options) == kept.numel()


def test_readback_gives_numbers_in_order_and_copies_as_they_were() -> None:
    readback = Readback(torch.device("cpu"))
    counts = torch.tensor([3, 4], dtype=torch.int64)
    assert readback.add_numbers([torch.tensor(1.5), counts, torch.tensor(2.0, dtype=torch.float64)]) == 0
    assert readback.add_numbers([torch.tensor([7.0, 8.0])]) == 4
    x = torch.arange(12.0).reshape(3, 4)
    now, later = readback.add_copy(x[:, :2]), readback.add_copy(x[1:], now=False)
    readback.fetch()
    assert readback.numbers == [1.5, 3, 4, 2.0, 7.0, 8.0]
    assert np.array_equal(readback.arrays[now], x[:, :2].numpy()) and readback.arrays[later].shape == (2, 4)
    x.zero_()  # copies, not views: the result outlives the pass's tensors
    assert readback.arrays[now].any() and readback.arrays[later].any()


def test_zeros_are_counted_exactly_through_a_buffer_smaller_than_the_output() -> None:
    x = torch.randn(10_007).relu_()
    x[123] = -0.0
    counter = ZeroCounter(size=1000)
    assert round(sum(c.item() for c in counter.count(x))) == int((x != 0).sum())
    assert counter._buffer is not None and counter._buffer.numel() == 1000


def test_every_pass_on_a_thread_reuses_its_sign_buffer() -> None:
    """A buffer allocated during each pass leaves the heap in pieces that the C library gives back to the
    system, and the next pass faults its pages in again."""
    from resnet_studio.core import preset
    from resnet_studio.engine import build, run_forward

    net = build(preset("resnet20"))
    assert run_forward(net).ok
    buffer = thread_zero_counter()._buffer
    assert buffer is not None
    assert run_forward(net).ok and thread_zero_counter()._buffer is buffer
    other: list[ZeroCounter] = []
    thread = threading.Thread(target=lambda: other.append(thread_zero_counter()))
    thread.start()
    thread.join()
    assert other and other[0] is not thread_zero_counter()  # concurrent runs never share a buffer


def test_cpu_outputs_are_reduced_in_pieces_of_the_sign_buffer_with_the_same_figures() -> None:
    x = torch.relu(torch.randn(2, 64, 56, 56, generator=torch.Generator().manual_seed(7)) - 0.1)
    pending, tensors = reduce(x, "sums", ZeroCounter(size=4096))
    assert pending.chunks[:2] == ((4096, SUMS), (4096, SUMS)) and len(pending.chunks) == math.ceil(
        x.numel() / 4096
    )
    stats = pending.resolve([t.item() for t in tensors])
    data = x.double().numpy()
    assert stats is not None and (stats.count, stats.min, stats.max) == (x.numel(), data.min(), data.max())
    assert stats.zero_fraction == np.mean(data == 0)
    assert stats.mean == pytest.approx(data.mean(), rel=1e-6) and stats.std == pytest.approx(
        data.std(), rel=1e-6
    )
    # Pieces larger than the buffer give several counts each, and the same figures.
    wide, parts = reduce(x, "sums", ZeroCounter(size=1000), chunk=4096)
    assert wide.chunks[0] == (4096, 4 + 5) and wide.resolve([t.item() for t in parts]) == stats


@pytest.mark.parametrize("where", [0, 4096 * 5 + 17, -1])
@pytest.mark.parametrize("bad", [float("nan"), float("-inf"), float("inf")])
def test_nan_or_inf_in_any_piece_sends_the_output_to_the_exact_path(where: int, bad: float) -> None:
    x = torch.randn(64, 1000, generator=torch.Generator().manual_seed(2))
    x.view(-1)[where] = bad
    pending, tensors = reduce(x, "sums", ZeroCounter(size=4096))
    numbers = [t.item() for t in tensors]
    assert pending.resolve(numbers) is None and not pending.finite(numbers)
    stats = statistics(x)
    assert (stats.nan_count, stats.inf_count) == ((1, 0) if math.isnan(bad) else (0, 1))
