"""Pictures: PNG and SVG export from the canvas, render_to_file, and the `render` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.graph import Graph
from resnet_studio.core.presets import preset
from resnet_studio.ui.canvas import CanvasView, render_to_file
from resnet_studio.ui.document import Document

from .test_scene import residual_graph


def test_export_png_at_twice_the_size_and_svg(
    qtbot: object, make_document: Callable[[Graph], Document], tmp_path: Path
) -> None:
    view = CanvasView(make_document(preset("resnet18")))
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.document.set_selection(["layer1.0"])
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    view.export_image(str(png))
    view.export_image(str(svg))
    image = QImage(str(png))
    rect = view.canvas.network_rect()
    assert not image.isNull()
    assert image.width() == pytest.approx((rect.width() + 72) * 2, abs=2)
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid() and renderer.viewBox().width() == pytest.approx(rect.width() + 72, abs=2)
    assert view.document.selection == ("layer1.0",)  # exporting leaves the selection alone


def test_export_refuses_unknown_types_and_missing_folders(
    qtbot: object, make_document: Callable[[Graph], Document], tmp_path: Path
) -> None:
    view = CanvasView(make_document(Graph()))
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    with pytest.raises(OSError, match=r"must end in \.png or \.svg"):
        view.export_image(str(tmp_path / "net.jpg"))
    with pytest.raises(OSError, match="does not exist"):
        view.export_image(str(tmp_path / "missing" / "net.png"))
    target = tmp_path / "locked.png"
    target.mkdir()  # a folder where the file should go
    with pytest.raises(OSError, match="cannot write"):
        view.export_image(str(target))
    view.export_image(str(tmp_path / "empty.png"))  # an empty canvas still makes a (blank) picture
    assert not QImage(str(tmp_path / "empty.png")).isNull()


def test_render_to_file_expanded_and_with_settings(qapp: object, tmp_path: Path) -> None:
    blocks, layers = tmp_path / "blocks.png", tmp_path / "layers.png"
    render_to_file(preset("resnet18"), blocks)
    render_to_file(preset("resnet18"), layers, expanded=True, settings=RunSettings((3, 64, 64), 8, "float16"))
    small, big = QImage(str(blocks)), QImage(str(layers))
    assert not small.isNull() and not big.isNull()
    # 60-odd layers instead of 12 blocks; both laid out for a slide, not as a strip
    assert big.width() * big.height() > small.width() * small.height() * 4
    assert all(1.3 < image.width() / image.height() < 2.2 for image in (small, big))
    render_to_file(residual_graph(stride=2), tmp_path / "broken.svg", theme="dark", edge_labels=True)
    assert QSvgRenderer(str(tmp_path / "broken.svg")).isValid()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh, headless process."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_render_command_writes_a_picture_offscreen(tmp_path: Path) -> None:
    out = tmp_path / "r18.png"
    done = run_cli("render", "resnet18", "-o", str(out), "--expanded", "--input", "3x64x64")
    assert done.returncode == 0, done.stderr
    assert out.name in done.stdout
    assert not QImage(str(out)).isNull()


def test_render_command_explains_a_bad_name_in_one_line(tmp_path: Path) -> None:
    done = run_cli("render", "resnet19", "-o", str(tmp_path / "x.png"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "resnet19" in lines[0] and lines[0].startswith("resnet-studio: error:")
    assert not (tmp_path / "x.png").exists()
    done = run_cli("render", "resnet18", "-o", str(tmp_path / "x.gif"))
    assert done.returncode == 2 and ".png or .svg" in done.stderr
