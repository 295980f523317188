"""The Landscape dock's words: each surface's figures (loss at the centre and at most, how much of it is not convex
within the slice), the difference between the two, and what the map does and does not show."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ...results.landscape_request import LandscapeRequest
from ..teaching.landscape_job import Surface
from .panel_frame import escape

EXPLANATION = (
    "Each surface is the loss on one fixed batch at θ + α·δ + β·η, where θ are the network's weights and δ, η two "
    "random directions whose filters are scaled to the norms of the weights' filters (Li et al. 2018); "
    "BatchNorm's own weights stay put. The map beside a surface is its curvature within the slice: at each point "
    "the 2x2 Hessian over α and β, coloured by |λmin/λmax| where λmin < 0 (pale where the surface curves upward "
    "in every direction of the slice). It says nothing of the other directions of the full loss."
)
INITIAL_HINT = (
    "At initialisation a residual network and its plain twin look much alike; after training, a deep plain "
    "network's surface turns rugged. Run the race (Race tab) and choose Weights from the race, or centre on a "
    "weights file. Shallow networks (ResNet-20 and plain-20) stay smooth either way."
)


def surface_words(surfaces: Sequence[Surface], request: LandscapeRequest | None) -> str:
    """Rich text: one paragraph per surface, the difference between the first two, the notes."""
    paragraphs = [_surface(s) for s in surfaces]
    if len(surfaces) >= 2:
        paragraphs.append(_difference(surfaces[0], surfaces[1]))
    notes = {note for s in surfaces for note in s.notes}
    if notes:
        paragraphs.append(f"<i>{escape('; '.join(sorted(notes)))}.</i>")
    if request is not None and all(s.weights is None for s in request.subjects):
        paragraphs.append(f"<i>{escape(INITIAL_HINT)}</i>")
    return "".join(f"<p>{p}</p>" for p in paragraphs if p)


def _surface(surface: Surface) -> str:
    head = f"<b style='font-size:large'>{escape(surface.label)}</b> ({escape(surface.weights_text)})"
    found = surface.finite_range()
    if found is None:
        return f"{head}<br>no point computed yet"
    centre = surface.centre_loss()
    parts = []
    if not math.isnan(centre):
        parts.append(f"loss {loss_text(centre)} at the weights")
    parts.append(f"up to {loss_text(found[1])}")
    if not surface.complete:
        parts.append(f"{surface.done} of {surface.total} points so far")
    line = ", ".join(parts)
    convexity = surface.nonconvexity
    if convexity is not None:
        line += (
            f"<br>non-convex within the slice at <b>{convexity.fraction:.0%}</b> of {convexity.points} interior "
            f"points (mean |λmin/λmax| {convexity.mean_ratio:.2f})"
        )
    return f"{head}<br>{line}"


def _difference(first: Surface, second: Surface) -> str:
    a, b = first.nonconvexity, second.nonconvexity
    if a is None or b is None:
        return ""
    name_a, name_b = escape(first.label), escape(second.label)
    if abs(a.fraction - b.fraction) < 0.05:
        return f"{name_a} and {name_b} are about as convex as each other within this slice."
    rough, smooth = (name_b, name_a) if b.fraction > a.fraction else (name_a, name_b)
    high, low = max(a.fraction, b.fraction), min(a.fraction, b.fraction)
    return f"<b>{rough}</b> is non-convex at {high:.0%} of its points, {smooth} at {low:.0%}."


def loss_text(loss: float) -> str:
    """A loss as a reader says it: '0.52', '3,412', '9.76e+04', 'infinite'."""
    if math.isnan(loss):
        return "not a number"
    if math.isinf(loss):
        return "infinite"
    return f"{loss:,.3g}" if loss < 1e4 else f"{loss:.3g}"
