"""Running graphs with PyTorch: build modules, run them, capture activations and gradients, export them."""

from .build import Network, build
from .errors import (
    BuildError,
    DeviceError,
    EngineError,
    ExportError,
    InputError,
    UnsafeWeightsError,
    WeightsError,
)

__all__ = [
    "BuildError",
    "DeviceError",
    "EngineError",
    "ExportError",
    "InputError",
    "Network",
    "UnsafeWeightsError",
    "WeightsError",
    "build",
]
