"""Importing PyTorch modules: from_module(model, input_shape) traces the module with torch.fx and maps its
torchvision-style blocks and the catalogue's layers to graph nodes named like the module's own submodules, so
the module's state_dict loads into the built network as it is (a top-level submodule named by a number, as in a
bare nn.Sequential, is named 'n0', 'n1', ... there)."""

from .convert import from_module
from .errors import ModuleImportError, UnsupportedModuleError

__all__ = ["ModuleImportError", "UnsupportedModuleError", "from_module"]
