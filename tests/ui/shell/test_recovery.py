"""Nothing lost after a crash: unsaved work goes to a recovery file, and the next start offers it back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from resnet_studio.core.commands import SetParam
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.recovery import RECOVERY_DIR_ENV, Autosaver, left_behind

from .conftest import Dialogs


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A recovery folder of this test alone."""
    path = tmp_path / "recovery"
    monkeypatch.setenv(RECOVERY_DIR_ENV, str(path))
    return path


def test_unsaved_work_is_written_and_removed_once_saved(
    qapp: object, document: Document, folder: Path, tmp_path: Path
) -> None:
    saver = Autosaver(document, interval_s=3600)
    assert not saver.write_now() and not saver.file.exists()  # nothing changed: nothing written
    document.push(SetParam("layer2.0", "stride", 1))
    assert saver.write_now() and saver.file.exists()
    assert not saver.write_now()  # nothing changed since
    assert left_behind(folder) == []  # this session's own file is not offered while it runs
    document.save(tmp_path / "net.rsproj.json")
    assert not saver.file.exists()
    document.push(SetParam("layer2.0", "stride", 2))
    assert saver.write_now()
    saver.stop()  # a normal close
    assert list(folder.iterdir()) == []


def test_a_write_that_fails_leaves_the_editing_alone(
    qapp: object, document: Document, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    os.environ[RECOVERY_DIR_ENV] = str(blocked)
    try:
        saver = Autosaver(document, interval_s=3600)
    finally:
        del os.environ[RECOVERY_DIR_ENV]
    document.push(SetParam("layer2.0", "stride", 1))
    assert not saver.write_now()
    assert document.is_modified


KILLED_MID_EDIT = """
import os, signal, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from resnet_studio.core.commands import SetParam
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.recovery import Autosaver
from resnet_studio.ui.settings_store import SettingsStore

app = QApplication([])
document = Document()
document.replace(Project(preset("resnet18"), name="ResNet-18"), None)
window = MainWindow(document, SettingsStore(QSettings(sys.argv[1], QSettings.Format.IniFormat)))
window.autosaver.timer.setInterval(50)  # the app writes every 30 s; here as soon as possible
window.show()

def edit_then_die():
    document.push(SetParam("layer3.0", "stride", 1))
    QTimer.singleShot(500, lambda: os.kill(os.getpid(), signal.SIGKILL))

QTimer.singleShot(0, edit_then_die)
app.exec()
"""


def test_after_a_kill_the_next_start_offers_the_work_back(
    qtbot: object, window: MainWindow, dialogs: Dialogs, folder: Path, tmp_path: Path
) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_EDIT, str(tmp_path / "settings.ini")],
        env={**os.environ, RECOVERY_DIR_ENV: str(folder)},
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    (found,) = left_behind(folder)
    assert found.title == "Untitled" or "ResNet-18" in found.title
    monkey_answer = {"question": QMessageBox.StandardButton.Yes}

    def ask(_parent: object, title: str, text: str, *_a: object, **_k: object) -> object:
        dialogs.asked.append(("question", title, text))
        return monkey_answer["question"]

    QMessageBox.question = ask  # type: ignore[method-assign]  # the dialogs fixture restores it
    assert window.offer_recovery()
    assert dialogs.titles("question") == ["Recover unsaved work"]
    assert window.document.graph.node("layer3.0").params["stride"] == 1  # the edit made before the kill
    assert window.document.is_modified
    assert left_behind(folder) == []  # recovered once, not offered again


def test_discarding_an_offer_deletes_it(window: MainWindow, dialogs: Dialogs, folder: Path) -> None:
    folder.mkdir()
    (folder / "1-abc.recovery.json").write_text("{}")
    (found,) = left_behind(folder)

    def ask(*_a: object, **_k: object) -> object:
        return QMessageBox.StandardButton.Discard

    QMessageBox.question = ask  # type: ignore[method-assign]
    assert not window.offer_recovery([found])
    assert left_behind(folder) == [] and not any(folder.iterdir())
