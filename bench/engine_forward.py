"""Forward pass of the built ResNet-50 against a hand-written torchvision-style ResNet-50.

Same device, batch, dtype and memory format, same weights, measured in turns in the same run; the target is a
ratio of at most 1.03. Run: .venv/bin/python bench/engine_forward.py [--device cuda:0] [--batch 1 32]
[--dtype float32 bfloat16] [--channels-last] [--repeats 15]
"""

from __future__ import annotations

import argparse

import torch
from engine_timing import interleaved, machine, median_ms

from resnet_studio.core import preset
from resnet_studio.engine import build
from tests.engine.reference_resnet import reference

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def measure(
    device: torch.device, batch: int, dtype: str, channels_last: bool, repeats: int
) -> tuple[float, float]:
    """(built ms, reference ms): medians of interleaved repeats."""
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    torch.manual_seed(0)
    ref = reference("resnet50").eval()
    net = build(preset("resnet50")).eval()
    net.load_state_dict(ref.state_dict(), strict=True)
    ref.to(device=device, dtype=DTYPES[dtype], memory_format=fmt)
    net.to(device=device, dtype=DTYPES[dtype], memory_format=fmt)
    x = torch.randn(batch, 3, 224, 224, device=device, dtype=DTYPES[dtype]).contiguous(memory_format=fmt)
    with torch.no_grad():
        times = interleaved({"built": lambda: net(x), "reference": lambda: ref(x)}, device, repeats)
    built, ref = times["built"], times["reference"]
    return median_ms(built), median_ms(ref), min(built) * 1000, min(ref) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--dtype", nargs="+", default=["float32"], choices=list(DTYPES))
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"ResNet-50 forward, built vs torchvision-style reference ({machine()}, {args.device})")
    print("medians of interleaved repeats, and the ratio of the fastest runs (least disturbed by other load)")
    print(
        f"{'dtype':9} {'batch':>5} {'built ms':>10} {'reference ms':>13} {'ratio':>6} {'min ratio':>10}  (target <= 1.03)"
    )
    for dtype in args.dtype:
        for batch in args.batch:
            built, ref, built_min, ref_min = measure(device, batch, dtype, args.channels_last, args.repeats)
            print(
                f"{dtype:9} {batch:>5} {built:>10.2f} {ref:>13.2f} {built / ref:>6.3f} {built_min / ref_min:>10.3f}"
            )


if __name__ == "__main__":
    main()
