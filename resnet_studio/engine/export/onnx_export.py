"""ONNX export (the `onnx` extra): written by torch.onnx, checked with onnx.checker, compared with onnxruntime."""

from __future__ import annotations

import importlib
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ..assembly import Network, build
from ..errors import ExportError
from .shapes import batch_free

ONNX_EXTRA = "install the onnx extra: pip install 'resnet-studio[onnx]' (onnx, onnxscript, onnxruntime)"


@dataclass(frozen=True)
class OnnxReport:
    """What an ONNX export wrote and how it was checked."""

    path: Path
    opset: int
    checked: bool
    """True when onnx.checker accepted the model."""
    max_difference: float | None
    """Largest absolute difference between onnxruntime's and PyTorch's outputs (None without onnxruntime)."""


def _require(module: str) -> object:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(
            f"ONNX export needs the {module} package, which is not installed; {ONNX_EXTRA}"
        ) from None


def export_onnx(
    network: Graph | GraphSnapshot | Network,
    path: str | Path,
    input_shape: tuple[int, int, int] | None = None,
    *,
    seed: int = 0,
    compare: bool = True,
    tolerance: float = 1e-3,
) -> OnnxReport:
    """Write the network (eval mode, float32, batch size free) as ONNX, check it, and compare it with PyTorch."""
    onnx = _require("onnx")
    _require("onnxscript")
    net = network if isinstance(network, Network) else build(network, input_shape, seed=seed)
    net = net.eval().float()
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder; give the name of the .onnx file to write")
    inputs = tuple(
        torch.randn(
            (2, *(net.info.nodes[i].output_shape or ())), generator=torch.Generator().manual_seed(seed)
        )
        for i in net.info.inputs
    )
    names = [f"input{i}" if len(inputs) > 1 else "input" for i in range(len(inputs))]
    try:
        with warnings.catch_warnings(), redirect_stdout(io.StringIO()), _quiet("torch.onnx", "torch.export"):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                net,
                inputs,
                dynamo=True,
                input_names=names,
                dynamic_shapes=batch_free(len(inputs)),
                external_data=False,
            )
            assert program is not None
            program.save(str(path), external_data=False)
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(f"PyTorch could not export the network to ONNX: {_first_line(error)}") from None
    try:
        model = onnx.load(str(path))  # type: ignore[attr-defined]
        onnx.checker.check_model(model)  # type: ignore[attr-defined]
    except Exception as error:
        raise ExportError(f"the ONNX file does not pass onnx.checker: {_first_line(error)}") from None
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    difference = _compare(net, path, names, inputs, tolerance) if compare else None
    return OnnxReport(path, int(opset), True, difference)


def _compare(
    net: Network, path: Path, names: list[str], inputs: tuple[torch.Tensor, ...], tolerance: float
) -> float | None:
    try:
        runtime = importlib.import_module("onnxruntime")
    except ImportError:
        return None
    session = runtime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {name: x.numpy() for name, x in zip(names, inputs)})
    with torch.no_grad():
        expected = net(*inputs)
    expected_list = [expected] if isinstance(expected, torch.Tensor) else list(expected)
    difference = max(float(np.max(np.abs(a - b.numpy()))) for a, b in zip(got, expected_list))
    scale = max(float(np.max(np.abs(b.numpy()))) for b in expected_list)
    if difference > tolerance * max(1.0, scale):
        raise ExportError(
            f"onnxruntime's outputs differ from PyTorch's by up to {difference:.3g} (outputs reach {scale:.3g})"
        )
    return difference


@contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Silence the exporter's own log lines (progress and notes about optional packages)."""
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
