"""The Linux desktop integration: the project file type, the desktop entry that claims it, and the script that
installs both (with the icon and the AppStream metadata) for one user."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.resnetstudio.ResNetStudio"
MIME_TYPE = "application/x-resnet-studio+json"
NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
INSTALL = LINUX / "install-desktop-entry.sh"


def desktop_entry(path: Path) -> dict[str, str]:
    """The keys of a desktop entry's [Desktop Entry] group."""
    lines = path.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line and not line.startswith("#"))


def test_the_mime_type_is_well_formed_and_matches_what_the_app_saves() -> None:
    from resnet_studio.ui.files import PROJECT_FILTER, PROJECT_SUFFIX

    root = ET.parse(LINUX / f"{APP_ID}.mime.xml").getroot()
    assert root.tag == f"{{{NS['m']}}}mime-info"
    (mime,) = root.findall("m:mime-type", NS)
    assert mime.get("type") == MIME_TYPE
    assert [g.get("pattern") for g in mime.findall("m:glob", NS)] == [f"*{PROJECT_SUFFIX}"]
    assert [s.get("type") for s in mime.findall("m:sub-class-of", NS)] == ["application/json"]
    assert (mime.findtext("m:comment", namespaces=NS) or "").strip()
    assert f"*{PROJECT_SUFFIX}" in PROJECT_FILTER


def test_the_desktop_entry_opens_project_files() -> None:
    entry = desktop_entry(LINUX / f"{APP_ID}.desktop")
    assert entry["MimeType"].split(";")[:1] == [MIME_TYPE]
    assert entry["Exec"] == "resnet-studio %f" and entry["Icon"] == APP_ID
    metainfo = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert metainfo.findtext("provides/mediatype") == MIME_TYPE


def test_shared_mime_info_accepts_the_mime_type(tmp_path: Path) -> None:
    update = shutil.which("update-mime-database")
    if update is None:
        pytest.skip("update-mime-database is not installed (Debian: shared-mime-info)")
    (tmp_path / "packages").mkdir()
    shutil.copy(LINUX / f"{APP_ID}.mime.xml", tmp_path / "packages" / f"{APP_ID}.xml")
    result = subprocess.run([update, "-V", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "error" not in result.stderr.lower(), result.stderr
    assert f"{MIME_TYPE}:*.rsproj.json" in (tmp_path / "globs2").read_text()
    assert f"{MIME_TYPE} application/json" in (tmp_path / "subclasses").read_text()


def fake_program(folder: Path) -> Path:
    """A stand-in `resnet-studio` on PATH (the script only checks that one is installed)."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "resnet-studio"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return program


def install(tmp_path: Path, *args: str, script: Path = INSTALL) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_install_script_puts_everything_in_place_and_removes_it(tmp_path: Path) -> None:
    fake_program(tmp_path / "bin")
    result = install(tmp_path)
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    installed = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()}
    assert {
        f"applications/{APP_ID}.desktop",
        f"icons/hicolor/scalable/apps/{APP_ID}.svg",
        "icons/hicolor/scalable/mimetypes/application-x-resnet-studio+json.svg",
        f"metainfo/{APP_ID}.metainfo.xml",
        f"mime/packages/{APP_ID}.xml",
    } <= installed
    assert desktop_entry(data / "applications" / f"{APP_ID}.desktop")["Exec"] == "resnet-studio %f"
    if shutil.which("update-mime-database"):
        assert "*.rsproj.json" in (data / "mime" / "globs2").read_text()
    validate = shutil.which("desktop-file-validate")
    if validate:
        checked = subprocess.run(
            [validate, str(data / "applications" / f"{APP_ID}.desktop")], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout

    removed = install(tmp_path, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert not (data / "applications" / f"{APP_ID}.desktop").exists()
    assert not (data / "mime" / "packages" / f"{APP_ID}.xml").exists()


def test_inside_a_bundle_the_entry_runs_the_bundled_program(tmp_path: Path) -> None:
    bundle = tmp_path / "resnet-studio-bundle"
    program = fake_program(bundle)
    shutil.copytree(LINUX, bundle / "linux")
    shutil.copy(ROOT / "resources" / "icons" / "resnet-studio.svg", bundle / "linux")
    result = install(tmp_path, script=bundle / "linux" / INSTALL.name)  # no resnet-studio on PATH
    assert result.returncode == 0, result.stderr
    entry = desktop_entry(tmp_path / "data" / "applications" / f"{APP_ID}.desktop")
    assert entry["Exec"] == f"{program} %f"


def test_the_install_script_says_what_is_missing(tmp_path: Path) -> None:
    result = install(tmp_path)  # nothing on PATH
    assert result.returncode == 1
    assert "resnet-studio is not on PATH" in result.stderr and "--exec" in result.stderr
    spaced = fake_program(tmp_path / "my apps")
    result = install(tmp_path, "--exec", str(spaced))
    assert result.returncode == 1 and "without spaces" in result.stderr
    assert not (tmp_path / "data" / "applications").exists()
