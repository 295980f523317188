"""The package layout: every code folder is packaged, resources install with it, the core stays pure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "resnet_studio").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert folders <= listed, f"add to [tool.setuptools] packages: {sorted(folders - listed)}"
    stale = {p for p in listed - folders if p != "resnet_studio.resources"}
    assert not stale, f"remove from [tool.setuptools] packages (no such folder): {sorted(stale)}"
    assert "resnet_studio.resources" in listed


def test_importing_the_core_pulls_in_no_torch_numpy_or_qt() -> None:
    code = (
        "import sys, resnet_studio.core, resnet_studio.core.project, resnet_studio.core.expansion; "
        "import resnet_studio as rs; rs.preset('resnet18'); rs.analyze; "
        "print(','.join(m for m in ('torch', 'numpy', 'PySide6', 'pyqtgraph') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""


def test_pyside6_6_12_0_is_excluded_on_old_pythons() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert "PySide6-Essentials>=6.6,!=6.12.0; python_version < '3.12'" in text
    from importlib.metadata import version

    if sys.version_info < (3, 12):
        assert version("PySide6-Essentials") != "6.12.0"


ITEM_CHANGE_PROGRAM = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsItem, QGraphicsScene
app = QApplication([])
class Item(QGraphicsRectItem):
    calls = 0
    def itemChange(self, change, value):
        Item.calls += 1
        return super().itemChange(change, value)
scene = QGraphicsScene()
item = Item(0, 0, 10, 10)
item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
scene.addItem(item)
for i in range(50_000):
    item.setPos(i % 500, i % 300)
print(Item.calls)
"""


def test_qt_virtual_overrides_survive_50000_moves() -> None:
    """PySide6-Essentials 6.12.0 on Python < 3.12 dies here with 'Fatal Python error: none_dealloc' (exit 134)."""
    result = subprocess.run(
        [sys.executable, "-c", ITEM_CHANGE_PROGRAM], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip()) >= 50_000
