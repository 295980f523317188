"""Painting that cannot take the app down: an error inside a Qt paint callback is logged, not propagated.

A Python exception escaping QGraphicsItem.paint leaves the painter mid-frame and can crash the process, so the
paint methods of the canvas are wrapped; the tests fail on any such logged error.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Paint = TypeVar("Paint", bound=Callable[..., None])


def guarded(paint: Paint) -> Paint:
    """Wrap a paint method: log (once per class) instead of raising."""
    reported: set[str] = set()

    @functools.wraps(paint)
    def wrapper(self: object, *args: Any) -> None:
        try:
            paint(self, *args)
        except Exception:
            name = type(self).__name__
            if name not in reported:
                reported.add(name)
                log.exception("drawing a %s failed; it is left blank", name)

    return wrapper  # type: ignore[return-value]
