"""Files from the window: save and reopen, the unsaved-changes prompt, failures that keep everything intact,
recent files, examples, presets and image export."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from resnet_studio.core import project as project_module
from resnet_studio.core.commands import SetParam
from resnet_studio.core.project import load
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.menus import fill_recent_menu

from .conftest import Dialogs

Button = QMessageBox.StandardButton


def edit(window: MainWindow) -> None:
    window.document.push(SetParam("layer2.0", "stride", 1))


def test_save_and_reopen_round_trip(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    path = tmp_path / "my net.json"
    edit(window)
    window.document.set_settings(window.document.settings.__class__((3, 64, 64), 4, "float16"))
    dialogs.save_path = str(path)
    window.actions.save.trigger()  # no file yet: Save asks where (Save As)
    assert path.exists()
    assert window.windowTitle() == "my net.json[*]" and not window.isWindowModified()
    saved = window.document.graph.copy()
    window.actions.new.trigger()
    assert len(window.document.graph) == 0 and window.windowTitle() == "Untitled[*]"
    dialogs.open_path = str(path)
    window.actions.open.trigger()
    assert window.document.graph == saved
    assert window.document.settings.input_shape == (3, 64, 64) and window.document.settings.dtype == "float16"
    assert window.run_settings.batch.value() == 4
    assert window.document.path == path and not window.document.is_modified
    assert dialogs.titles("warning") == []  # nothing was unsaved, so nothing was asked


def test_save_writes_to_the_same_file_without_asking(
    window: MainWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    path = tmp_path / "net.json"
    assert window.files.save_as(path)
    edit(window)
    assert window.isWindowModified()
    dialogs.save_path = ""  # a dialog would cancel
    window.actions.save.trigger()
    assert not window.isWindowModified()
    assert load(path).node("layer2.0").params["stride"] == 1


def test_unsaved_changes_prompt_on_close(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    edit(window)
    dialogs.answer = Button.Cancel
    assert not window.close()
    assert window.isVisible() and dialogs.titles("warning") == ["Unsaved changes"]
    assert "ResNet-18" in dialogs.texts("warning")[0]
    dialogs.answer = Button.Save
    dialogs.save_path = str(tmp_path / "kept.json")
    assert window.close()
    assert load(tmp_path / "kept.json").node("layer2.0").params["stride"] == 1


def test_unsaved_changes_prompt_on_new_and_open(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    window.files.save_as(other)
    edit(window)
    dialogs.answer = Button.Cancel
    window.actions.new.trigger()
    assert len(window.document.graph) == 12 and window.document.is_modified
    dialogs.open_path = str(other)
    window.actions.open.trigger()
    assert window.document.graph.node("layer2.0").params["stride"] == 1  # still the edited document
    dialogs.answer = Button.Discard
    window.actions.open.trigger()
    assert window.document.graph.node("layer2.0").params["stride"] == 2
    assert not window.document.is_modified
    assert dialogs.titles("warning") == ["Unsaved changes"] * 3


def test_failed_open_keeps_the_document(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "resnet-studio", "format_version": 1, "nodes": [{"id": "a"}]}')
    edit(window)
    before = window.document.graph.copy()
    dialogs.answer = Button.Discard
    assert not window.files.open(bad)
    assert dialogs.titles("critical") == ["Cannot open project"]
    message = dialogs.texts("critical")[0]
    assert "broken.json could not be opened" in message and "nodes[0]" in message
    assert str(tmp_path) not in message  # the file is named once, not on every line
    assert window.document.graph == before
    assert window.windowTitle() == "ResNet-18[*]" and window.isWindowModified()
    assert not window.files.open(tmp_path / "missing.json")
    assert "no such file" in dialogs.texts("critical")[1]
    assert str(bad) not in window.store.recent_files()


def test_failed_save_keeps_the_old_file(
    window: MainWindow, dialogs: Dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "net.json"
    window.files.save_as(path)
    old = path.read_bytes()
    edit(window)

    def disk_full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(project_module.os, "replace", disk_full)
    window.actions.save.trigger()
    assert dialogs.titles("critical") == ["Cannot save project"]
    assert "No space left on device" in dialogs.texts("critical")[0]
    assert path.read_bytes() == old
    assert window.isWindowModified()  # the changes are still unsaved
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "net.json",
        "settings.ini",
    ]  # no temporary files left


def test_recent_files(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    window.files.save_as(first)
    window.files.save_as(second)
    assert window.store.recent_files() == [str(second), str(first)]
    menu = window.findChild(type(window.menuBar().actions()[0].menu()), "RecentMenu")
    fill_recent_menu(window, menu)
    entries = [a for a in menu.actions() if a.toolTip() in (str(first), str(second))]
    assert [a.toolTip() for a in entries] == [str(second), str(first)]
    entries[1].trigger()
    assert window.document.path == first
    assert window.store.recent_files()[0] == str(first)
    first.unlink()
    assert window.store.recent_files() == [str(second)]  # files that vanished are left out


def test_open_example_and_preset(window: MainWindow, dialogs: Dialogs) -> None:
    assert window.files.open_example("custom_skip")
    graph = window.document.graph
    add = graph.node_by_name("block.add")
    assert len(graph.edges_into(add.id)) == 2
    assert window.document.path is None and window.problems.count == 0
    assert window.windowTitle() == "Custom residual network[*]"
    window.palette_panel.tree.itemActivated.emit(window.palette_panel.entry("resnet50"), 0)
    assert window.windowTitle() == "ResNet-50[*]"
    assert window.totals.text().startswith("25.56 M params")
    examples = next(
        m for m in window.menuBar().actions()[0].menu().actions() if m.text() == "Open E&xample"
    ).menu()
    assert [a.text() for a in examples.actions()] == [
        "Custom residual network (custom_skip.json)",
        "ResNet-18 (resnet18.json)",
        "ResNet-50 (resnet50.json)",
    ]


def test_export_canvas_png_and_svg(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    dialogs.save_path = str(tmp_path / "net.png")
    window.actions.export_png.trigger()
    png = tmp_path / "net.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert window.files.export_image(".svg", tmp_path / "net")
    assert (tmp_path / "net.svg").read_text().lstrip().startswith("<?xml")
    assert not window.files.export_image(".png", tmp_path / "no such folder" / "net.png")
    assert dialogs.titles("critical") == ["Export failed"]


def test_export_summary_from_the_file_menu(window: MainWindow, dialogs: Dialogs, tmp_path: Path) -> None:
    dialogs.save_path = str(tmp_path / "summary.csv")
    window.actions.export_csv.trigger()
    assert (tmp_path / "summary.csv").read_text().startswith("name,type,output_shape,params")
    dialogs.save_path = str(tmp_path / "summary.md")
    window.actions.export_markdown.trigger()
    assert "| layer4.1 | BasicBlock | 512x7x7 |" in (tmp_path / "summary.md").read_text()
