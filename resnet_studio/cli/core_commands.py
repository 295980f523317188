"""Subcommands that need only the core: summary, compare and presets."""

from __future__ import annotations

import argparse
import sys

from .common import (
    add_input_size_argument,
    add_memory_arguments,
    add_network_argument,
    load_network,
    run_settings,
)


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `summary`, `compare` and `presets`."""
    summary = subparsers.add_parser(
        "summary",
        help="per-layer shapes, parameters, MACs and memory of a network",
        description="Print a per-layer table (name, type, output shape, params, MACs, memory) and totals.",
    )
    add_network_argument(summary)
    add_input_size_argument(summary)
    add_memory_arguments(summary)
    summary.add_argument("--format", choices=("table", "csv", "markdown", "json"), default="table")
    summary.add_argument(
        "--expanded", action="store_true", help="expand every block into its primitive layers"
    )
    summary.set_defaults(handler=run_summary)

    compare = subparsers.add_parser(
        "compare",
        help="two networks side by side: parameters, MACs, memory and receptive field per stage",
        description="Compare two networks (presets or project files) under the same settings: totals and "
        "per-stage parameters, MACs, activation memory and receptive field, with B - A and B / A, and which "
        "blocks differ.",
    )
    compare.add_argument("a", metavar="A", help="a preset name (see `presets`) or a project file")
    compare.add_argument("b", metavar="B", help="the network to set against A")
    add_input_size_argument(compare)
    add_memory_arguments(compare)
    compare.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    compare.set_defaults(handler=run_compare)

    presets = subparsers.add_parser(
        "presets", help="list the preset networks", description="List the presets."
    )
    presets.set_defaults(handler=run_presets)


def run_summary(args: argparse.Namespace) -> int:
    """Print the summary; exit 1 (with the diagnostics on stderr) when the network has errors."""
    from ..core.analysis import analyze
    from ..core.expansion import expand_all
    from ..core.report import render

    settings = run_settings(args)
    graph = load_network(args.network)
    if args.expanded:
        graph = expand_all(graph, settings.input_shape)
    analysis = analyze(graph, settings=settings)
    sys.stdout.write(render(graph, analysis, args.format))
    for diagnostic in analysis.diagnostics:
        print(diagnostic, file=sys.stderr)
    return 0 if analysis.ok else 1


def run_compare(args: argparse.Namespace) -> int:
    """Print the comparison; exit 1 (saying so on stderr) when either network has errors."""
    from ..core.compare import compare_networks
    from ..core.compare_report import render

    a, b = load_network(args.a), load_network(args.b)
    comparison = compare_networks(a, b, args.a, args.b, args.input, args.batch, args.dtype)
    sys.stdout.write(render(comparison, args.format))
    for title, errors in zip((args.a, args.b), comparison.errors):
        if errors:
            print(
                f"resnet-studio: {title} has {errors} error(s); its figures after them are unknown",
                file=sys.stderr,
            )
    return 1 if any(comparison.errors) else 0


def run_presets(args: argparse.Namespace) -> int:
    """One line per preset."""
    from ..core.presets import PRESETS

    width = max(len(n) for n in PRESETS)
    for name, preset in PRESETS.items():
        print(f"{name.ljust(width)}  {preset.description}")
    return 0
