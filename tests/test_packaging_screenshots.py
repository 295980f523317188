"""packaging/screenshots.py still draws the README's pictures from the real app (so they can never go stale)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_screenshot_script_draws_every_picture_the_readme_shows(tmp_path: Path) -> None:
    from PIL import Image, ImageChops, ImageStat

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "screenshots.py"), "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    readme = (ROOT / "README.md").read_text()
    shown = {
        line.split("](resources/screenshots/")[1].split(")")[0]
        for line in readme.splitlines()
        if "](resources/screenshots/" in line
    }
    made = {p.name for p in tmp_path.glob("*.png")}
    assert shown and shown <= made, f"the README shows {sorted(shown - made)}, which the script does not draw"
    pictures = [Image.open(tmp_path / name).convert("RGB") for name in sorted(made)]
    for picture in pictures:
        assert picture.size == (1600, 1000)
        assert max(ImageStat.Stat(picture).stddev) > 20, "a nearly uniform picture: nothing was drawn"
    assert ImageChops.difference(pictures[0], pictures[1]).getbbox() is not None
