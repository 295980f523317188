"""Progress from a worker reaches the GUI thread at most ~30 times a second, and its end always does."""

from __future__ import annotations

import pytest

from resnet_studio.ui.workers import thread
from resnet_studio.ui.workers.thread import PROGRESS_INTERVAL_S, PacedProgress


def test_progress_is_paced_and_the_end_always_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(thread.time, "monotonic", lambda: clock[0])
    reported: list[tuple[float, str]] = []
    progress = PacedProgress(lambda fraction, node: reported.append((fraction, node)))
    progress(0.1, "stem")
    progress(0.2, "layer1.0")  # too soon after the first
    clock[0] += PROGRESS_INTERVAL_S
    progress(0.3, "layer1.1")
    progress(1.0, "head")  # the end, however soon
    assert reported == [(0.1, "stem"), (0.3, "layer1.1"), (1.0, "head")]
