"""Subcommands that need Qt but no window: `render` draws a network to PNG or SVG with the canvas's own items."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .common import (
    UserError,
    add_input_size_argument,
    add_memory_arguments,
    add_network_argument,
    load_network,
    run_settings,
)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `render`."""
    render = subparsers.add_parser(
        "render",
        help="draw a network to a PNG or SVG file (no window needed)",
        description="Draw a network with the same cards and edges the editor shows, for slides and documents.",
    )
    add_network_argument(render)
    render.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="the image to write: .png or .svg"
    )
    render.add_argument(
        "--expanded", action="store_true", help="draw every block as the primitive layers it is made of"
    )
    add_input_size_argument(render)
    add_memory_arguments(render)
    render.add_argument(
        "--theme", choices=("light", "dark"), default="light", help="colours (default: light)"
    )
    render.add_argument("--labels", action="store_true", help="write the tensor shape on every edge")
    render.add_argument(
        "--presentation", action="store_true", help="thicker lines and larger text for projectors"
    )
    render.set_defaults(handler=run_render)


def run_render(args: argparse.Namespace) -> int:
    """Handle `resnet-studio render`."""
    target = Path(args.output)
    if target.suffix.lower() not in (".png", ".svg"):
        raise UserError(f"cannot write {target}: the output name must end in .png or .svg")
    if not target.parent.is_dir() and str(target.parent):
        raise UserError(f"cannot write {target}: the folder {target.parent} does not exist")
    graph = load_network(args.network)
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed to draw a picture
    settings = run_settings(args)
    from ..ui.canvas import render_to_file

    try:
        render_to_file(
            graph,
            target,
            expanded=args.expanded,
            settings=settings,
            theme=args.theme,
            edge_labels=args.labels,
            presentation=args.presentation,
        )
    except OSError as error:
        raise UserError(str(error)) from None
    print(f"wrote {target} ({len(graph)} blocks{', expanded' if args.expanded else ''})")
    return 0
