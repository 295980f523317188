"""Running built networks: devices, inputs, the forward pass with capture, timing, memory and failures."""

from .capture import Activation, ActivationStats, CaptureOptions, Histogram
from .control import CancelToken, Fault
from .devices import DeviceInfo, list_devices
from .forward import run_forward
from .inputs import InputSource
from .results import ForwardResult, NodeRecord, RunError

__all__ = [
    "Activation",
    "ActivationStats",
    "CancelToken",
    "CaptureOptions",
    "DeviceInfo",
    "Fault",
    "ForwardResult",
    "Histogram",
    "InputSource",
    "NodeRecord",
    "RunError",
    "list_devices",
    "run_forward",
]
