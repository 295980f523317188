"""The shipped data is found on disk without importlib.resources, and through it where there is no folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resnet_studio.core import resources

ROOT = Path(__file__).resolve().parents[2]


def test_the_resources_folder_holds_the_shipped_files() -> None:
    root = resources.resource_root()
    assert isinstance(root, Path) and root == ROOT / "resources"
    assert resources.resource("icons", "resnet-studio.svg").is_file()


def test_an_installed_package_s_own_folder_comes_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed = tmp_path / "resnet_studio" / "resources"
    installed.mkdir(parents=True)
    monkeypatch.setattr(resources, "_FOLDERS", (installed, ROOT / "resources"))
    assert resources.resource_root() == installed


def test_a_resources_folder_beside_an_installed_package_is_not_ours(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "resnet_studio"
    package.mkdir(parents=True)
    (tmp_path / "site-packages" / "resources").mkdir()  # another distribution's
    assert resources._folders(package) == (package / "resources",)
    (tmp_path / "site-packages" / "pyproject.toml").write_text("")  # a source checkout has one beside it
    assert resources._folders(package) == (package / "resources", tmp_path / "site-packages" / "resources")


def test_without_a_folder_on_disk_the_package_is_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.resources

    monkeypatch.setattr(resources, "_FOLDERS", (tmp_path / "none", tmp_path / "neither"))
    archive = tmp_path / "in-an-archive"
    asked: list[str] = []
    monkeypatch.setattr(importlib.resources, "files", lambda name: asked.append(name) or archive)
    assert resources.resource("icons") == archive / "icons"
    assert asked == ["resnet_studio.resources"]

    def not_installed(name: str) -> Path:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(importlib.resources, "files", not_installed)
    assert resources.resource_root() == tmp_path / "neither"


def test_finding_the_folder_does_not_import_importlib_resources() -> None:
    code = "import sys, resnet_studio.core.resources as r; r.resource_root(); print('importlib.resources' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
