"""Typed engine errors. Each carries a message a user can act on; the run functions turn them into results."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.analysis import Diagnostic


class EngineError(Exception):
    """Base class for everything the engine refuses to do."""


class BuildError(EngineError):
    """The graph cannot be turned into a module; `diagnostics` are the analysis errors that stop it."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics = tuple(diagnostics)


class DeviceError(EngineError):
    """A device that does not exist here, or cannot run what was asked (e.g. a dtype it does not support)."""


class DTypeError(DeviceError):
    """A number format the device (or this PyTorch build) cannot run."""


class InputError(EngineError):
    """An input that cannot be used: an unreadable image, or a size that does not fit the network."""


class WeightsError(EngineError):
    """A weights file that cannot be read or does not fit the network."""


class UnsafeWeightsError(WeightsError):
    """A weights file that would need arbitrary code to load (a pickle of Python objects); nothing was run."""


class ExportError(EngineError):
    """An export that failed or needs an optional package that is not installed."""
