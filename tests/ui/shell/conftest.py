"""Fixtures for the app-shell tests: a ResNet-18 document, a throwaway QSettings file, the main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import PRESETS, preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.settings_store import SettingsStore


@pytest.fixture
def document(qapp: object) -> Iterator[Document]:
    """ResNet-18, unmodified, nothing selected."""
    doc = Document()
    doc.replace(Project(preset("resnet18"), RunSettings(), PRESETS["resnet18"].title), None)
    yield doc
    doc.undo_stack.clear()


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    """Settings in a temporary INI file: the tests never touch the user's real settings."""
    return SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
