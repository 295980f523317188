"""rs.show(graph): the network drawn inline in Jupyter, with the same cards and edges as the editor and the
`render` command, drawn offscreen. Qt is imported when the picture is first drawn, never on import."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.analysis import RunSettings
from ..core.graph import Graph
from ..core.model import GraphSnapshot


@dataclass(frozen=True)
class NetworkPicture:
    """A network to draw; Jupyter shows it through _repr_svg_, and save() writes it to a .svg or .png file."""

    snapshot: GraphSnapshot
    expanded: bool = False
    theme: str = "light"
    input_shape: tuple[int, int, int] | None = None
    _svg: list[str] = field(default_factory=list, repr=False, compare=False)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the picture to a .svg or .png file."""
        _draw(self, Path(path))
        return Path(path)

    def _repr_svg_(self) -> str:
        if not self._svg:
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / "network.svg"
                _draw(self, target)
                self._svg.append(target.read_text(encoding="utf-8"))
        return self._svg[0]


def show(
    graph: Graph,
    *,
    expanded: bool = False,
    theme: str = "light",
    input_shape: tuple[int, int, int] | None = None,
) -> NetworkPicture:
    """The network as a picture for Jupyter (a copy: later edits to `graph` do not change it)."""
    return NetworkPicture(graph.snapshot(), expanded, theme, input_shape)


def _draw(picture: NetworkPicture, target: Path) -> None:
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None and sys.platform.startswith("linux"):
        os.environ.setdefault(
            "QT_QPA_PLATFORM", "offscreen"
        )  # a kernel has no window to show, maybe no screen
    from ..ui.canvas import render_to_file

    settings = RunSettings(picture.input_shape) if picture.input_shape else None
    render_to_file(
        Graph(picture.snapshot), target, expanded=picture.expanded, settings=settings, theme=picture.theme
    )
