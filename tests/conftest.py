"""Test configuration: Qt runs offscreen, set before any QApplication exists."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import tempfile

# Recovery files of the windows the tests open go to a folder of this run, never the user's data folder.
os.environ.setdefault("RESNET_STUDIO_RECOVERY_DIR", tempfile.mkdtemp(prefix="resnet-studio-recovery-"))
