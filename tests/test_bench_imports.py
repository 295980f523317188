"""Every benchmark's imports of the project still resolve: a benchmark is run by hand, so a module split or a
rename that breaks one would otherwise go unnoticed until someone needs the figure."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(BENCH.glob("*.py"))


def imported_names(script: Path) -> list[tuple[str, str]]:
    """(module, name) for each `from M import name` of the project or of a sibling benchmark module."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    siblings = {p.stem for p in SCRIPTS}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            root = node.module.partition(".")[0]
            if root == "resnet_studio" or root in siblings:
                found += [(node.module, alias.name) for alias in node.names]
    return found


def test_the_benchmarks_are_all_checked() -> None:
    assert len(SCRIPTS) > 10 and any(imported_names(s) for s in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_each_name_a_benchmark_imports_exists(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    for module_name, name in imported_names(script):
        module = importlib.import_module(module_name)
        exists = hasattr(module, name) or f"{module_name}.{name}" in sys.modules
        if not exists:
            try:
                importlib.import_module(f"{module_name}.{name}")
                exists = True
            except ModuleNotFoundError:
                pass
        assert exists, f"{script.name}: 'from {module_name} import {name}' no longer resolves"
