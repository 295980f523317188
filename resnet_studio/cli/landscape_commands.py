"""`resnet-studio landscape`: a loss surface (or curve) around a network's weights, on one process or shared
between the processes torchrun starts (`torchrun --nproc-per-node K -m resnet_studio landscape ...`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .common import (
    UserError,
    add_input_size_argument,
    add_network_argument,
    fail,
    load_network,
    positive_int,
)

if TYPE_CHECKING:
    from ..results.landscape import Landscape, LandscapePoint


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `landscape`."""
    parser = subparsers.add_parser(
        "landscape",
        help="the loss around a network's weights along random directions (Li et al. 2018)",
        description="Compute the loss on a fixed batch over a grid through the network's weights along seeded, "
        "filter-normalised random directions, coarse grid first; report how non-convex the surface is. Under "
        "torchrun, the processes share the grid and rank 0 writes the result.",
    )
    add_network_argument(parser)
    add_input_size_argument(parser)
    parser.add_argument("--plain", action="store_true", help="use the network's plain twin (every skip off)")
    parser.add_argument("--grid", type=int, default=21, metavar="N", help="points along each direction (21)")
    parser.add_argument(
        "--range", type=float, default=1.0, metavar="R", help="the slice spans -R..R along each direction (1)"
    )
    parser.add_argument(
        "--dimensions", type=int, choices=(1, 2), default=2, help="a curve (1) or a surface (2)"
    )
    parser.add_argument(
        "--batch", type=positive_int, default=128, metavar="B", help="images in the batch (128)"
    )
    parser.add_argument(
        "--data",
        default="procedural",
        metavar="procedural|random|PATH",
        help="where the batch comes from: the procedural shapes and textures (default), seeded noise, or a folder "
        "with one sub-folder of images per class",
    )
    parser.add_argument(
        "--weights", type=Path, metavar="W", help="weights to centre on (.pt or .safetensors)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="seeds the directions, the batch and the initial weights (default 0)",
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda (each process takes its own GPU)")
    parser.add_argument(
        "--include-norm",
        action="store_true",
        help="also move BatchNorm weights and biases (and layer biases)",
    )
    parser.add_argument(
        "--keep-statistics",
        action="store_true",
        help="BatchNorm uses the weights' running statistics (default: the batch's, at the centre weights)",
    )
    parser.add_argument(
        "--curvature", action="store_true", help="also the full Hessian's principal curvatures at the centre"
    )
    parser.add_argument(
        "--precision",
        choices=("float32", "bfloat16"),
        default="float32",
        help="bfloat16 is used only if it matches float32 within 1%% at the centre and corners",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="how long a process waits for the others (600)",
    )
    parser.add_argument(
        "--format",
        choices=("json", "npz"),
        default=None,
        help="output format (default: from OUT's suffix, else json)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="file to write")
    parser.set_defaults(handler=run_landscape_command)


def run_landscape_command(args: argparse.Namespace) -> int:
    """Compute the landscape; the writing process prints a one-line summary, progress goes to stderr."""
    from ..engine.errors import EngineError, InputError
    from ..engine.landscape import (
        DistributedError,
        LandscapeOptions,
        LandscapeOptionsError,
        compute_landscape,
        join,
        leave,
    )
    from ..engine.landscape.batch import batch_for
    from ..engine.landscape.files import save_landscape
    from ..engine.run.devices import resolve_device

    try:
        options = LandscapeOptions(
            grid=args.grid,
            range=args.range,
            dimensions=args.dimensions,
            seed=args.seed,
            include_norm=args.include_norm,
            statistics="keep" if args.keep_statistics else "recompute",
            curvature=args.curvature,
            precision=args.precision,
            timeout_s=args.timeout,
        )
    except LandscapeOptionsError as error:
        raise UserError(str(error)) from None
    output_format = args.format or ("npz" if args.output.suffix.lower() == ".npz" else "json")
    if not (args.output.parent if str(args.output.parent) else Path(".")).is_dir():
        raise UserError(f"the folder {str(args.output.parent)!r} does not exist")
    if args.output.is_dir():
        raise UserError(f"{str(args.output)!r} is a folder; -o takes the name of the file to write")
    if args.weights is not None and not args.weights.is_file():
        raise UserError(f"there is no weights file {str(args.weights)!r}")
    graph = load_network(args.network)
    if args.plain:
        from ..core.presets import plain_twin

        graph = plain_twin(graph)
    try:
        device = resolve_device(args.device)
        batch = batch_for(graph, args.batch, args.seed, args.data, input_shape=args.input)
    except InputError as error:
        raise UserError(f"{error} (--data random, or --data FOLDER)") from None
    except EngineError as error:
        raise UserError(str(error)) from None
    try:
        processes, device = join(device, options.timeout_s)
    except DistributedError as error:
        raise UserError(str(error)) from None
    progress = _Progress(options.points, processes.leader)
    try:
        landscape = compute_landscape(
            graph.snapshot(),
            batch,
            options,
            weights=args.weights,
            device=device,
            label=args.network + (" (plain twin)" if args.plain else ""),
            on_point=progress,
            processes=processes,
            seed=args.seed,
        )
    except DistributedError as error:
        fail(str(error), status=1)
    finally:
        leave()
    if landscape.error is not None:
        bad_input = landscape.error.kind in ("build", "input", "weights", "device", "dtype")
        fail(str(landscape.error), status=2 if bad_input else 1)
    if not processes.leader:
        return 0
    try:
        save_landscape(landscape, args.output, output_format, args.network)  # type: ignore[arg-type]
    except OSError as error:
        fail(
            f"cannot write {args.output}: {error.strerror or error}; an existing file is unchanged", status=1
        )
    print(f"wrote {args.output}: {_summary(landscape)}")
    return 0


class _Progress:
    """Prints one line on stderr as each refinement level completes (only in the writing process)."""

    def __init__(self, total: int, shown: bool) -> None:
        self.total, self.shown, self.started, self.level = total, shown, time.perf_counter(), 0

    def __call__(self, point: LandscapePoint) -> None:
        level, done = point.level, point.done
        if self.shown and (done == self.total or level != self.level):
            finished = self.level if done != self.total else level
            grid = "coarse grid" if finished == 0 else f"level {finished}"
            shown_done = done - (0 if done == self.total else 1)
            seconds = time.perf_counter() - self.started
            print(
                f"landscape: {grid} done, {shown_done} of {self.total} points, {seconds:.1f} s",
                file=sys.stderr,
            )
        self.level = level


def _summary(landscape: Landscape) -> str:
    options = landscape.options
    shape = (
        f"{options.grid}x{options.grid} surface" if options.dimensions == 2 else f"{options.grid}-point curve"
    )
    parts = [
        f"{shape} of {landscape.label} over [-{options.range:g}, {options.range:g}]",
        f"loss {landscape.centre_loss:.4g} at the centre, up to {float(landscape.loss.max()):.4g}",
    ]
    convexity = landscape.nonconvexity
    if convexity is not None:
        parts.append(
            f"non-convex within the slice at {convexity.fraction:.0%} of interior points "
            f"(mean |lambda_min/lambda_max| {convexity.mean_ratio:.2f})"
        )
    if landscape.curvature is not None:
        c = landscape.curvature
        parts.append(f"Hessian eigenvalues {c.min_eigenvalue:.3g} to {c.max_eigenvalue:.3g}")
    processes = f", {landscape.processes} processes" if landscape.processes > 1 else ""
    parts.append(f"{landscape.seconds:.1f} s{processes}")
    return "; ".join(parts)
