"""Devices and number formats: what is available here, and whether a device can run a dtype."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ...core.shapes import DTYPE_NAMES
from ...results.run_request import DeviceInfo
from ..errors import DeviceError, DTypeError

DTYPES: dict[str, torch.dtype] = {name: getattr(torch, name) for name in DTYPE_NAMES}
"""The number formats a run may use, by the names the analysis settings use."""


def list_devices() -> tuple[DeviceInfo, ...]:
    """Every device this machine offers: the CPU, each CUDA device (name and memory) and Apple's MPS."""
    devices = [DeviceInfo("cpu", "cpu", f"CPU ({torch.get_num_threads()} threads)", None)]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            devices.append(DeviceInfo(f"cuda:{i}", "cuda", props.name, int(props.total_memory)))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(DeviceInfo("mps", "mps", "Apple GPU (MPS)", None))
    return tuple(devices)


def resolve_device(name: str | torch.device) -> torch.device:
    """The torch device for a name; raises DeviceError naming the devices that exist."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise DeviceError(f"{str(name)!r} is not a device name; use cpu, cuda:0 or mps") from None
    if device.type in ("cpu", "mps"):
        device = torch.device(device.type)  # one CPU, one Apple GPU: 'cpu:0' is the CPU
    elif device.type == "cuda" and device.index is None:
        device = torch.device("cuda:0")
    known = {d.name for d in list_devices()}
    if str(device) not in known:
        raise DeviceError(f"device {device} is not available here; available: {', '.join(sorted(known))}")
    return device


def device_title(device: torch.device) -> str:
    """The device's title from list_devices ('NVIDIA H100 80GB HBM3'), or its name."""
    return next((d.title for d in list_devices() if d.name == str(device)), str(device))


def torch_dtype(name: str) -> torch.dtype:
    """The torch dtype of a format name; raises DeviceError listing the names."""
    try:
        return DTYPES[name]
    except KeyError:
        raise DeviceError(f"unknown number format {name!r}; use one of {', '.join(DTYPES)}") from None


_SUPPORT: dict[tuple[str, str], str | None] = {}


def dtype_problem(device: torch.device, dtype: str) -> str | None:
    """Why `device` cannot run a ResNet in `dtype`, or None when it can (probed once with a tiny network)."""
    key = (str(device), dtype)
    if key not in _SUPPORT:
        _SUPPORT[key] = _probe(device, torch_dtype(dtype))
    return _SUPPORT[key]


def check_dtype(device: torch.device, dtype: str) -> torch.dtype:
    """The torch dtype, or DTypeError saying the device does not support it and what to use instead."""
    problem = dtype_problem(device, dtype)
    if problem is not None:
        raise DTypeError(
            f"{dtype} is not supported on {device} by this PyTorch build ({problem}); use float32"
            + (" or bfloat16" if dtype == "float16" and dtype_problem(device, "bfloat16") is None else "")
        )
    return torch_dtype(dtype)


def _probe(device: torch.device, dtype: torch.dtype) -> str | None:
    try:
        with torch.no_grad():
            layers = nn.Sequential(
                nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2)
            ).to(device=device, dtype=dtype)
            x = layers(torch.ones(2, 3, 8, 8, device=device, dtype=dtype))
            F.linear(
                torch.flatten(F.adaptive_avg_pool2d(x, 1), 1), torch.ones(2, 4, device=device, dtype=dtype)
            )
        return None
    except (RuntimeError, TypeError, NotImplementedError) as error:
        return str(error).splitlines()[0][:160]


def synchronize(device: torch.device) -> None:
    """Wait until the device has finished its queued work (no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
