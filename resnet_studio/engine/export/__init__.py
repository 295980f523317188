"""Exporting networks: readable PyTorch source, ONNX and torch.export programs."""

from .onnx_export import OnnxReport, export_onnx
from .program import export_program
from .pytorch_source import export_pytorch, pytorch_source

__all__ = ["OnnxReport", "export_onnx", "export_program", "export_pytorch", "pytorch_source"]
