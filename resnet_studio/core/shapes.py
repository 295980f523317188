"""Tensor shapes (without the batch dimension) and PyTorch's documented output-size formulas."""

from __future__ import annotations

from dataclasses import dataclass

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
        n = 1
        for d in self.shape:
            n *= d
        return n


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
