"""Fixtures for the run tests: a main window on a small network, scripted dialogs, and a helper that runs and
waits for the result."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import PRESETS, preset
from resnet_studio.core.project import Project
from resnet_studio.engine.run import Fault
from resnet_studio.results.run import ForwardResult
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.settings_store import SettingsStore

SMALL = RunSettings(input_shape=(3, 64, 64))
"""ResNet-18 on 64x64 images: every stage and block is there, and a pass takes a few tens of milliseconds."""
RUN_TIMEOUT_MS = 60_000


@dataclass
class Dialogs:
    """Stands in for modal dialogs: records them and answers from a script."""

    asked: list[tuple[str, str, str]] = field(default_factory=list)
    open_path: str = ""
    save_path: str = ""


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Message boxes and file dialogs that never block."""
    script = Dialogs()

    def box(kind: str) -> Callable[..., object]:
        def show(_parent: object, title: str, text: str, *_args: object, **_kwargs: object) -> object:
            script.asked.append((kind, title, text))
            return QMessageBox.StandardButton.Discard

        return show

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (script.open_path, ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (script.save_path, ""))
    return script


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    """Settings in a temporary INI file."""
    return SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: object, store: SettingsStore, dialogs: Dialogs) -> Iterator[WindowFactory]:
    """Builds a shown main window on a preset (ResNet-18 at 3x64x64 unless told otherwise)."""
    windows: list[MainWindow] = []

    def make(name: str = "resnet18", settings: RunSettings = SMALL) -> MainWindow:
        document = Document()
        document.replace(Project(preset(name), settings, PRESETS[name].title), None)
        window = MainWindow(document, store)
        document.setParent(window)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)  # type: ignore[attr-defined]
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.run_ui.shutdown()  # never leave a thread behind, even when a test failed mid-run


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    """ResNet-18 at 3x64x64."""
    return make_window()


def run(
    qtbot: object, window: MainWindow, faults: tuple[Fault, ...] = (), timeout: int = RUN_TIMEOUT_MS
) -> ForwardResult:
    """Start a run from the controller and wait until it has finished and the thread has ended.

    `faults` are injected into the engine's pass for this run only (the app itself has no way to ask for them)."""
    controller = window.run_ui.controller
    with _faults_injected(faults), qtbot.waitSignal(controller.finished, timeout=timeout) as blocker:  # type: ignore[attr-defined]
        assert controller.run()
    qtbot.waitUntil(lambda: not controller.running, timeout=timeout)  # type: ignore[attr-defined]
    result = blocker.args[0]
    assert isinstance(result, ForwardResult)
    thumbnails = window.run_ui.thumbnails
    qtbot.waitUntil(lambda: thumbnails.result is controller.current)  # type: ignore[attr-defined]
    return result


@contextlib.contextmanager
def _faults_injected(faults: tuple[Fault, ...]) -> Iterator[None]:
    if not faults:
        yield
        return
    from resnet_studio.engine.run import forward

    original = forward.run_forward
    with mock.patch.object(forward, "run_forward", functools.partial(original, faults=faults)):
        yield
