"""The main window's menu bar (File, Edit, View, Run, Lessons, Help) and the keyboard shortcut list built from it."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from ..core.presets import PRESETS
from .actions import WindowActions
from .resources import example_files
from .run.window import RunUi
from .shell import Shell


def build_menus(window: Shell, run_ui: RunUi, lessons: Callable[[], object]) -> QMenu:
    """Fill the window's menu bar; returns the Lessons menu, which the lessons fill when they are made (soon after
    the first paint): `lessons()` makes them, at the latest when that menu opens."""
    a = window.actions
    bar = window.menuBar()

    file = bar.addMenu("&File")
    file.addActions([a.new, a.open])
    recent = file.addMenu("Open &Recent")
    recent.setObjectName("RecentMenu")
    recent.aboutToShow.connect(lambda: fill_recent_menu(window, recent))
    fill_recent_menu(window, recent)
    examples = file.addMenu("Open E&xample")
    presets = file.addMenu("New from &Preset")
    presets.setObjectName("PresetMenu")

    def fill_lists() -> None:
        # After the first paint (or as the File menu opens): the examples are files to read, the presets many.
        if presets.isEmpty():
            fill_example_menu(window, examples)
            fill_preset_menu(window, presets)

    file.aboutToShow.connect(fill_lists)
    window.first_paint.later(0, fill_lists)
    file.addSeparator()
    file.addActions([a.save, a.save_as])
    export = file.addMenu("&Export")
    export.addActions([a.export_png, a.export_svg])
    export.addSeparator()
    export.addActions([a.export_csv, a.export_markdown])
    export.addSeparator()
    export.addActions([a.export_statistics, a.export_plot])
    file.addSeparator()
    file.addAction(a.quit)

    edit = bar.addMenu("&Edit")
    edit.addActions([a.undo, a.redo])
    edit.addSeparator()
    edit.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete, a.delete_reconnect])
    edit.addSeparator()
    edit.addActions([a.select_all, a.find_block])
    edit.addSeparator()
    edit.addActions([a.explode, a.collapse, a.auto_layout])

    view = bar.addMenu("&View")
    view.addActions([a.fit, a.reset_zoom, a.zoom_in, a.zoom_out])
    view.addSeparator()
    view.addActions([a.edge_labels, a.thumbnails, a.snap])
    view.addSeparator()
    view.addActions([a.presentation, a.larger_ui, a.smaller_ui, a.reset_ui])
    theme = view.addMenu("&Colours")
    theme.addActions([a.theme_system, a.theme_light, a.theme_dark])
    view.addSeparator()
    panels = view.addMenu("&Panels")
    docks = [window.palette_dock, window.inspector_dock, window.problems_dock, window.summary_dock]
    for dock in [*docks, *run_ui.docks, window.compare_dock, window.lesson_dock]:
        toggle = dock.toggleViewAction()
        toggle.setText(dock.windowTitle().split(" (")[0])
        # Shown from the menu, a panel comes to the front: in a tab group it would only add a tab behind the rest.
        toggle.triggered.connect(lambda shown, dock=dock: shown and dock.raise_())
        panels.addAction(toggle)
    panels.addAction(window.toolbar.toggleViewAction())
    panels.addAction(run_ui.bar.toggleViewAction())
    panels.addSeparator()
    panels.addAction(a.reset_layout)

    run = bar.addMenu("&Run")
    run.setObjectName("RunMenu")
    run.aboutToShow.connect(lambda: run_ui.fill_run_menu(run, probe=True))
    run_ui.fill_run_menu(run, probe=False)

    lesson_menu = bar.addMenu("&Lessons")
    lesson_menu.setObjectName("LessonsMenu")
    lesson_menu.aboutToShow.connect(lessons)

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([a.shortcuts, a.about])
    return lesson_menu


def fill_example_menu(window: Shell, menu: QMenu) -> None:
    """One entry per example project that comes with the app."""
    for stem, item in example_files().items():
        title = _example_title(item.read_bytes(), stem)
        action = menu.addAction(title)
        action.setStatusTip(f"Open the example project {stem}.json")
        action.triggered.connect(lambda _checked=False, s=stem: window.files.open_example(s))


def fill_preset_menu(window: Shell, presets: QMenu) -> None:
    """One entry per preset, the plain twins in a submenu of their own."""
    plain: QMenu | None = None
    for name, preset in PRESETS.items():
        menu = presets
        if name.endswith("_plain"):
            if plain is None:  # one submenu for every plain twin, made when the first one comes
                plain = presets.addMenu("Plain Twins (no skips)")
            menu = plain
        action = menu.addAction(preset.title)
        action.setStatusTip(preset.blurb)  # figures computed on hover (analysing every preset takes a while)
        action.hovered.connect(lambda a=action, p=preset: a.setStatusTip(p.description))
        action.triggered.connect(lambda _checked=False, n=name: window.files.open_preset(n))


def fill_recent_menu(window: Shell, menu: QMenu) -> None:
    """List the recent files (newest first) with a way to clear the list."""
    menu.clear()
    paths = window.store.recent_files()
    for i, path in enumerate(paths, start=1):
        action = menu.addAction(f"&{i % 10}  {Path(path).name}")
        action.setStatusTip(path)
        action.setToolTip(path)
        action.triggered.connect(lambda _checked=False, p=path: window.files.open(p))
    if not paths:
        empty = menu.addAction("No recent files")
        empty.setEnabled(False)
        return
    menu.addSeparator()
    clear = menu.addAction("Clear the List")
    clear.triggered.connect(window.store.clear_recent_files)


def _example_title(data: bytes, stem: str) -> str:
    try:
        name = json.loads(data).get("name")
    except (ValueError, AttributeError):
        name = None
    return f"{name} ({stem}.json)" if name else f"{stem}.json"


_MEDIA_KEYS = {
    Qt.Key.Key_New,
    Qt.Key.Key_Open,
    Qt.Key.Key_Save,
    Qt.Key.Key_Undo,
    Qt.Key.Key_Redo,
    Qt.Key.Key_Cut,
    Qt.Key.Key_Copy,
    Qt.Key.Key_Paste,
    Qt.Key.Key_Find,
    Qt.Key.Key_Close,
    Qt.Key.Key_Exit,
    *(Qt.Key(Qt.Key.Key_F13.value + i) for i in range(Qt.Key.Key_F35.value - Qt.Key.Key_F13.value + 1)),
}
"""Dedicated keys on some keyboards, and the function keys past F12 that X11 adds for them (Undo on F14, Cut on
F20): true shortcuts, but noise in the list people read."""


def shortcut_table(actions: WindowActions) -> str:
    """An HTML table of every command that has a keyboard shortcut."""
    rows = []
    for action in actions.all():
        keys = [
            k.toString(QKeySequence.SequenceFormat.NativeText)
            for k in action.shortcuts()
            if not k.isEmpty() and k[0].key() not in _MEDIA_KEYS
        ]
        if not keys:
            continue
        name = _plain(action)
        rows.append(f"<tr><td>{escape(name)}</td><td><b>{escape(', '.join(keys))}</b></td></tr>")
    rows.append(
        "<tr><td>Add a block by name (after the selected one)</td><td><b>Tab</b> on the canvas</td></tr>"
    )
    rows.append("<tr><td>Pan the canvas</td><td><b>Middle-drag or Space+drag</b></td></tr>")
    rows.append("<tr><td>Zoom around the cursor</td><td><b>Mouse wheel</b></td></tr>")
    return "<table cellspacing='6'>" + "".join(rows) + "</table>"


def _plain(action: QAction) -> str:
    text = action.text().replace("&", "").rstrip(".")
    return text.split(" ")[0] if action.text().startswith(("&Undo", "&Redo")) else text
