"""The real app under Xvfb: `resnet-studio` starts, shows its window, and a screenshot of it is not blank."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.xvfb

SCREEN = (1600, 1000)
IMPORT = Path("/usr/bin/import")  # ImageMagick; called by full path (other tools share the name)
GRAB_WITH_QT = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
ok = app.primaryScreen().grabWindow(0).save(sys.argv[1])
sys.exit(0 if ok else 1)
"""


def _app_command() -> list[str]:
    script = Path(sys.executable).with_name("resnet-studio")
    return [str(script)] if script.exists() else [sys.executable, "-m", "resnet_studio"]


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh virtual X screen (Xvfb picks a free display number and tells us through a pipe)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip(
            "Xvfb is not installed (CI installs the Debian packages xvfb, libxcb-icccm4 and libxcb-keysyms1)"
        )
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _screenshot(display: str, path: Path, env: dict[str, str]) -> None:
    if IMPORT.exists():
        subprocess.run(
            [str(IMPORT), "-display", display, "-window", "root", str(path)], env=env, check=True, timeout=30
        )
    else:  # no ImageMagick: let Qt grab the root window
        subprocess.run([sys.executable, "-c", GRAB_WITH_QT, str(path)], env=env, check=True, timeout=30)


def test_app_window_appears_and_is_not_blank(display: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "RESNET_STUDIO_SETTINGS": str(tmp_path / "settings.ini"),
        "RESNET_STUDIO_STARTUP_PROBE": "1",
    }
    env.pop("WAYLAND_DISPLAY", None)
    app = subprocess.Popen(
        _app_command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert app.stdout is not None
        line = app.stdout.readline()  # blocks until the window is exposed (or the app dies)
        if not line:
            app.wait(timeout=10)
            pytest.fail(
                f"the app exited with status {app.returncode} before showing a window:\n{app.stderr.read()}"
            )
        assert "window exposed" in line and "torch=False" in line, line
        time.sleep(1.0)  # let the first paint of every panel finish
        shot = tmp_path / "resnet-studio.png"
        _screenshot(display, shot, env)
        assert app.poll() is None, "the app quit on its own"
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
    keep = os.environ.get("RESNET_STUDIO_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)

    from PIL import Image, ImageStat

    image = Image.open(shot).convert("RGB")
    assert image.size == SCREEN
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 64, "the screenshot has almost no colours: nothing was drawn"
    spread = ImageStat.Stat(image).stddev
    assert max(spread) > 20, f"the screenshot is nearly uniform (stddev {spread})"
    # The window fills most of the screen: the middle of the screen is not the bare black root window.
    middle = image.crop((SCREEN[0] // 4, SCREEN[1] // 4, 3 * SCREEN[0] // 4, 3 * SCREEN[1] // 4))
    black = sum(count for count, rgb in (middle.getcolors(maxcolors=1 << 20) or []) if max(rgb) < 8)
    assert black < 0.2 * middle.width * middle.height, "the middle of the screen is black: no window there"
