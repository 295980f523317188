"""Comparing two runs of the same network: what deferred and eager passes (or chunked ones) must agree on."""

from __future__ import annotations

import numpy as np
import pytest

from resnet_studio.engine import Activation, ForwardResult


def assert_same_run(
    eager: ForwardResult, deferred: ForwardResult, *, exact: bool = True, same_values: bool = True
) -> None:
    """Same status, error node, records, statistics, kept values and outputs.

    `exact`: statistics bit for bit; else the mean and deviation to float32 rounding (other reductions).
    `same_values`: the two passes computed identical values (on the CPU they do); else values, minimum and
    maximum agree to float32 rounding (two GPU passes need not be bit-identical)."""
    assert (deferred.status, deferred.error and deferred.error.kind) == (
        eager.status,
        eager.error and eager.error.kind,
    )
    assert (deferred.error and deferred.error.node) == (eager.error and eager.error.node)
    assert [(r.name, r.shape, r.finite) for r in deferred.nodes] == [
        (r.name, r.shape, r.finite) for r in eager.nodes
    ]
    for a, b in zip(eager.nodes, deferred.nodes):
        assert (a.activation is None) == (b.activation is None), a.name
        if a.activation is not None and b.activation is not None:
            assert_same_activation(a.activation, b.activation, exact=exact, same_values=same_values)
    assert set(deferred.layers) == set(eager.layers)
    for name, layer in eager.layers.items():
        assert_same_activation(layer, deferred.layers[name], exact=exact, same_values=same_values)
    assert len(deferred.outputs) == len(eager.outputs)
    for a, b in zip(eager.outputs, deferred.outputs):
        assert _same_array(a, b, same_values)


def assert_same_activation(a: Activation, b: Activation, *, exact: bool, same_values: bool = True) -> None:
    """Same shape, stride, kept values and statistics (see assert_same_run)."""
    assert a.shape == b.shape and a.stride == b.stride
    assert _same_array(a.values, b.values, same_values)
    if exact and same_values:
        assert a.stats == b.stats
        return
    sa, sb = a.stats, b.stats
    assert (sa.count, sa.nan_count, sa.inf_count) == (sb.count, sb.nan_count, sb.inf_count)
    if same_values:
        assert (sa.min, sa.max, sa.zero_fraction) == (sb.min, sb.max, sb.zero_fraction)
    else:
        assert sb.min == pytest.approx(sa.min, rel=1e-5, abs=1e-6)
        assert sb.max == pytest.approx(sa.max, rel=1e-5, abs=1e-6)
        assert sb.zero_fraction == pytest.approx(sa.zero_fraction, abs=1e-4)
    assert sb.mean == pytest.approx(sa.mean, rel=1e-5, abs=1e-5 * (sa.std + 1e-12))
    assert sb.std == pytest.approx(sa.std, rel=1e-5)


def _same_array(a: np.ndarray, b: np.ndarray, same_values: bool) -> bool:
    if same_values:
        return bool(np.array_equal(a, b, equal_nan=True))
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-4, atol=1e-5, equal_nan=True))
