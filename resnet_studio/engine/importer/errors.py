"""Typed refusals of a module the catalogue cannot express; each names the first such submodule and its type."""

from __future__ import annotations

from ..errors import EngineError


class ModuleImportError(EngineError):
    """A module that cannot become a graph; `path` is the submodule ('layer2.0.se', '' for the model itself)
    and `module_type` its class name, when one is to blame."""

    def __init__(self, message: str, path: str = "", module_type: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.module_type = module_type


class UnsupportedModuleError(ModuleImportError):
    """The module uses a layer or an operation that no catalogue block expresses."""
