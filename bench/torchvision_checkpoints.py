"""Opt-in check: every torchvision ResNet-family model, saved with random weights by torchvision itself, opens
as its preset and gives the same outputs as torchvision.

torchvision cannot be installed beside the project's torch, so the models are saved from a separate virtual
environment (a CUDA build of several GB: never part of the default tests):

    python3 -m venv /path/to/tv && /path/to/tv/bin/pip install torch==2.14.1 torchvision==0.29.1
    .venv/bin/python bench/torchvision_checkpoints.py --torchvision-python /path/to/tv/bin/python [--keep DIR]

The torchvision side writes, per model, its state dict (name.pth), an input and torchvision's output for it;
this side opens each checkpoint, checks the structure against the preset, runs it on the same input and
compares. With timm in the torchvision environment (pip install timm==1.0.29), timm's resnet50d and seresnet50
are saved too, and the presets of the same names must have their parameter counts, load their state dicts and
give their outputs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "wide_resnet50_2",
    "wide_resnet101_2",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
)
TIMM_MODELS = ("resnet50d", "seresnet50")
INPUT = (2, 3, 224, 224)


def save(folder: Path) -> None:
    """Torchvision's side (run in its environment): random weights, random BatchNorm statistics, outputs."""
    import torch
    import torchvision

    info: dict[str, object] = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    torch.set_num_threads(max(1, torch.get_num_threads()))
    for index, name in enumerate(MODELS):
        torch.manual_seed(index)
        model = getattr(torchvision.models, name)(weights=None).eval()
        with torch.no_grad():
            _random_statistics(model)
            x = torch.randn(*INPUT)
            torch.save(model.state_dict(), folder / f"{name}.pth")
            torch.save({"input": x, "output": model(x)}, folder / f"{name}.io.pt")
        print(f"saved {name}", file=sys.stderr, flush=True)
    try:
        import timm

        info["timm"] = timm.__version__
        info["timm_params"] = {}
        for index, name in enumerate(TIMM_MODELS):
            torch.manual_seed(100 + index)
            model = timm.create_model(name, pretrained=False).eval()
            info["timm_params"][name] = sum(p.numel() for p in model.parameters())
            with torch.no_grad():
                _random_statistics(model)
                x = torch.randn(*INPUT)
                torch.save(model.state_dict(), folder / f"timm_{name}.pth")
                torch.save({"input": x, "output": model(x)}, folder / f"timm_{name}.io.pt")
    except ImportError:
        pass
    (folder / "info.json").write_text(json.dumps(info))


def _random_statistics(model: object) -> None:
    """Random BatchNorm statistics and affine values, so that a misplaced one would show in the outputs."""
    import torch

    for module in model.modules():  # type: ignore[attr-defined]
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.normal_(0, 0.1)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.normal_(1, 0.1)
            module.bias.normal_(0, 0.1)


def check(folder: Path) -> bool:
    """This side: open every checkpoint, compare structure and outputs; print one line each."""
    import torch

    from resnet_studio.core import analyze, preset
    from resnet_studio.engine.assembly import build
    from resnet_studio.engine.checkpoint import attach_weights, open_checkpoint

    info = json.loads((folder / "info.json").read_text())
    print(
        f"saved by torch {info['torch']}, torchvision {info['torchvision']}; opened with torch {torch.__version__}"
    )
    print(f"{'model':<18} {'preset':<18} {'params':>12} {'open s':>7} {'max |diff|':>11}  identical  result")
    passed = True
    for name in MODELS:
        start = time.perf_counter()
        opened = open_checkpoint(folder / f"{name}.pth")
        seconds = time.perf_counter() - start
        io = torch.load(folder / f"{name}.io.pt", weights_only=True)
        net = build(opened.graph(), INPUT[1:]).eval()
        report = attach_weights(net, opened.weights)
        with torch.no_grad():
            out = net(io["input"])
        diff = float((out - io["output"]).abs().max())
        same_structure = opened.preset == name and opened.graph() == preset(name)
        params = analyze(opened.graph()).totals.params
        ok = same_structure and not report.new and torch.allclose(out, io["output"], rtol=1e-4, atol=1e-5)
        passed &= ok
        print(
            f"{name:<18} {opened.preset or '-':<18} {params:>12,} {seconds:>7.2f} {diff:>11.3g}  "
            f"{'yes' if torch.equal(out, io['output']) else 'no':<9}  {'PASS' if ok else 'FAIL'}"
        )
    for name, count in info.get("timm_params", {}).items():
        graph = preset(name)
        ours = analyze(graph).totals.params
        net = build(graph, INPUT[1:]).eval()
        net.load_state_dict(torch.load(folder / f"timm_{name}.pth", weights_only=True), strict=True)
        io = torch.load(folder / f"timm_{name}.io.pt", weights_only=True)
        opened = open_checkpoint(folder / f"timm_{name}.pth")
        reopened = build(opened.graph(), INPUT[1:]).eval()
        attach_weights(reopened, opened.weights)
        with torch.no_grad():
            out, out_opened = net(io["input"]), reopened(io["input"])
        diff = float((out - io["output"]).abs().max())
        ok = (
            ours == count
            and opened.preset == name
            and torch.allclose(out, io["output"], rtol=1e-4, atol=1e-5)
            and torch.equal(out, out_opened)
        )
        passed &= ok
        print(
            f"timm {info['timm']} {name}: {count:,} parameters; the {name} preset: {ours:,}, loads timm's "
            f"state_dict, max |diff| {diff:.3g}, identical {'yes' if torch.equal(out, io['output']) else 'no'}; "
            f"opened as the {opened.preset} preset: {'PASS' if ok else 'FAIL'}"
        )
    print("PASS" if passed else "FAIL")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--torchvision-python", help="the python of an environment with torchvision installed"
    )
    parser.add_argument("--keep", type=Path, help="save the checkpoints here (and keep them)")
    parser.add_argument("--save-only", type=Path, help=argparse.SUPPRESS)  # the torchvision side
    args = parser.parse_args()
    if args.save_only is not None:
        save(args.save_only)
        return 0
    if args.torchvision_python is None:
        parser.error("--torchvision-python is required (see the instructions at the top of this file)")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([args.torchvision_python, __file__, "--save-only", str(folder)], check=True)
        return 0 if check(folder) else 1


if __name__ == "__main__":
    raise SystemExit(main())
