"""rs.show(): a network drawn inline in Jupyter (an SVG through _repr_svg_), with Qt loaded only to draw it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import resnet_studio as rs
from resnet_studio.core.commands import SetParam


def test_show_draws_an_svg_of_the_network_as_it_was(qapp: object, tmp_path: Path) -> None:
    graph = rs.preset("resnet20")
    picture = rs.show(graph)
    SetParam("layer1.0", "stride", 2).do(graph)  # later edits do not change the picture
    svg = picture._repr_svg_()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert picture._repr_svg_() is svg  # drawn once
    assert picture.save(tmp_path / "net.png").stat().st_size > 1000


def test_import_and_show_load_no_qt_until_drawn() -> None:
    code = (
        "import sys, resnet_studio as rs; p = rs.show(rs.preset('resnet18')); "
        "print('PySide6' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_notebook_api_names_resolve() -> None:
    for name in ("open_checkpoint", "attach_weights", "from_module", "show"):
        assert callable(getattr(rs, name)) and name in dir(rs)
