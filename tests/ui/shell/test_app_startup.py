"""Starting the app for real (offscreen, in a fresh process): window shown without torch; bad arguments fail fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from resnet_studio.ui.app import StartupError, initial_project


def launch(tmp_path: Path, *args: str, probe: str = "quit") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "RESNET_STUDIO_STARTUP_PROBE": probe,
        "RESNET_STUDIO_SETTINGS": str(tmp_path / "settings.ini"),
    }
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio", *args], env=env, capture_output=True, text=True, timeout=120
    )


NOT_BEFORE_FIRST_PAINT = {"torch", "numpy", "pyqtgraph", "networkx", "pydantic"}
"""Packages the first paint does not need: they load after the window is on screen."""


def test_window_is_shown_before_torch_is_imported(tmp_path: Path) -> None:
    result = launch(tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if "window exposed at" in ln]
    assert len(lines) == 1 and " torch=False " in lines[0]


NOT_BEFORE_FIRST_PAINT_OURS = {
    "resnet_studio.results.run",  # a run's results: the run bar needs only what a run asks for
    "resnet_studio.results.checkpoint",  # an opened checkpoint: whether a file is one needs only its name
    "importlib.resources",  # the shipped files are a folder on disk
}
"""Modules of our own (and what they would bring) that the first paint does not need either."""


def at_exposure(result: subprocess.CompletedProcess[str], what: str) -> set[str]:
    """The names the start-up probe listed as '<what> at exposure'."""
    listed = [ln for ln in result.stdout.splitlines() if f"{what} at exposure:" in ln]
    assert len(listed) == 1
    return set(listed[0].partition(f"{what} at exposure:")[2].strip().split(","))


def test_first_paint_imports_none_of_the_heavy_packages_nor_the_result_types(tmp_path: Path) -> None:
    result = launch(tmp_path)
    assert result.returncode == 0, result.stderr
    packages, modules = at_exposure(result, "packages"), at_exposure(result, "modules")
    assert {"resnet_studio", "PySide6"} <= packages  # the lists are real
    assert {"resnet_studio.ui.main_window", "resnet_studio.results.run_request"} <= modules
    assert packages & NOT_BEFORE_FIRST_PAINT == set()
    assert modules & NOT_BEFORE_FIRST_PAINT_OURS == set()


def test_opens_a_file_and_remembers_it(tmp_path: Path) -> None:
    from resnet_studio.core.presets import preset
    from resnet_studio.core.project import save

    path = save(preset("resnet20"), tmp_path / "cifar.json")
    result = launch(tmp_path, str(path))
    assert result.returncode == 0, result.stderr
    assert str(path) in (tmp_path / "settings.ini").read_text()


def test_unknown_preset_is_one_line_and_exit_2_without_a_window(tmp_path: Path) -> None:
    result = launch(tmp_path, "--preset", "resnet19")
    assert result.returncode == 2
    assert result.stdout == ""  # the probe never fired: no window
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown preset 'resnet19'" in lines[0]


def test_unreadable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    result = launch(tmp_path, str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "bad.json" in result.stderr


def test_initial_project_choices() -> None:
    project, path = initial_project(None, None)
    assert project.name == "ResNet-18" and path is None and len(project.graph) == 12
    project, _ = initial_project(None, "ResNet-50")
    assert project.name == "ResNet-50"
    with pytest.raises(StartupError, match="not both"):
        initial_project("x.json", "resnet18")


def test_a_file_with_many_problems_is_one_line_that_counts_them(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    listed = ",".join(f'{{"src": "a{i}", "src_port": "out", "dst": "b", "dst_port": "x"}}' for i in range(60))
    bad.write_text(f'{{"format": "resnet-studio", "format_version": 1, "nodes": [], "edges": [{listed}]}}')
    with pytest.raises(StartupError) as caught:
        initial_project(str(bad), None)
    message = str(caught.value)
    assert message.startswith(f"{bad}: line 1, column 73, edges[0]: ") and "\n" not in message
    assert message.endswith("(and at least 49 more problems)")
