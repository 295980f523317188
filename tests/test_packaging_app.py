"""How the packaging tests run the real app for a while and end it: with RESNET_STUDIO_STARTUP_PROBE=quit:SECONDS
the app quits that long after its window is on screen, closing the window as a user would, and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from resnet_studio.ui.app import _quit_delay


@pytest.mark.parametrize(
    ("value", "delay"), [("quit", 0.0), ("quit:3", 3.0), ("quit:0.5", 0.5), ("quit:x", 0.0), ("1", None)]
)
def test_probe_values(value: str, delay: float | None) -> None:
    assert _quit_delay(value) == delay


def launch(tmp_path: Path, probe: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "RESNET_STUDIO_STARTUP_PROBE": probe,
        "RESNET_STUDIO_SETTINGS": str(tmp_path / "settings.ini"),
        "RESNET_STUDIO_RECOVERY_DIR": str(tmp_path / "recovery"),
    }
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio"], env=env, capture_output=True, text=True, timeout=180
    )


def test_quit_after_a_second_closes_the_window_and_exits_0(tmp_path: Path) -> None:
    result = launch(tmp_path, "quit:1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "window exposed at" in result.stdout
    # The window saves its layout when it closes: the app ended through the window, not by being cut off.
    assert "state=" in (tmp_path / "settings.ini").read_text()
