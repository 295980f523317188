"""The non-convexity map on surfaces whose curvature is known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from resnet_studio.engine.landscape import nonconvexity

AXIS = np.linspace(-1, 1, 21)
X, Y = np.meshgrid(AXIS, AXIS, indexing="ij")
SPACING = float(AXIS[1] - AXIS[0])


def test_a_bowl_is_convex_everywhere() -> None:
    result = nonconvexity(X**2 + 3 * Y**2 + X * Y, SPACING)
    assert result.fraction == 0 and result.mean_ratio == 0 and result.points == 19 * 19
    np.testing.assert_allclose(result.max_eigenvalue, 6.0 + 0 * result.max_eigenvalue, rtol=1e-6, atol=0.3)
    assert np.all(result.ratio == 0)


def test_a_saddle_is_non_convex_everywhere_with_the_eigenvalue_ratio() -> None:
    # Hessian diag(2, -1/2): lambda_min / lambda_max = -1/4 at every point.
    result = nonconvexity(X**2 - Y**2 / 4, SPACING)
    assert result.fraction == 1 and result.mean_ratio == pytest.approx(0.25)
    np.testing.assert_allclose(result.min_eigenvalue, -0.5)
    np.testing.assert_allclose(result.ratio, 0.25)


def test_a_rotated_saddle_needs_the_mixed_derivative() -> None:
    # x*y has no curvature along the axes; only the off-diagonal term makes it a saddle (eigenvalues +-1).
    result = nonconvexity(X * Y, SPACING)
    assert result.fraction == 1 and result.mean_ratio == pytest.approx(1.0)


def test_a_double_well_is_non_convex_only_between_its_inflection_points() -> None:
    # f = x^4 - x^2 + y^2: f_xx = 12x^2 - 2 (+2h^2 from the finite difference) < 0 for |x| < 0.406 on this grid:
    # x in -0.4..0.4, 9 of the 19 interior columns; the ratio there is |f_xx| / 2.
    result = nonconvexity(X**4 - X**2 + Y**2, SPACING)
    assert result.fraction == pytest.approx(9 / 19)
    inner = AXIS[1:-1]
    expected = [abs(12 * x**2 + 2 * SPACING**2 - 2) / 2 for x in inner if 12 * x**2 + 2 * SPACING**2 < 2]
    assert result.mean_ratio == pytest.approx(sum(expected) / len(inner))  # convex columns count 0
    assert result.roughness > 0


def test_a_plane_has_no_curvature_and_infinite_losses_are_left_out() -> None:
    flat = nonconvexity(2 * X - Y + 5, SPACING)
    assert flat.fraction == 0 and flat.roughness == pytest.approx(0, abs=1e-12)
    bowl = X**2 + Y**2
    bowl[10, 10] = math.inf
    result = nonconvexity(bowl, SPACING)
    assert result.points == 19 * 19 - 9 and math.isnan(result.ratio[9, 9])
    with pytest.raises(ValueError, match="at least 3x3"):
        nonconvexity(np.zeros((2, 5)), SPACING)
