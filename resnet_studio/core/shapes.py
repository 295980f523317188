"""Tensor shapes (without the batch dimension) and PyTorch's documented output-size formulas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import prod

from .errors import InputSizeError

Shape = tuple[int, ...]
"""A tensor shape without the batch dimension: (C, H, W) for feature maps, (F,) for feature vectors."""


@dataclass(frozen=True, slots=True)
class TensorInfo:
    """What flows along an edge: its shape and the receptive field of one of its elements."""

    shape: Shape
    rf: int = 1
    """Receptive field size, in input pixels."""
    jump: int = 1
    """Distance, in input pixels, between neighbouring elements (the cumulative stride)."""

    @property
    def numel(self) -> int:
        """Number of elements per sample."""
        return prod(self.shape)


def format_shape(shape: Shape | None) -> str:
    """A shape as the user reads it: '64x56x56', '1000', or '?' when unknown."""
    if shape is None:
        return "?"
    return "x".join(str(d) for d in shape)


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """Output length of a convolution or pooling window (floor mode), as in PyTorch's Conv2d docs."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pool_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """Output length of MaxPool2d/AvgPool2d, including PyTorch's ceil_mode rule."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    # PyTorch: the last window must start inside the input or the left padding.
    if (out - 1) * stride >= size + padding:
        out -= 1
    return out


def drops_trailing_input(size: int, kernel: int, stride: int, padding: int, dilation: int, out: int) -> int:
    """How many real input rows at the end no window ever reads (0 when the layer covers its input)."""
    if stride <= 1 or size % stride == 0:
        return 0
    last_read = (out - 1) * stride + dilation * (kernel - 1)  # in padded coordinates
    last_real = padding + size - 1
    return max(0, last_real - last_read)


@dataclass(frozen=True)
class NumberFormat:
    """A floating-point format a network can run in."""

    name: str
    """As PyTorch names it: 'bfloat16'."""
    bytes: int
    short: str
    """How badges write it: 'bf16'."""


NUMBER_FORMATS = (
    NumberFormat("float32", 4, "fp32"),
    NumberFormat("bfloat16", 2, "bf16"),
    NumberFormat("float16", 2, "fp16"),
    NumberFormat("float64", 8, "fp64"),
)
"""Every number format, the default first: the one list the settings, the engine, the app and the CLI use."""
DTYPE_NAMES: tuple[str, ...] = tuple(f.name for f in NUMBER_FORMATS)
DTYPE_BYTES: dict[str, int] = {f.name: f.bytes for f in NUMBER_FORMATS}
DTYPE_SHORT: dict[str, str] = {f.name: f.short for f in NUMBER_FORMATS}
"""Bytes per element of each supported dtype."""


MAX_INPUT_VALUES = 2**31
"""Most values one input sample may have (3x26754x26754): beyond it no device could run a network on it."""
MAX_BATCH = 65536
"""Largest batch size the analysis and the runs accept."""
_SIZE = re.compile(r"^\s*(\d+)\s*[x×]\s*(\d+)\s*[x×]\s*(\d+)\s*$", re.IGNORECASE)
EXAMPLE = "3x224x224"


def parse_input_size(text: str) -> tuple[int, int, int]:
    """The one grammar of an input size: 'CxHxW', three whole numbers, e.g. '3x224x224' (also '3 × 32 × 32').

    Nothing is guessed: '3x224' and '224' are refused with what is expected, so is a size no device could hold.
    Raises InputSizeError with a message that says what was expected and what was found.
    """
    match = _SIZE.match(text)
    if match is None:
        parts = [p for p in re.split(r"[x×]", text.strip(), flags=re.IGNORECASE)]
        numbers = all(p.strip().isdigit() for p in parts) and text.strip() != ""
        hint = (
            f": that is {len(parts)} number{'s' if len(parts) != 1 else ''}; give channels, height and width"
            if numbers
            else ""
        )
        raise InputSizeError(f"expected an input size like {EXAMPLE} (CxHxW), found {text.strip()!r}{hint}")
    c, h, w = (int(g) for g in match.groups())
    if min(c, h, w) < 1:
        raise InputSizeError(f"every part of an input size must be at least 1, found {text.strip()!r}")
    if c * h * w > MAX_INPUT_VALUES:
        raise InputSizeError(
            f"an input of {_short(c)}x{_short(h)}x{_short(w)} is more than any device could hold: "
            f"at most {MAX_INPUT_VALUES:,} values per sample (e.g. 3x26754x26754)"
        )
    return c, h, w


def _short(value: int) -> str:
    """A number as typed, or its order of magnitude when it is too long to read ('1e+200')."""
    text = str(value)
    return text if len(text) <= 12 else f"{text[0]}e+{len(text) - 1}"


def check_batch_size(value: int) -> int:
    """A batch size between 1 and MAX_BATCH; raises ValueError saying what is allowed."""
    if not 1 <= value <= MAX_BATCH:
        raise ValueError(f"batch size must be between 1 and {MAX_BATCH:,}, found {_short(value)}")
    return value
