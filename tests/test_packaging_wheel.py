"""The built distributions: `python -m build` gives an sdist and a wheel with every resource, and the wheel,
installed (not editable) in a fresh environment, runs the command line and the app."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
TORCH = "torch==2.13.0"  # the CPU build on this project's machines; any other version pulls a CUDA build
NOT_INSTALLED = ("screenshots",)  # README pictures: in the sdist, not in the app


def shipped_resources() -> set[str]:
    """Every resource file the app may read, relative to resources/ (any folder, so new ones are covered)."""
    return {
        p.relative_to(RESOURCES).as_posix()
        for p in RESOURCES.rglob("*")
        if p.is_file()
        and p.relative_to(RESOURCES).parts[0] not in NOT_INSTALLED
        and "__pycache__" not in p.parts
    }


def build_dists(out: Path) -> tuple[Path, Path]:
    """(sdist, wheel) from `python -m build`, which builds the wheel from the sdist (so both are checked)."""
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (sdist,) = out.glob("resnet_studio-*.tar.gz")
    (wheel,) = out.glob("resnet_studio-*.whl")
    return sdist, wheel


def check_wheel(wheel: Path) -> None:
    """Every resource, the command, no tests."""
    names = set(zipfile.ZipFile(wheel).namelist())
    prefix = "resnet_studio/resources/"
    in_wheel = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
    assert shipped_resources() == in_wheel, (
        f"missing: {shipped_resources() - in_wheel}, extra: {in_wheel - shipped_resources()}"
    )
    assert {
        "examples/resnet18.json",
        "icons/resnet-studio.svg",
        "images/sample.png",
        "imagenet_classes.txt",
    } <= in_wheel
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "resnet-studio = resnet_studio.cli:main" in text


def check_sdist(sdist: Path) -> None:
    """The sources, every resource and the packaging recipes."""
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    expected = {f"resources/{name}" for name in shipped_resources()} | {
        "README.md",
        "pyproject.toml",
        "packaging/linux/install-desktop-entry.sh",
        "packaging/linux/org.resnetstudio.ResNetStudio.desktop",
        "packaging/linux/org.resnetstudio.ResNetStudio.mime.xml",
        "packaging/resnet-studio.spec",
        "resnet_studio/cli/dispatch.py",
    }
    assert expected <= names, f"missing from the sdist: {sorted(expected - names)}"
    assert not any("__pycache__" in n for n in names)


@pytest.mark.slow
def test_the_built_wheel_installed_in_a_fresh_environment_runs_the_command_line_and_the_app(
    tmp_path: Path,
) -> None:
    # One test, so that parallel runs build the distributions once.
    pytest.importorskip(
        "build", reason="python -m build needs the 'build' package (pip install -e '.[test]')"
    )
    sdist, wheel = build_dists(tmp_path / "dist")
    check_wheel(wheel)
    check_sdist(sdist)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python, script = venv / "bin" / "python", venv / "bin" / "resnet-studio"
    # Nothing of the checkout may leak in: with it on PYTHONPATH, pip would call the package installed already.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def pip(*args: str) -> None:
        result = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-compile", *args],
            capture_output=True,
            text=True,
            timeout=900,
            env=clean,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    pip(TORCH)  # first, so the wheel's torch requirement is already met by the CPU build
    pip(str(wheel))
    env = clean | {
        "QT_QPA_PLATFORM": "offscreen",
        "RESNET_STUDIO_SETTINGS": str(tmp_path / "settings.ini"),
        "RESNET_STUDIO_RECOVERY_DIR": str(tmp_path / "recovery"),  # never the user's unsaved work
    }

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args], cwd=tmp_path, env=env | extra, capture_output=True, text=True, timeout=300
        )

    where = subprocess.run(
        [str(python), "-c", "import resnet_studio.core.resources as r; print(r.resource_root())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr[-3000:]
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout, where.stdout  # not the source tree

    summary = run("summary", "resnet50")
    assert summary.returncode == 0, summary.stderr
    assert "25.56 M params (25,557,032)" in summary.stdout

    render = run("render", "resnet18", "-o", "x.png")
    assert render.returncode == 0, render.stderr
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    app = run(RESNET_STUDIO_STARTUP_PROBE="quit:3")  # stays up 3 s, then closes its window as a user would
    assert app.returncode == 0, app.stderr[-3000:]
    assert "window exposed at" in app.stdout
