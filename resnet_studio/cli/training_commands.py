"""`train`: train one network on the procedural data set or a folder of images; the curve as JSON or a table."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from ..results.training import TrainingCurve, TrainingOptions, TrainingPoint
from .common import UserError, add_network_argument, input_size, load_network, positive_int

_DEFAULTS = TrainingOptions()


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `train`."""
    train = subparsers.add_parser(
        "train",
        help="train a network with SGD and print its loss and accuracy curve",
        description="Train a network with SGD (momentum, weight decay, constant learning rate) on the procedural "
        "shapes-and-textures data set or on a folder of images (one sub-folder per class). Progress goes to "
        "stderr, the curve (step, loss, accuracy, seconds) to stdout.",
    )
    add_network_argument(train)
    train.add_argument(
        "--steps",
        type=positive_int,
        default=_DEFAULTS.steps,
        metavar="N",
        help="SGD steps (default %(default)s)",
    )
    train.add_argument(
        "--batch",
        type=positive_int,
        default=_DEFAULTS.batch_size,
        metavar="B",
        help="batch size (default %(default)s)",
    )
    train.add_argument(
        "--lr",
        type=positive_number,
        default=_DEFAULTS.lr,
        metavar="X",
        help="learning rate (default %(default)s)",
    )
    train.add_argument(
        "--momentum",
        type=fraction,
        default=_DEFAULTS.momentum,
        metavar="M",
        help="SGD momentum (default %(default)s)",
    )
    train.add_argument(
        "--weight-decay",
        type=non_negative_number,
        default=_DEFAULTS.weight_decay,
        metavar="W",
        help="L2 penalty on the weights (default %(default)s)",
    )
    train.add_argument(
        "--seed",
        type=non_negative_int,
        default=_DEFAULTS.seed,
        help="seed for the initial weights and the order of batches (default %(default)s)",
    )
    train.add_argument(
        "--data",
        default="procedural",
        metavar="procedural|PATH",
        help="the procedural shapes and textures, or a folder with one sub-folder of images per class",
    )
    train.add_argument(
        "--input",
        type=input_size,
        metavar="CxHxW",
        help="image size to train at, e.g. 3x64x64 (default: 3x32x32 for the procedural data, up to 3x224x224; "
        "a folder's own image size, else its images are resized to this)",
    )
    train.add_argument("--device", default=_DEFAULTS.device, help="cpu, cuda:0, mps (default: cpu)")
    train.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        help="CPU threads for PyTorch (default: one per idle core)",
    )
    train.add_argument(
        "--save", type=Path, metavar="PATH", help="write the trained weights (.safetensors or .pt)"
    )
    train.add_argument(
        "--format", choices=("table", "json"), default="table", help="the curve as a table or JSON"
    )
    train.set_defaults(handler=run_train_command)


def positive_number(text: str) -> float:
    """A finite number above 0."""
    value = _number(text, "a positive number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, found {text!r}")
    return value


def non_negative_number(text: str) -> float:
    """A finite number of at least 0."""
    value = _number(text, "a number of at least 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, found {text!r}")
    return value


def fraction(text: str) -> float:
    """A number from 0 up to (not including) 1."""
    value = _number(text, "a number from 0 to below 1")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to below 1, found {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """A whole number of at least 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, found {text!r}")
    return value


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, found {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected {what}, found {text!r}")
    return value


def run_train_command(args: argparse.Namespace) -> int:
    """Train, print the curve; exit 1 (with the reason and a suggestion on stderr) when training stopped early."""
    from ..engine.datasets import DatasetError
    from ..engine.errors import WeightsError
    from ..engine.training import TrainingError, save_trained_weights, train

    graph = load_network(args.network)
    if args.save is not None:
        if args.save.suffix.lower() not in (".safetensors", ".pt", ".pth"):
            raise UserError(
                f"cannot write {args.save}: the weights file must end in .safetensors, .pt or .pth"
            )
        if not args.save.parent.is_dir():
            raise UserError(f"cannot write {args.save}: the folder {str(args.save.parent)!r} does not exist")
    options = TrainingOptions(
        steps=args.steps,
        batch_size=args.batch,
        lr=args.lr,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
        seed=args.seed,
        device=args.device,
        threads=args.threads,
    )
    try:
        data = _data(args.data, args.input)
        progress = _Progress(args.steps)
        curve = train(graph, data, options, label=args.network, on_point=progress)
        progress.done()
    except (DatasetError, TrainingError) as error:
        raise UserError(str(error)) from None
    if args.format == "json":
        print(json.dumps(curve_json(curve, args.network, data.description, options), indent=2))
    else:
        sys.stdout.write(curve_table(curve))
    if curve.stop is not None:
        print(f"resnet-studio: error: {curve.stop}", file=sys.stderr)
        return 1
    if args.save is not None and curve.weights is not None:
        try:
            save_trained_weights(curve.weights, args.save)
        except (WeightsError, OSError) as error:
            raise UserError(str(error)) from None
        print(f"wrote {args.save} (weights after {curve.weights.step} steps)", file=sys.stderr)
    return 0


def _data(source: str, shape: tuple[int, int, int] | None) -> Any:
    from ..engine.datasets import load_image_folder, procedural_dataset

    size = None if shape is None else (shape[1], shape[2])
    if shape is not None and shape[0] != 3:
        raise UserError(
            f"--input: the images are colour (3 channels), so the size must be 3xHxW, not {shape[0]}xHxW"
        )
    if source == "procedural":
        if size is not None and size[0] != size[1]:
            raise UserError(
                f"--input: the procedural images are square, e.g. 3x32x32, not 3x{size[0]}x{size[1]}"
            )
        try:
            return procedural_dataset(size=size[0] if size else 32)
        except ValueError as error:
            raise UserError(f"--input: {error}") from None
    return load_image_folder(source, size=size)


class _Progress:
    """One line on stderr about every two seconds (and at the end): step, loss, accuracy, time."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.last = 0.0
        self.point: TrainingPoint | None = None

    def __call__(self, point: TrainingPoint) -> None:
        self.point = point
        now = time.monotonic()
        if now - self.last >= 2.0 or point.step == 1:
            self.last = now
            self._show(point)

    def done(self) -> None:
        if self.point is not None and self.point.step == self.steps:
            self._show(self.point)

    def _show(self, point: TrainingPoint) -> None:
        print(
            f"step {point.step}/{self.steps}  loss {point.loss:.4f}  accuracy {point.accuracy:.1%}  "
            f"{point.seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )


def curve_json(curve: TrainingCurve, network: str, data: str, options: TrainingOptions) -> dict[str, object]:
    """The curve and how it ended, as plain JSON data."""
    return {
        "network": network,
        "data": data,
        "options": {
            "steps": options.steps,
            "batch_size": options.batch_size,
            "lr": options.lr,
            "momentum": options.momentum,
            "weight_decay": options.weight_decay,
            "seed": options.seed,
            "device": options.device,
        },
        "status": curve.status,
        "stop": None
        if curve.stop is None
        else {
            "kind": curve.stop.kind,
            "step": curve.stop.step,
            "message": curve.stop.message,
            "suggestion": curve.stop.suggestion,
        },
        "curve": [
            {"step": p.step, "loss": p.loss, "accuracy": p.accuracy, "seconds": round(p.seconds, 4)}
            for p in curve.points
        ],
    }


def curve_table(curve: TrainingCurve) -> str:
    """One line per step: step, loss, accuracy, seconds."""
    lines = [f"{'step':>6}  {'loss':>9}  {'accuracy':>8}  {'seconds':>8}"]
    lines += [f"{p.step:>6}  {p.loss:>9.4f}  {p.accuracy:>8.1%}  {p.seconds:>8.2f}" for p in curve.points]
    return "\n".join(lines) + "\n"
