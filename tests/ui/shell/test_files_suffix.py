"""Project files are saved as NAME.rsproj.json (the desktop's file type for projects); any .json still opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from resnet_studio.core.project import load
from resnet_studio.ui.files import PROJECT_FILTER, PROJECT_SUFFIX
from resnet_studio.ui.main_window import MainWindow

from .conftest import Dialogs


def ask_save(window: MainWindow, monkeypatch: pytest.MonkeyPatch, answer: str) -> tuple[str, str]:
    """Run Save As with a dialog that answers `answer`; returns the (suggested path, filter) it was shown."""
    shown: list[tuple[str, str]] = []

    def dialog(_parent: object, _title: str, suggested: str, filters: str) -> tuple[str, str]:
        shown.append((suggested, filters))
        return answer, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    window.files.save_as()
    return shown[0]


def test_a_new_project_is_offered_as_name_rsproj_json(
    window: MainWindow, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    suggested, filters = ask_save(window, monkeypatch, str(tmp_path / "net.rsproj.json"))
    assert Path(suggested).name == "resnet-18.rsproj.json"
    assert filters == PROJECT_FILTER and "*.rsproj.json" in filters and "*.json" in filters
    assert load(tmp_path / "net.rsproj.json").node("layer2.0") is not None


def test_a_name_typed_without_extension_gets_the_project_extension(
    window: MainWindow, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ask_save(window, monkeypatch, str(tmp_path / "lecture"))
    assert (tmp_path / f"lecture{PROJECT_SUFFIX}").exists() and not (tmp_path / "lecture").exists()
    assert window.document.path == tmp_path / "lecture.rsproj.json"


def test_save_as_of_an_opened_plain_json_offers_its_own_name(
    window: MainWindow, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "old.json"
    assert window.files.save_as(path)
    dialogs.open_path = str(path)
    assert window.files.open(path)
    suggested, _ = ask_save(window, monkeypatch, "")  # cancelled
    assert Path(suggested) == path
