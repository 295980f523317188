"""The command line: `resnet-studio` opens the app; subcommands analyse, run, export and render networks."""

from .dispatch import main

__all__ = ["main"]
