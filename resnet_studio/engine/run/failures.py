"""Turning exceptions raised mid-run into results: out of memory, a lost device, or PyTorch refusing a layer."""

from __future__ import annotations

import torch

from ...core.units import bytes_text
from ...results.run import RunError
from .control import Faults
from .memory import MemoryEstimate, available_memory, device_capacity, suggest_batch

# Phrases PyTorch uses when a GPU stops working; after these the device is unusable in this process.
_DEVICE_LOST = (
    "cuda error",
    "cuda driver error",
    "cudnn_status_internal_error",
    "device-side assert",
    "illegal memory access",
    "unspecified launch failure",
    "no cuda gpus are available",
    "device not ready",
    "gpu is lost",
    "mps backend",
)
_OUT_OF_MEMORY = ("out of memory", "not enough memory", "can't allocate memory", "failed to allocate")


def is_out_of_memory(error: BaseException) -> bool:
    """True for PyTorch's out-of-memory errors (CUDA, MPS or the CPU allocator)."""
    if isinstance(error, torch.OutOfMemoryError):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and any(p in text for p in _OUT_OF_MEMORY)


def classify(
    error: BaseException, node: str, device: torch.device, memory: MemoryEstimate | None, faults: Faults
) -> RunError:
    """The result for an exception raised while running `node`."""
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if is_out_of_memory(error):
        _release(device)
        return out_of_memory(node, device, memory, faults.capacity())
    if isinstance(error, RuntimeError) and any(p in first_line.lower() for p in _DEVICE_LOST):
        return RunError(
            "device_lost",
            f"the device {device} stopped working while running {node}: {first_line}. The results up to that "
            "layer are kept; a GPU in this state cannot be used again until the app restarts, so pick another "
            "device or restart.",
            node=node,
        )
    return RunError("failed", f"PyTorch failed at {node}: {type(error).__name__}: {first_line}", node=node)


def out_of_memory(
    node: str, device: torch.device, memory: MemoryEstimate | None, capacity: int | None = None
) -> RunError:
    """The out-of-memory result: where, the analysis' estimate, what the device has, and a batch that fits."""
    if capacity is None:
        capacity = device_capacity(device)
    text = f"out of memory on {device} while running {node}"
    if memory is None:
        return RunError("out_of_memory", text + "; try a smaller batch", node=node)
    text += f" at batch {memory.batch_size}. The analysis estimates {memory.describe()}"
    if capacity is not None:
        text += f"; the device has {bytes_text(capacity)}"
    batch = suggest_batch(memory, capacity)
    if batch is not None:
        text += f". Batch {batch} should fit."
    elif memory.batch_size > 1:
        text += ". By the estimate not even batch 1 fits: use a smaller input size or another device."
    else:
        text += ". Batch 1 does not fit: use a smaller input size, a 16-bit dtype or another device."
    return RunError("out_of_memory", text, node=node, estimated_bytes=memory.total, suggested_batch=batch)


def refuse_if_too_big(
    memory: MemoryEstimate, device: torch.device, capacity: int | None = None
) -> RunError | None:
    """An out-of-memory result before anything runs, when the estimate is more than the device has free (a pass
    that size would take the machine down, or swap for minutes); None when it fits or nothing is known."""
    free = capacity if capacity is not None else available_memory(device)
    if free is None or memory.total <= free:
        return None
    where = "free on " + (str(device) if device.type != "cpu" else "this machine (RAM)")
    text = (
        f"this run was not started: at batch {memory.batch_size} the analysis estimates {memory.describe()}, "
        f"but only {bytes_text(free)} is {where}"
    )
    batch = suggest_batch(memory, free)
    if batch is not None:
        text += f". Batch {batch} should fit."
    else:
        text += ". Use a smaller input size, a 16-bit dtype, another device, or close other programs."
    return RunError("out_of_memory", text, estimated_bytes=memory.total, suggested_batch=batch)


def _release(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()
