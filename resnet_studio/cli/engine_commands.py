"""Subcommands that run networks with PyTorch: run, gradflow and export. torch is imported inside the handlers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import (
    UserError,
    add_input_size_argument,
    add_memory_arguments,
    add_network_argument,
    open_network,
    positive_int,
)

if TYPE_CHECKING:
    from ..results.gradients import GradientFlow, GradientFlowComparison


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run`, `gradflow` and `export`."""
    run = subparsers.add_parser(
        "run",
        help="run a forward pass and print each node's output shape, statistics and time",
        description="Build the network with PyTorch, run one forward pass and print per-node output shape, "
        "statistics (mean, std, min, max, fraction of zeros) and time.",
    )
    _run_arguments(run, batch_default=1)
    run.add_argument("--channels-last", action="store_true", help="use the channels-last memory format")
    run.set_defaults(handler=run_forward_command)

    grad = subparsers.add_parser(
        "gradflow",
        help="per-layer gradient norms after one backward pass (and the plain twin's)",
        description="Run one forward and backward pass (cross-entropy against seeded random labels) and print "
        "the gradient norm of every layer's weights and of every block's output.",
    )
    _run_arguments(grad, batch_default=8)
    compare = grad.add_mutually_exclusive_group()
    compare.add_argument("--compare-plain", action="store_true", help="also run the plain twin (skips off)")
    compare.add_argument(
        "--compare",
        metavar="NAME_OR_FILE",
        help="also run this other network (a preset or a project file) on the same batch and labels",
    )
    grad.set_defaults(handler=run_gradflow_command)

    export = subparsers.add_parser(
        "export",
        help="export a network as PyTorch source, ONNX or a torch.export program",
        description="Write the network as a standalone PyTorch source file (build_model()), an ONNX model "
        "(checked, and compared with onnxruntime) or a torch.export program (.pt2).",
    )
    _network_arguments(export)
    export.add_argument("--to", choices=("pytorch", "onnx", "torch-export"), required=True, dest="target")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="PATH", help="file to write")
    export.add_argument("--weights", type=Path, metavar="PATH", help="load these weights before exporting")
    export.add_argument(
        "--batch",
        type=positive_int,
        default=1,
        metavar="N",
        help="the batch size the PyTorch source's shape comments are written for (default 1)",
    )
    export.add_argument(
        "--save-weights",
        type=Path,
        metavar="PATH",
        help="also write the network's weights (.pt or .safetensors)",
    )
    export.set_defaults(handler=run_export_command)


def _run_arguments(parser: argparse.ArgumentParser, *, batch_default: int) -> None:
    """What `run` and `gradflow` share: the network, device, batch, dtype, input, weights and output format."""
    _network_arguments(parser, has_source=True)
    parser.add_argument("--device", default="cpu", help="cpu, cuda:0, mps (default: cpu)")
    add_memory_arguments(parser, batch_default=batch_default)
    parser.add_argument(
        "--input-source",
        default="random",
        metavar="random|sample|IMAGE",
        help="what goes in: random normal values (seeded), the sample image, or an image file (default random)",
    )
    parser.add_argument(
        "--weights", type=Path, metavar="PATH", help="load weights (.pt, .pth or .safetensors)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _network_arguments(parser: argparse.ArgumentParser, *, has_source: bool = False) -> None:
    add_network_argument(parser)
    add_input_size_argument(parser, has_source=has_source)
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for the weights and random input (default 0)"
    )


def _input(text: str) -> str:
    if text in ("random", "sample") or Path(text).is_file():
        return text
    raise UserError(f"--input-source must be random, sample or an image file; there is no file {text!r}")


def _weights(path: Path | None) -> Path | None:
    if path is not None and not path.is_file():
        raise UserError(f"there is no weights file {str(path)!r}")
    return path


def run_forward_command(args: argparse.Namespace) -> int:
    """Print the per-node table (or JSON); exit 1 with the reason on stderr when the run fails."""
    from ..engine.report import forward_json, forward_table
    from ..engine.run import run_forward

    graph, attached = open_network(args.network)
    result = run_forward(
        graph,
        device=args.device,
        batch_size=args.batch,
        dtype=args.dtype,
        channels_last=args.channels_last,
        input=_input(args.input_source),
        seed=args.seed,
        input_shape=args.input,
        weights=_weights(args.weights) or attached,
    )
    if result.error is not None and not result.nodes:
        raise UserError(result.error.message)  # nothing ran: bad device, dtype, weights or network
    if args.format == "json":
        print(json.dumps(forward_json(result, args.network), indent=2))
    else:
        sys.stdout.write(forward_table(result))
    if result.error is not None:
        print(f"resnet-studio: error: {result.error.message}", file=sys.stderr)
    return 0 if result.ok else 1


def run_gradflow_command(args: argparse.Namespace) -> int:
    """Print gradient norms (beside the plain twin's or another network's when comparing)."""
    from ..engine.gradflow import compare_gradient_flow, gradient_flow
    from ..engine.report import gradflow_comparison_json, gradflow_json, gradflow_table

    graph, attached = open_network(args.network)
    other = open_network(args.compare)[0] if args.compare else None
    options = {
        "device": args.device,
        "batch_size": args.batch,
        "dtype": args.dtype,
        "input": _input(args.input_source),
        "seed": args.seed,
        "input_shape": args.input,
        "weights": _weights(args.weights) or attached,
    }
    shown: GradientFlow | GradientFlowComparison
    if args.compare_plain or other is not None:
        names = None if other is None else (args.network, args.compare)
        shown = compare_gradient_flow(graph, other, names=names, **options)
        flows = [shown.network, shown.other]
        data: object = gradflow_comparison_json(shown)
    else:
        shown = gradient_flow(graph, **options)
        flows, data = [shown], {"network": gradflow_json(shown)}
    failed = next((f for f in flows if f.error is not None), None)
    if failed is not None and failed.error is not None:
        raise UserError(f"{failed.label}: {failed.error.message}")
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        sys.stdout.write(gradflow_table(shown))
    return 0


def run_export_command(args: argparse.Namespace) -> int:
    """Write the export; print what was written."""
    from ..engine.assembly import build
    from ..engine.checkpoint import apply_weights
    from ..engine.errors import BuildError, EngineError
    from ..engine.export import export_onnx, export_program, export_pytorch
    from ..engine.weights import save_weights

    graph, attached = open_network(args.network)
    if not args.output.parent.is_dir():
        raise UserError(f"the folder {str(args.output.parent)!r} does not exist")
    if args.output.is_dir():
        raise UserError(
            f"cannot write {str(args.output)!r}: it is a folder; give the name of the file to write"
        )
    try:
        net = build(graph, args.input, seed=args.seed)
        weights = _weights(args.weights) or attached
        if weights is not None:
            apply_weights(net, weights)
        if args.target == "pytorch":
            export_pytorch(net, args.output, batch=args.batch)
            print(f"wrote {args.output} (PyTorch source; model = build_model())")
        elif args.target == "onnx":
            report = export_onnx(net, args.output)
            checked = (
                f", onnxruntime matches PyTorch within {report.max_difference:.2g}"
                if report.max_difference is not None
                else ""
            )
            print(f"wrote {args.output} (ONNX opset {report.opset}, passes onnx.checker{checked})")
        else:
            export_program(net, args.output)
            print(f"wrote {args.output} (torch.export program; load with torch.export.load)")
        if args.save_weights is not None:
            save_weights(net, args.save_weights)
            print(f"wrote {args.save_weights} (weights)")
    except BuildError as error:
        raise UserError(str(error)) from None
    except EngineError as error:
        raise UserError(str(error)) from None
    return 0
