"""The bundle's recipe, checked without building it (packaging/build-bundle.sh builds and smoke-tests it):
nothing the app imports is left out, and the file filter drops only what the app never reads."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def exclusions() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle_exclusions", PACKAGING / "bundle_exclusions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_modules() -> set[str]:
    """Every module named in an import statement of the package (lazy ones inside functions included)."""
    names: set[str] = set()
    for path in (ROOT / "resnet_studio").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


OPTIONAL = {"onnx", "onnxruntime", "onnxscript", "pyqtgraph.opengl"}
"""The ONNX export's extra and the Landscape dock's 3D view: the bundle leaves them out on purpose (the export says
how to install ONNX; without pyqtgraph.opengl the dock says there is no 3D view and keeps its 2D views)."""


def test_the_bundle_leaves_out_nothing_the_app_imports() -> None:
    module = exclusions()
    imported = imported_modules()
    left_out = set(module.UNUSED_QT) | set(module.UNUSED_PYTHON)
    clash = {
        name
        for name in imported
        for excluded in left_out - OPTIONAL
        if name == excluded or name.startswith(excluded + ".")
    }
    assert not clash, f"the app imports {sorted(clash)}: take them out of packaging/bundle_exclusions.py"
    assert {"PySide6.QtCore", "PySide6.QtWidgets", "PySide6.QtSvg"} <= imported  # the scan sees Qt imports


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("torch/lib/libtorch_cpu.so", True),
        ("torch/bin/torch_shm_manager", True),
        ("torch/bin/test_api", False),
        ("torch/bin/protoc", False),
        ("torch/lib/libtorchbind_test.so", False),
        ("torch/include/ATen/ATen.h", False),
        ("torch/lib/libfoo.a", False),
        ("resnet_studio/resources/icons/resnet-studio.svg", True),
        ("resnet_studio/resources/lessons/01-skips/lesson.json", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ],
)
def test_the_file_filter(name: str, kept: bool) -> None:
    assert exclusions().wanted(name) is kept


def test_the_spec_reads_the_exclusions_and_collects_every_resource() -> None:
    spec = (PACKAGING / "resnet-studio.spec").read_text()
    assert "from bundle_exclusions import UNUSED_PYTHON, UNUSED_QT, wanted" in spec
    assert 'collect_data_files("resnet_studio"' in spec and 'collect_submodules("resnet_studio")' in spec
    assert "wanted(entry[0])" in spec
