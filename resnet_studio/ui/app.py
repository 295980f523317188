"""Start the desktop app: check the arguments, create the QApplication, show the main window."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.analysis import RunSettings
from ..core.errors import UnknownPresetError
from ..core.graph import Graph
from ..core.presets import PRESETS, preset
from ..core.project import Project, ProjectFileError, load_project
from ..results.checkpoint_files import is_checkpoint_file

DEFAULT_PRESET = "resnet18"
STARTUP_PROBE_ENV = "RESNET_STUDIO_STARTUP_PROBE"
"""When set, print 'resnet-studio: window exposed at <unix time> torch=<loaded?> cpu=<seconds>' once the window is
on screen (cpu: the process's CPU time by then), then 'resnet-studio: packages at exposure: a,b,...' (the
top-level packages imported by then) and 'resnet-studio: modules at exposure: a,a.b,...' (every module); with
the value 'quit' the app then quits, with 'quit:SECONDS' that long after (used by bench/ui_startup_bench.py,
the tests and the packaging smoke tests)."""


class StartupError(Exception):
    """The arguments name something that cannot be opened (printed as one line, exit status 2)."""


def initial_project(file: str | None, preset_name: str | None) -> tuple[Project, Path | None]:
    """The project the window starts with: FILE, --preset NAME, or ResNet-18."""
    if file is not None and preset_name is not None:
        raise StartupError("give a project FILE or --preset NAME, not both")
    if file is not None and is_checkpoint_file(file):
        if not Path(file).is_file():
            raise StartupError(f"there is no checkpoint file {file!r}")
        return Project(Graph(), RunSettings(), Path(file).stem), None  # opened once the window is up
    if file is not None:
        try:
            return load_project(file), Path(file)
        except ProjectFileError as error:
            raise StartupError(error.summary()) from None
    name = preset_name or DEFAULT_PRESET
    try:
        graph = preset(name)
    except UnknownPresetError as error:
        raise StartupError(str(error)) from None
    found = PRESETS.get(name.strip().lower().replace("-", ""))
    title = found.title if found else name
    return Project(graph, RunSettings(), title, found.described(graph) if found else ""), None


def run(file: str | None, preset: str | None, qt_args: list[str]) -> int:
    """Open the main window and run the event loop; returns the exit status."""
    with _collector_off():
        try:
            project, path = initial_project(file, preset)
        except StartupError as error:
            print(f"resnet-studio: error: {error}", file=sys.stderr)
            return 2

        # Qt is imported only now, so argument errors stay fast and never open a window.
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication, QIcon
        from PySide6.QtWidgets import QApplication

        from ..core.resources import resource
        from .document import Document
        from .main_window import APP_NAME, MainWindow
        from .settings_store import SettingsStore, default_qsettings
        from .theme import FUSION_PROPERTY

        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        existing = QApplication.instance()
        arguments, fusion = qt_arguments(qt_args)
        app = existing or QApplication(arguments)
        assert isinstance(app, QApplication)
        if existing is None and fusion:
            app.setProperty(FUSION_PROPERTY, True)
        app.setApplicationName(APP_NAME)
        app.setOrganizationName(APP_NAME)
        app.setApplicationDisplayName(APP_NAME)
        app.setDesktopFileName("org.resnetstudio.ResNetStudio")  # packaging/linux's desktop entry
        app.setWindowIcon(QIcon(str(resource("icons", "resnet-studio.svg"))))

        document = Document()
        document.replace(project, path)
        store = SettingsStore(default_qsettings())
    window = MainWindow(document, store)
    from .collector import collector

    collector().settle("window")  # what start-up made lives as long as the app: no pass walks it again
    document.setParent(window)
    if path is not None:
        store.add_recent_file(path)
    probe = os.environ.get(STARTUP_PROBE_ENV)
    if probe:
        _report_when_exposed(window, quit_after=_quit_delay(probe))
    window.show()
    window.show_whole_network()
    later = window.first_paint.later
    later(0, window.offer_recovery)  # after a crash: the unsaved work it left
    if file is not None and is_checkpoint_file(file):
        # On a worker thread after the first paint: torch's import does not compete with the window appearing.
        later(0, lambda: window.files.open(file))
    later(0, lambda: window.lessons.welcome_on_first_start())  # the lessons, listed once
    return int(app.exec())


def qt_arguments(qt_args: list[str]) -> tuple[list[str], bool]:
    """The application's argument list, Fusion first, and whether Fusion stays (no -style of the user's after it).

    Fusion is given on the command line: setting it later through Python would make PySide build its QStyle type
    (a few hundred enum members) before the window's first paint."""
    own_style = any(
        arg in ("-style", "--style") or arg.startswith(("-style=", "--style=")) for arg in qt_args
    )
    return ["resnet-studio", "-style", "Fusion", *qt_args], not own_style


@contextmanager
def _collector_off() -> Iterator[None]:
    """Python's automatic collection off for the start-up before the window: importing and building allocate
    much and free next to nothing, and each pass would walk the whole growing heap for no garbage. What was made
    by then is frozen (it lives as long as the app), and the window hands collection to the GUI thread's
    collector (collector.py), which freezes what start-up made once the window is on screen."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _quit_delay(probe: str) -> float | None:
    """Seconds from exposure to quitting for a probe value ('quit' -> 0, 'quit:3' -> 3), None to keep running."""
    word, _, seconds = probe.partition(":")
    if word != "quit":
        return None
    try:
        return max(0.0, float(seconds or 0))
    except ValueError:
        return 0.0


def _report_when_exposed(window: object, quit_after: float | None) -> None:
    """Print the moment the window is first exposed (on screen), and whether torch was imported by then."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)

    class ExposeProbe(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not self.done and event.type() == QEvent.Type.Expose and window.windowHandle().isExposed():
                self.done = True
                now, cpu = time.time(), time.process_time()
                torch = "torch" in sys.modules
                print(f"resnet-studio: window exposed at {now:.6f} torch={torch} cpu={cpu:.6f}", flush=True)
                modules = sorted(sys.modules)
                packages = sorted({name.partition(".")[0] for name in modules})
                print(f"resnet-studio: packages at exposure: {','.join(packages)}", flush=True)
                print(f"resnet-studio: modules at exposure: {','.join(modules)}", flush=True)
                if quit_after is not None:  # quit() closes the window first, as a user would
                    QTimer.singleShot(round(quit_after * 1000), QApplication.quit)
            return False

    window.winId()  # creates the native window so the probe can watch it before the first show
    probe = ExposeProbe(window)
    window.windowHandle().installEventFilter(probe)
