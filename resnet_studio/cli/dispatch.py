"""Entry point: dispatch to a subcommand, or open the desktop app."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from .common import Parser, UserError, fail

# Modules that add subcommands; each has add_parsers(subparsers). Imported lazily when they exist.
COMMAND_MODULES = (
    "resnet_studio.cli.core_commands",
    "resnet_studio.cli.engine_commands",
    "resnet_studio.cli.training_commands",
    "resnet_studio.cli.landscape_commands",
    "resnet_studio.cli.app_commands",
)


def build_parser() -> tuple[Parser, set[str]]:
    """The parser with every available subcommand, and their names."""
    parser = Parser(
        prog="resnet-studio",
        description="Design, inspect and teach residual networks. Without a subcommand, opens the app.",
    )
    parser.add_argument("--version", action="version", version="resnet-studio 0.1.0")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        module.add_parsers(subparsers)
    return parser, set(subparsers.choices)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if _names_no_command(args_list):  # the app opens sooner without importing every command's module
        return _open_app(args_list)
    parser, commands = build_parser()
    if not args_list or (args_list[0] not in commands and args_list[0] not in ("-h", "--help", "--version")):
        if args_list and _is_preset(args_list[0]):  # `resnet-studio resnet50`: the app on that preset
            return _open_app(["--preset", *args_list])
        if args_list and _looks_like_a_command(args_list[0]):
            listed = ", ".join(sorted(commands))
            fail(
                f"unknown command {args_list[0]!r}; the commands are {listed} "
                "(or give a project file or a preset's name to open it in the app)"
            )
        return _open_app(args_list)
    args = parser.parse_args(args_list)
    try:
        return int(args.handler(args))
    except UserError as error:
        fail(str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _names_no_command(args: list[str]) -> bool:
    """True when the arguments cannot start with a subcommand: none, an option other than help or version, or a
    word with an extension or a folder in it (command names have neither)."""
    if not args:
        return True
    first = args[0]
    if first.startswith("-"):
        return first not in ("-h", "--help", "--version")
    return bool(Path(first).suffix) or "/" in first or "\\" in first


def _is_preset(word: str) -> bool:
    """True for the name of a preset network (which no command has)."""
    from ..core.presets import PRESETS

    return word in PRESETS


def _looks_like_a_command(word: str) -> bool:
    """A bare word that is no file: not an option, no folder or extension, and nothing of that name exists."""
    return (
        not word.startswith("-")
        and not Path(word).suffix
        and "/" not in word
        and "\\" not in word
        and not (Path(word).exists())
    )


def _open_app(argv: list[str]) -> int:
    parser = Parser(
        prog="resnet-studio",
        usage="%(prog)s [FILE] [--preset NAME] [Qt options]",
        description="Open the ResNet Studio app on FILE, a project file or a checkpoint (.pt, .pth, "
        ".safetensors), or on a preset network.",
        allow_abbrev=False,
    )
    parser.add_argument("--preset", metavar="NAME", help="start from a preset network, e.g. resnet50")
    args, rest = parser.parse_known_args(argv)
    # Unknown options go to Qt (e.g. `-platform offscreen`), each with the word after it; the first other word is
    # the file, and a second one is a typo. Declared as a positional, FILE would take an option's value
    # (`--preset resnet50 -platform offscreen` opened a file named "offscreen").
    file: str | None = None
    qt_args: list[str] = []
    for i, arg in enumerate(rest):
        follows_option = i > 0 and rest[i - 1].startswith("-") and "=" not in rest[i - 1]
        if arg.startswith("-") or follows_option:
            qt_args.append(arg)
        elif file is None:
            file = arg
        else:
            fail(f"unknown command {arg!r}; try `resnet-studio --help`")
    try:
        app = importlib.import_module("resnet_studio.ui.app")
    except ModuleNotFoundError as error:
        fail(f"the desktop app is not available: {error}")
    return int(app.run(file=file, preset=args.preset, qt_args=qt_args))


if __name__ == "__main__":
    raise SystemExit(main())
