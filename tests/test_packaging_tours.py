"""The screenshot tours (packaging/lesson_tour.py, packaging/teaching_tour.py) still reach their states."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tour(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, str(ROOT / "packaging" / script), *args, "--platform", "offscreen", "--quit"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)


@pytest.mark.parametrize(("lesson", "step"), [("residual", "2"), ("gradient-flow", "2")])
def test_the_lesson_tour_reaches_a_step(lesson: str, step: str) -> None:
    result = tour("lesson_tour.py", lesson, step)
    assert result.returncode == 0, result.stderr
    assert f"ready: {lesson} {step}" in result.stdout


def test_the_lesson_tour_refuses_a_step_the_lesson_does_not_have() -> None:
    result = tour("lesson_tour.py", "residual", "99")
    assert result.returncode == 2 and "residual has steps 1 to" in result.stderr


def test_the_teaching_tour_opens_resnet_56() -> None:
    result = tour("teaching_tour.py", "opened")
    assert result.returncode == 0, result.stderr
    assert "ready: opened" in result.stdout
