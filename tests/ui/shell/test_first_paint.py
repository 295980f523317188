"""Work held back until the window's first paint: not before it, soon after it, and never lost if hidden."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from resnet_studio.ui import first_paint
from resnet_studio.ui.first_paint import FirstPaint


def test_held_work_waits_for_the_first_paint(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        first_paint, "HIDDEN_FALLBACK_MS", 600_000
    )  # however slow the machine, not the fallback
    window = QWidget()
    qtbot.addWidget(window)
    held = FirstPaint(window)
    calls: list[str] = []
    held.later(0, lambda: calls.append("held"))
    qtbot.wait(50)
    assert calls == [] and not held.painted
    window.show()
    qtbot.waitUntil(lambda: calls == ["held"], timeout=2000)
    assert held.painted
    held.later(0, lambda: calls.append("after"))  # once painted, work is only delayed by its own delay
    qtbot.waitUntil(lambda: calls == ["held", "after"], timeout=2000)


def test_a_window_never_shown_still_runs_its_held_work(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_paint, "HIDDEN_FALLBACK_MS", 30)
    window = QWidget()
    qtbot.addWidget(window)
    held = FirstPaint(window)
    calls: list[int] = []
    held.later(10, lambda: calls.append(1))
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    assert held.painted
