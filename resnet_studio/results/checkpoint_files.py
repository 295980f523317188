"""Which files open as checkpoints (a network with its weights) rather than as projects: by their name's ending.

Apart from the checkpoint's result types, so the app asks it at start-up without importing them."""

from __future__ import annotations

from pathlib import Path

CHECKPOINT_SUFFIXES = (".pt", ".pth", ".safetensors")
"""File name endings that open as checkpoints, not as project files."""


def is_checkpoint_file(path: str | Path) -> bool:
    """True for a .pt, .pth or .safetensors file name."""
    return Path(path).suffix.lower() in CHECKPOINT_SUFFIXES
