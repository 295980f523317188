"""The command line: `resnet-studio` opens the app; subcommands analyse, run, export and render networks."""

from __future__ import annotations

import gc
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (`resnet-studio`); returns the exit status."""
    # Importing the package allocates much and frees next to nothing: with Python's collector on, each of its
    # passes would walk the whole growing heap for no garbage (a tenth of the app's start-up). So it is off while
    # importing, and what the imports made (modules, classes, functions: alive until the end) is frozen, out of
    # the way of later passes. Commands run with it on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .dispatch import main as dispatch
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    return dispatch(argv)
