"""Fixtures for the app-shell tests: a ResNet-18 document, a throwaway QSettings file, the main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import PRESETS, preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
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


class Dialogs:
    """Stands in for the modal dialogs: records what was asked and gives scripted answers."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.StandardButton.Discard
        """What the unsaved-changes prompt answers."""
        self.open_path = ""
        self.save_path = ""

    def titles(self, kind: str) -> list[str]:
        """The titles of the dialogs of one kind ('warning', 'critical', ...) shown so far."""
        return [title for k, title, _text in self.asked if k == kind]

    def texts(self, kind: str) -> list[str]:
        """The texts of the dialogs of one kind shown so far."""
        return [text for k, _title, text in self.asked if k == kind]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Message boxes and file dialogs that never block: they answer from a script."""
    script = Dialogs()

    def box(kind: str) -> object:
        def show(_parent: object, title: str, text: str, *_args: object, **_kwargs: object) -> object:
            script.asked.append((kind, title, text))
            return script.answer if kind == "warning" else QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    monkeypatch.setattr(QMessageBox, "about", lambda *a: script.asked.append(("about", a[1], a[2])))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (script.open_path, ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (script.save_path, ""))
    return script


@pytest.fixture
def window(qtbot: object, document: Document, store: SettingsStore, dialogs: Dialogs) -> Iterator[MainWindow]:
    """The main window on ResNet-18, shown (offscreen), with throwaway settings and scripted dialogs."""
    win = MainWindow(document, store)
    document.setParent(win)
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)  # type: ignore[attr-defined]
    win.show_whole_network()
    # as a user finds it: what the window does right after its first paint has been done
    qtbot.waitUntil(lambda: win.undo_router.watching, timeout=5000)  # type: ignore[attr-defined]
    yield win
    dialogs.answer = QMessageBox.StandardButton.Discard  # let teardown close the window without asking
