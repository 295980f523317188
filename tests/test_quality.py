"""Static checks that run with the tests: lint, formatting, types (strict on the core), layer rules, metadata."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGING = ROOT / "packaging" / "linux"


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


# The checks write no caches into the checkout: a test run leaves the working tree as it found it.


def test_ruff_lint() -> None:
    result = run(tool("ruff"), "check", "--no-cache", "resnet_studio", "tests", "bench")
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_format() -> None:
    result = run(tool("ruff"), "format", "--check", "--no-cache", "resnet_studio", "tests", "bench")
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy_strict_on_core(tmp_path: Path) -> None:
    result = run(tool("mypy"), "--cache-dir", str(tmp_path / "mypy"), "resnet_studio/core")
    assert result.returncode == 0, result.stdout[-4000:]


def test_import_layers() -> None:
    result = run(tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:]


def test_desktop_entry_is_valid() -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    result = run(validate, str(PACKAGING / "org.resnetstudio.ResNetStudio.desktop"))
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_appstream_metadata_is_valid() -> None:
    appstreamcli = shutil.which("appstreamcli")
    if appstreamcli is None:
        pytest.skip("appstreamcli is not installed (Debian: appstream)")
    result = run(
        appstreamcli, "validate", "--no-net", str(PACKAGING / "org.resnetstudio.ResNetStudio.metainfo.xml")
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_desktop_icon_ships() -> None:
    icon = ROOT / "resources" / "icons" / "resnet-studio.svg"
    assert icon.read_text().lstrip().startswith("<svg")


def test_passing_tests_leave_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    """The checkpoint tests write full-size checkpoints (gigabytes a run): only a failed test's files are kept."""
    tests = tmp_path / "probe"
    tests.mkdir()
    (tests / "test_probe.py").write_text(
        "def test_passes(tmp_path):\n    (tmp_path / 'big').write_bytes(b'x' * 1000)\n\n"
        "def test_fails(tmp_path):\n    (tmp_path / 'kept').write_bytes(b'x')\n    assert False\n"
    )
    base = tmp_path / "base"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    result = run(*command, "-c", str(ROOT / "pyproject.toml"), f"--basetemp={base}", str(tests))
    assert result.returncode == 1, result.stdout[-2000:]
    assert sorted(p.name for p in base.rglob("*") if p.is_file()) == ["kept"]
