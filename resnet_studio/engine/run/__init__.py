"""Running built networks: devices, inputs, the forward pass with capture, timing, memory and failures."""

from ...results.run import Activation, ForwardResult, NodeRecord, RunError, ValueHistogram
from ...results.run_request import DeviceInfo, RunRequest
from .capture import ActivationStats, CaptureOptions
from .control import CancelToken, Fault
from .devices import list_devices
from .forward import run_forward, run_request
from .inputs import InputSource

__all__ = [
    "Activation",
    "ActivationStats",
    "CancelToken",
    "CaptureOptions",
    "DeviceInfo",
    "Fault",
    "ForwardResult",
    "InputSource",
    "NodeRecord",
    "RunError",
    "RunRequest",
    "ValueHistogram",
    "list_devices",
    "run_forward",
    "run_request",
]
