"""How the app's code hangs together: no import circles inside ui, and colours defined in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[2] / "resnet_studio"
UI = PACKAGE / "ui"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every ui module this file imports: at the top, under TYPE_CHECKING or inside functions."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            candidates = [target, *(f"{target}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


def ui_import_graph(root: Path = UI) -> nx.DiGraph:
    """Modules of a package as nodes, an edge from each module to every module it imports."""
    paths = sorted(root.rglob("*.py"))
    known = {_module_name(p) for p in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for path in paths:
        for target in _imports(path, known):
            if path.name != "__init__.py" or not target.startswith(_module_name(path) + "."):
                graph.add_edge(_module_name(path), target)
    return graph


def test_no_import_circles_inside_ui() -> None:
    graph = ui_import_graph()
    circles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert circles == [], "modules that import each other, directly or around a circle: " + repr(circles)


def test_the_circle_finder_sees_type_checking_imports(tmp_path: Path) -> None:
    package = tmp_path / "resnet_studio" / "ui"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import thing\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import other\nthing = 1\n"
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "resnet_studio"
    try:
        graph = ui_import_graph(package)
    finally:
        PACKAGE = saved
    assert graph.has_edge("resnet_studio.ui.a", "resnet_studio.ui.b")
    assert graph.has_edge("resnet_studio.ui.b", "resnet_studio.ui.a")


HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


def test_colours_are_defined_once() -> None:
    allowed = {UI / "colours.py", UI / "theme.py"}  # the app's own colours, and the two palettes
    stray = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted(UI.rglob("*.py"))
        if path not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HEX.search(line)
    ]
    assert stray == []
