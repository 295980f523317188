"""Helpers shared by the subcommands: argument parsing that fails in one clear line, and network loading."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ..core.graph import Graph
from ..core.shapes import DTYPE_NAMES

if TYPE_CHECKING:
    from ..core.analysis import RunSettings
    from ..results.weights import AttachedWeights


class UserError(Exception):
    """Bad input from the user: printed as one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_network_argument(parser: argparse.ArgumentParser) -> None:
    """The positional NAME_OR_FILE every subcommand that works on a network takes."""
    parser.add_argument(
        "network",
        metavar="NAME_OR_FILE",
        help="a preset name (see `presets`), a project file (./NAME for a file named like a preset) or a "
        "checkpoint (.pt, .pth, .safetensors)",
    )


def add_memory_arguments(parser: argparse.ArgumentParser, *, batch_default: int = 1) -> None:
    """--batch and --dtype, which decide the memory figures (and, for runs, what is run)."""
    parser.add_argument(
        "--batch",
        type=positive_int,
        default=batch_default,
        metavar="N",
        help=f"batch size (default {batch_default})",
    )
    parser.add_argument(
        "--dtype", choices=DTYPE_NAMES, default="float32", help="number format (default float32)"
    )


def add_input_size_argument(parser: argparse.ArgumentParser, *, has_source: bool = False) -> None:
    """--input CxHxW, the one name and grammar every subcommand uses for the input size (`has_source`: the
    subcommand also takes --input-source, which the message points to when --input gets an image or 'sample')."""

    def parse(text: str) -> tuple[int, int, int]:
        try:
            return input_size(text)
        except argparse.ArgumentTypeError as error:
            if has_source and not any(ch.isdigit() for ch in text):
                raise argparse.ArgumentTypeError(
                    f"{error}; what goes in (random, sample or an image file) is --input-source"
                ) from None
            raise

    parser.add_argument(
        "--input",
        type=parse,
        default=None,
        metavar="CxHxW",
        help="input size, e.g. 3x224x224 (default: the size set on the network's Input node)",
    )


def input_size(text: str) -> tuple[int, int, int]:
    """An input size CxHxW, parsed by the core's one grammar (strict: '3x224' is refused, not guessed)."""
    from ..core.errors import InputSizeError
    from ..core.shapes import parse_input_size

    try:
        return parse_input_size(text)
    except InputSizeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text: str) -> int:
    """A batch size: an integer from 1 to the largest batch the analysis accepts."""
    from ..core.shapes import check_batch_size

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text!r}")
    try:
        return check_batch_size(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def load_network(name_or_file: str) -> Graph:
    """A preset by name, or a project file or checkpoint by path; raises UserError with one clear line."""
    return open_network(name_or_file)[0]


def open_network(name_or_file: str) -> tuple[Graph, AttachedWeights | None]:
    """The network and, for a checkpoint, the weights that came with it; raises UserError with one clear line."""
    from ..results.checkpoint_files import is_checkpoint_file

    if is_checkpoint_file(name_or_file):
        return _open_checkpoint(Path(name_or_file))
    return _load_graph(name_or_file), None


def _open_checkpoint(path: Path) -> tuple[Graph, AttachedWeights]:
    try:
        from ..engine.checkpoint import open_checkpoint
        from ..engine.errors import WeightsError
    except ImportError as error:
        raise UserError(f"opening the checkpoint {path.name} needs PyTorch ({error})") from None
    try:
        opened = open_checkpoint(path)
    except WeightsError as error:
        raise UserError(str(error)) from None
    return opened.graph(), opened.weights


def _load_graph(name_or_file: str) -> Graph:
    """A preset by name, or a project file by path.

    A preset name wins over a file or folder of that name in the current folder ('./resnet18' names the file).
    """
    from ..core.errors import UnknownPresetError
    from ..core.presets import preset
    from ..core.project import ProjectFileError, load

    path = Path(name_or_file)
    looks_like_path = path.suffix.lower() == ".json" or "/" in name_or_file or "\\" in name_or_file
    if not looks_like_path:
        try:
            return preset(name_or_file)
        except UnknownPresetError as error:
            if not path.exists():
                raise UserError(f"no preset or project file named {name_or_file!r}: {error}") from None
    try:
        return load(path)
    except ProjectFileError as error:
        raise UserError(error.summary()) from None


def run_settings(args: argparse.Namespace) -> RunSettings:
    """The run settings from --input, --batch and --dtype; raises UserError for sizes no device could hold."""
    from ..core.analysis import RunSettings

    try:
        return RunSettings(getattr(args, "input", None), args.batch, args.dtype)
    except ValueError as error:
        raise UserError(str(error)) from None


def fail(message: str, status: int = 2) -> NoReturn:
    """Print one line on stderr and exit."""
    print(f"resnet-studio: error: {message}", file=sys.stderr)
    raise SystemExit(status)
