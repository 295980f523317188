"""The permissions a written file gets: a new one what a plain save would give it, a replaced one its old mode."""

from __future__ import annotations

import os
from pathlib import Path


def output_mode(path: Path) -> int:
    """The mode to give `path` before a temporary file (always private, 0600) replaces it."""
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
