"""Lessons in the app: the menu, the panel, every step of every lesson performed offscreen, edits on the undo
stack, Reset step, teachers' own files, the welcome page and the code view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMenu, QMessageBox

from resnet_studio.core.commands import SetParam
from resnet_studio.core.lessons import shipped_lessons
from resnet_studio.ui.lessons.controller import WELCOME_SEEN
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.panels.gradients import GradientsPanel
from resnet_studio.ui.panels.landscape import LandscapePanel
from resnet_studio.ui.panels.race import RacePanel

from .conftest import Dialogs

LESSONS = shipped_lessons()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """What the lesson steps started in the teaching panels (recorded, not computed: their own tests run them)."""
    calls: list[tuple[str, object]] = []

    def compare_with(_panel: object, other: str) -> bool:
        calls.append(("gradients", other))
        return True

    def race(_panel: object, networks: list[str], steps: int | None = None) -> bool:
        calls.append(("race", tuple(networks)))
        return True

    def landscape(_panel: object, other: str | None = None, grid: int | None = None) -> bool:
        calls.append(("landscape", other))
        return True

    monkeypatch.setattr(GradientsPanel, "compare_with", compare_with)
    monkeypatch.setattr(RacePanel, "race", race)
    monkeypatch.setattr(LandscapePanel, "compute", landscape)
    return calls


def plain(text: str) -> str:
    """Panel text with thin spaces as plain ones (Qt's plain text keeps either)."""
    return text.replace("\u2009", " ")


def lesson(lesson_id: str):  # type: ignore[no-untyped-def]
    return next(x for x in LESSONS if x.id == lesson_id)


def lesson_entries(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_the_lessons_menu_lists_every_lesson_and_a_file_of_ones_own(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Run", "Lessons", "Help"]
    menu = window.findChild(QMenu, "LessonsMenu")
    assert menu is not None
    qtbot.waitUntil(lambda: lesson_entries(menu) != [], timeout=3000)  # filled soon after the first paint
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts[: len(LESSONS)] == [f"{i}  {x.title}" for i, x in enumerate(LESSONS, start=1)]
    assert "Open Lesson File..." in texts and "Next Step" in texts and "Welcome Page" in texts
    assert not window.lessons.next_step.isEnabled()  # no lesson open


def test_the_lessons_are_made_after_the_first_paint_or_when_their_menu_opens(
    document,
    store,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    hidden = MainWindow(document, store)  # never shown: nothing is made until it is needed
    qtbot.addWidget(hidden)
    menu = hidden.findChild(QMenu, "LessonsMenu")
    assert menu is not None and lesson_entries(menu) == [] and hidden._lessons is None
    assert hidden.lesson_dock.widget().objectName() != "LessonPanel"
    menu.aboutToShow.emit()  # what opening the menu does
    assert lesson_entries(menu)[0] == f"1  {LESSONS[0].title}"
    assert hidden.lesson_dock.widget().objectName() == "LessonPanel"
    hidden.lessons.start(LESSONS[0])
    assert hidden.lessons.panel.heading.text() == LESSONS[0].title


def test_the_lesson_dock_shown_from_the_panels_menu_shows_the_lesson_panel(document, store, qtbot) -> None:  # type: ignore[no-untyped-def]
    hidden = MainWindow(document, store)
    qtbot.addWidget(hidden)
    hidden.show()
    hidden.lesson_dock.toggleViewAction().trigger()  # before the lessons were made
    assert hidden.lesson_dock.isVisible() and hidden._lessons is not None
    assert hidden.lesson_dock.widget() is hidden.lessons.panel


def test_with_no_lesson_open_the_panel_lists_the_lessons_and_a_link_starts_one(window: MainWindow) -> None:
    # Shown from the Panels menu (or restored with the layout) before any lesson, the panel was a blank page with
    # Back, Reset Step and Next to press.
    lessons = window.lessons
    panel = lessons.panel
    window.lesson_dock.show()
    assert panel.heading.text() == "Lessons"
    assert all(lesson.title in panel.text.toPlainText() for lesson in LESSONS)
    assert not any(b.isEnabled() for b in (panel.back, panel.reset, panel.next))
    panel.text.anchorClicked.emit(QUrl("lesson:1"))
    assert lessons.lesson is LESSONS[1] and panel.heading.text() == LESSONS[1].title
    assert panel.reset.isEnabled() and panel.next.isEnabled()
    lessons.close()
    assert lessons.lesson is None and panel.heading.text() == "Lessons" and not panel.next.isEnabled()


def test_a_lesson_starts_from_the_menu(window: MainWindow) -> None:
    menu = window.findChild(QMenu, "LessonsMenu")
    assert menu is not None
    menu.aboutToShow.emit()
    menu.actions()[1].trigger()  # the second lesson
    lessons = window.lessons
    assert lessons.lesson is LESSONS[1] and lessons.dock.isVisible()
    assert lessons.panel.progress.text() == f"Step 1 of {len(LESSONS[1])}"
    assert lessons.panel.heading.text() == LESSONS[1].title


@pytest.mark.parametrize("chosen", LESSONS, ids=[x.id for x in LESSONS])
def test_every_step_of_every_lesson_runs_offscreen(window: MainWindow, chosen, qtbot, started) -> None:  # type: ignore[no-untyped-def]
    lessons = window.lessons
    lessons.start(chosen)
    for index, step in enumerate(chosen.steps):
        if index:
            window.lessons.next_step.trigger()  # Page Down
        assert lessons.index == index
        panel = lessons.panel
        assert panel.progress.text() == f"Step {index + 1} of {len(chosen)}"
        text = panel.text.toPlainText()
        assert step.title in text and "?" not in text.replace("?)", ""), text
        assert "{" not in text and "$" not in text  # figures filled, formulas drawn
        note = panel.note.text()
        assert note == "", note  # every panel a lesson opens is part of the app, and its action starts
    expected = [
        ("race", tuple(step.action.value("networks")))  # type: ignore[arg-type]
        if step.action.name == "race"
        else (step.action.spec.panel, step.action.text("other"))
        for step in chosen.steps
        if step.action.name in ("gradient_flow", "landscape", "race")
    ]
    assert started == expected
    assert not lessons.next_step.isEnabled() and not panel.next.isEnabled()
    lessons.back()
    assert lessons.index == len(chosen) - 2
    lessons.reset()
    assert lessons.index == len(chosen) - 2 and panel.note.text() == ""
    lessons.close()
    assert not lessons.dock.isVisible() and lessons.lesson is None


def test_step_edits_are_undoable_and_reset_step_puts_them_back(window: MainWindow, dialogs: Dialogs) -> None:
    lessons, document = window.lessons, window.document
    lessons.start(lesson("projection"))
    lessons.next()
    assert document.undo_stack.undoText() == "Set shortcut of layer2.0"
    assert [d.node_name for d in document.analysis.errors] == ["layer2.0"]  # the app's own error
    assert document.selection == ("layer2.0",)
    lessons.next()
    assert document.undo_stack.undoText() == "Fix layer2.0: set shortcut to projection"
    assert document.analysis.ok
    window.actions.undo.trigger()
    assert not document.analysis.ok  # the user undid the fix: it is theirs to play with
    lessons.reset()
    assert document.analysis.ok and document.graph.node("layer2.0").params["shortcut"] == "projection"
    lessons.next()  # option A
    assert "8 448 fewer" in plain(lessons.panel.text.toPlainText())
    document.set_selection(["layer2.0"])
    window.canvas.delete_selection()  # the user leaves the script
    lessons.reset()
    assert "layer2.0" in document.graph and document.graph.node("layer2.0").params["shortcut"] == "zero-pad"
    assert not dialogs.titles("warning")  # the lesson's own network is replaced without asking


def test_a_step_that_cannot_be_done_says_so_in_the_panel(window: MainWindow) -> None:
    lessons, document = window.lessons, window.document
    lessons.start(lesson("residual"))
    document.set_selection(["layer1.0"])
    window.canvas.delete_selection()
    lessons.next()
    assert "could not select a block and frame it" in lessons.panel.note.text()
    assert "no block named 'layer1.0'; Reset step" in lessons.panel.note.text()
    assert "?" in lessons.panel.text.toPlainText()  # {params:layer1.0} has nothing to measure
    lessons.reset()
    assert lessons.panel.note.text() == "" and "layer1.0" in document.graph


def test_figures_follow_the_users_edits(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lessons, document = window.lessons, window.document
    lessons.start(lesson("residual"))
    lessons.next()
    assert "all 73 984 of layer1.0" in plain(lessons.panel.text.toPlainText())
    document.push(SetParam("layer1.0", "width_per_group", 128))  # the user widens the block
    qtbot.waitUntil(lambda: "all 73 984" not in plain(lessons.panel.text.toPlainText()))
    assert "all 73 984" not in plain(lessons.panel.text.toPlainText())


def test_unsaved_work_is_offered_for_saving_before_a_lesson_replaces_it(
    window: MainWindow, dialogs: Dialogs
) -> None:
    window.document.push(SetParam("layer1.0", "skip", False))
    window.lessons.start(lesson("residual"))
    assert dialogs.titles("warning") == ["Unsaved changes"]


def test_cancelling_the_save_prompt_keeps_ones_work_and_says_so(window: MainWindow, dialogs: Dialogs) -> None:
    window.document.push(SetParam("layer1.0", "skip", False))
    dialogs.answer = QMessageBox.StandardButton.Cancel
    window.lessons.start(lesson("bottleneck"))
    assert (
        "The preset resnet34 was not loaded (your unsaved work was kept)" in window.lessons.panel.note.text()
    )
    assert window.document.graph.node("layer1.0").params["skip"] is False and len(window.document.graph) == 12


def test_a_lesson_file_of_ones_own(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    mine = {
        "title": "My lesson",
        "summary": "One step.",
        "steps": [
            {
                "title": "Look",
                "text": "ResNet-34 costs {macs:total}.",
                "action": {"do": "open_preset", "preset": "resnet34"},
            },
            {"title": "Broken", "text": "x", "action": {"do": "select"}},
        ],
    }
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(mine))
    assert not window.lessons.open_file(path)
    assert dialogs.texts("warning") == [
        "lesson 'mine.json', step 2, field 'action.node': select needs 'node' (node)"
    ]
    mine["steps"].pop()
    path.write_text(json.dumps(mine))
    dialogs.open_path = str(path)
    window.lessons.open_file_action.trigger()
    assert window.lessons.lesson is not None and window.lessons.lesson.title == "My lesson"
    assert "ResNet-34 costs 3.66 GMACs." in window.lessons.panel.text.toPlainText()


def test_the_welcome_page_shows_once(window: MainWindow) -> None:
    lessons = window.lessons
    assert not window.store.flag(WELCOME_SEEN, False)
    lessons.welcome_on_first_start()
    welcome = lessons.welcome
    assert welcome is not None and welcome.isVisible() and welcome.list.count() == len(LESSONS)
    welcome.list.setCurrentRow(2)
    welcome.start.click()
    assert not welcome.isVisible() and lessons.lesson is LESSONS[2]
    assert window.store.flag(WELCOME_SEEN, False)
    lessons.welcome_on_first_start()
    assert not welcome.isVisible()  # remembered: not again


def test_the_code_view_shows_the_selected_blocks_code(window: MainWindow, qtbot) -> None:
    lessons = window.lessons
    lessons.start(lesson("residual"))
    for _ in range(3):
        lessons.next()
    code = lessons.panel.code
    assert lessons.panel.code_shown
    qtbot.waitUntil(lambda: "def forward" in code.toPlainText(), timeout=60_000)
    text = code.toPlainText()
    assert text.startswith("# layer1.0 = BasicBlock(64, 64), at batch 1")
    assert "out = self.bn2(self.conv2(out))  # [1, 64, 56, 56]" in text
    window.document.set_selection(["layer2.0"])  # the view follows the selection
    qtbot.waitUntil(
        lambda: code.toPlainText().startswith("# layer2.0 = BasicBlock(64, 128, stride=2"), timeout=60_000
    )
    assert lessons.panel.code_caption.text() == "Code of layer2.0"
    lessons.next()
    assert not lessons.panel.code_shown


def test_a_teaching_panel_that_exists_is_opened_by_its_key(window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    docks = dict(window.run_ui.results.docks)
    docks["gradients"] = window.summary_dock  # stands in for the Gradients dock, found by its key
    monkeypatch.setattr(window.run_ui.results, "docks", docks)
    window.problems_dock.raise_()
    lessons = window.lessons
    lessons.start(lesson("gradient-flow"))
    lessons.next()
    assert lessons.panel.note.text() == ""
    assert not window.summary_dock.visibleRegion().isEmpty()


STRAY_TAB_BARS = """
import time
from PySide6.QtWidgets import QApplication, QTabBar
app = QApplication([])
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.lessons import shipped_lessons
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.settings_store import SettingsStore, default_qsettings
document = Document()
document.replace(Project(preset("resnet56"), RunSettings(), "ResNet-56"), None)
window = MainWindow(document, SettingsStore(default_qsettings()))
window.resize(1600, 1000)
window.show()

def settle():
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)

def stray(when):
    for bar in window.findChildren(QTabBar):
        tabs = [bar.tabText(i) for i in range(bar.count())]
        if bar.isVisible() and window.rect().intersects(bar.geometry()) and "Lesson" in tabs:
            print(when, tabs, flush=True)

settle()
stray("hidden")
window.lessons.start(shipped_lessons()[0])
settle()
stray("shown")
window.lessons.close()
settle()
stray("closed")
window.run_ui.shutdown()
"""


def test_no_tab_bar_of_the_hidden_lesson_dock_is_left_over_the_panels(tmp_path: Path) -> None:
    # A fresh process and fresh settings, as at a first start: the stray bar appeared there.
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "RESNET_STUDIO_SETTINGS": str(tmp_path / "settings.ini"),
        "RESNET_STUDIO_RECOVERY_DIR": str(tmp_path / "recovery"),
    }
    result = subprocess.run(
        [sys.executable, "-c", STRAY_TAB_BARS],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == ["shown ['Inspector', 'Lesson']"]  # only while a lesson is open
