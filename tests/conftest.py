"""Test configuration: Qt runs offscreen, set before any QApplication exists."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import tempfile

# Recovery files of the windows the tests open go to a folder of this run, never the user's data folder.
os.environ.setdefault("RESNET_STUDIO_RECOVERY_DIR", tempfile.mkdtemp(prefix="resnet-studio-recovery-"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the long fuzz profile out unless it is asked for by marker (`pytest -m fuzz`)."""
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    fuzz = [item for item in items if item.get_closest_marker("fuzz") is not None]
    if fuzz:
        config.hook.pytest_deselected(items=fuzz)
        items[:] = [item for item in items if item.get_closest_marker("fuzz") is None]
