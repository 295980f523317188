"""ONNX export (checked with onnx.checker, compared with onnxruntime) and torch.export programs."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import torch

from resnet_studio.core import preset
from resnet_studio.engine import ExportError, build
from resnet_studio.engine.export import export_onnx, export_program
from resnet_studio.engine.export import onnx_export as onnx_module

from .graphs import two_branch


@pytest.mark.slow
def test_onnx_export_passes_the_checker_and_matches_pytorch(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    report = export_onnx(preset("resnet20"), tmp_path / "resnet20.onnx")
    assert report.checked and report.opset >= 17
    assert report.max_difference is not None and report.max_difference < 1e-3
    import onnxruntime

    session = onnxruntime.InferenceSession(str(report.path), providers=["CPUExecutionProvider"])
    net = build(preset("resnet20")).eval()
    x = torch.randn(5, 3, 32, 32)  # another batch size than the export used: the batch dimension is free
    (got,) = session.run(None, {"input": x.numpy()})
    with torch.no_grad():
        assert torch.allclose(torch.from_numpy(got), net(x), atol=1e-4)


def test_onnx_export_without_the_onnx_package_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.import_module

    def missing_onnx(name: str, package: str | None = None) -> object:
        if name == "onnx":
            raise ImportError("No module named 'onnx'")
        return real(name, package)

    monkeypatch.setattr(onnx_module.importlib, "import_module", missing_onnx)
    with pytest.raises(ExportError, match=r"needs the onnx package.*resnet-studio\[onnx\]"):
        export_onnx(preset("resnet20"), tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_torch_export_program_reproduces_the_outputs(tmp_path: Path) -> None:
    graph = two_branch()
    path = export_program(graph, tmp_path / "branches.pt2")
    program = torch.export.load(str(path))
    net = build(graph).eval()
    image, mask = torch.randn(3, 4, 9, 7), torch.randn(3, 4, 9, 7)
    with torch.no_grad():
        expected = net(image, mask)
        got = program.module()(image, mask)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(expected, got))
