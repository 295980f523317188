"""Shapes and textures: a labelled image data set drawn by code, the same bytes on every machine for a seed.

Ten classes of a foreground pattern on a background: five shapes (disc, ring, square, diamond, cross) and five
textures (stripes in four orientations and a chequerboard). Colours, position, size, period and phase vary per
image and pixel noise is added, so a network has to learn the form, not a colour. Every pixel is decided with
integer arithmetic from integers drawn by numpy's PCG64, so no floating-point rounding can differ between
machines; only the final scaling to float32 is floating point (one subtraction and one division, which
IEEE 754 rounds the same way everywhere).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

from .dataset import ImageDataset

CLASS_NAMES = (
    "disc",
    "ring",
    "square",
    "diamond",
    "cross",
    "horizontal stripes",
    "vertical stripes",
    "rising stripes",
    "falling stripes",
    "chequerboard",
)
"""The ten classes, in label order."""

DEFAULT_SIZE = 32
DEFAULT_COUNT = 4000
SIZES = (32, 64, 96, 128, 160, 192, 224)
"""Image sizes the data set is drawn at: multiples of 32 up to 224."""

_FIRST_TEXTURE = 5
"""Labels from this one on are textures (in a window); the ones before are shapes."""

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

MEAN = 78.0
STD = 58.5
"""8-bit value v becomes (v - MEAN) / STD (about the data set's mean and deviation, so about 0 and 1 after)."""

_UNITS = 64
"""Geometry is drawn in 64ths of the image side (two per pixel at 32x32) and scaled by the size."""
_NOISE = 24
"""Pixel noise is uniform in [-_NOISE, _NOISE] on the 0..255 scale."""
_CHUNK_PIXELS = 1 << 20
"""Images are drawn in chunks of about this many pixels, to bound the memory of the integer work arrays."""


def procedural_dataset(
    count: int = DEFAULT_COUNT, *, size: int = DEFAULT_SIZE, seed: int = 0
) -> ImageDataset:
    """`count` images of `size` x `size` (32 or 224, or any multiple of 32 in between), classes balanced
    (counts differ by at most one), in a seeded random order. The same seed gives the same bytes everywhere."""
    if isinstance(count, bool) or not isinstance(count, int) or count < len(CLASS_NAMES):
        raise ValueError(
            f"the data set needs at least {len(CLASS_NAMES)} images (one per class), not {count!r}"
        )
    if size not in SIZES:
        raise ValueError(f"the image size must be one of {', '.join(map(str, SIZES))}, not {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the seed must be a whole number of at least 0, not {seed!r}")
    pixels, labels = draw(count, size, seed)
    images = (pixels.astype(np.float32) - np.float32(MEAN)) / np.float32(STD)
    return ImageDataset(
        images=torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))),
        labels=torch.from_numpy(labels.astype(np.int64)),
        class_names=CLASS_NAMES,
        description=f"shapes and textures: {count} procedural images, {size}x{size}, {len(CLASS_NAMES)} classes (seed {seed})",
        mean=(MEAN / 255,) * 3,
        std=(STD / 255,) * 3,
    )


def draw(count: int, size: int, seed: int) -> tuple[npt.NDArray[np.uint8], Ints]:
    """The raw data: (count, size, size, 3) uint8 RGB pixels and (count,) labels."""
    rng = np.random.Generator(np.random.PCG64(seed))
    classes = len(CLASS_NAMES)
    labels = rng.permutation(np.arange(count) % classes)
    # Every random number is drawn up front, in one fixed order, so chunking cannot change the stream.
    # A darker background and a foreground 100 to 144 brighter in each channel: any hue, always a clear contrast
    background = rng.integers(0, 112, size=(count, 3)).astype(np.int16)
    foreground = background + rng.integers(100, 145, size=(count, 3)).astype(np.int16)
    centre = rng.integers(20, 45, size=(count, 2))  # 64ths of the side
    radius = rng.integers(9, 17, size=count)
    period = rng.integers(5, 11, size=count)  # texture period in 64ths: 2.5 to 5 pixels at 32x32
    phase = rng.integers(0, 64, size=count)
    window = rng.integers(34, 56, size=count)  # textures fill a square window of this side
    noise_seed = rng.integers(0, 2**63, dtype=np.int64)
    pixels = np.empty((count, size, size, 3), dtype=np.uint8)
    step = max(1, _CHUNK_PIXELS // (size * size))
    noise_rng = np.random.Generator(np.random.PCG64(int(noise_seed)))
    for start in range(0, count, step):
        part = slice(start, min(count, start + step))
        mask = _masks(labels[part], size, centre[part], radius[part], period[part], phase[part], window[part])
        chunk = np.where(mask[..., None], foreground[part, None, None, :], background[part, None, None, :])
        chunk += noise_rng.integers(-_NOISE, _NOISE + 1, size=chunk.shape, dtype=np.int16)
        pixels[part] = np.clip(chunk, 0, 255)
    return pixels, labels.astype(np.int64)


def _masks(
    labels: Ints,
    size: int,
    centre: Ints,
    radius: Ints,
    period: Ints,
    phase: Ints,
    window: Ints,
) -> Mask:
    """(n, size, size) bool: where each image shows its foreground colour."""
    # Pixel centres in units of 1/(64 * size) of the side: integers for every size. A length in 64ths of the
    # side, times `size`, is in the same units.
    coords = (2 * np.arange(size, dtype=np.int64) + 1) * (_UNITS // 2)
    ys, xs = coords[None, :, None], coords[None, None, :]
    mask = np.zeros((len(labels), size, size), dtype=bool)
    for label, rule in enumerate(_RULES):
        chosen = np.flatnonzero(labels == label)
        if chosen.size == 0:
            continue

        def per_image(values: Ints, chosen: Ints = chosen) -> Ints:
            return (values[chosen] * size)[:, None, None]

        dx, dy = xs - per_image(centre[:, 0]), ys - per_image(centre[:, 1])
        geometry = _Geometry(dx, dy, xs, ys, per_image(radius), per_image(period), per_image(phase))
        shown = rule(geometry)
        if label >= _FIRST_TEXTURE:  # textures fill a square window round the centre
            half = per_image(window) // 2
            shown = shown & (np.abs(dx) <= half) & (np.abs(dy) <= half)
        mask[chosen] = shown
    return mask


@dataclass(frozen=True)
class _Geometry:
    """Offsets from the pattern's centre, pixel positions and lengths, all integers in the same units."""

    dx: Ints
    dy: Ints
    xs: Ints
    ys: Ints
    r: Ints
    """Radius of a shape."""
    p: Ints
    """Period of a texture."""
    phase: Ints


def _disc(g: _Geometry) -> Mask:
    return np.asarray(g.dx * g.dx + g.dy * g.dy <= g.r * g.r)


def _ring(g: _Geometry) -> Mask:
    d2 = g.dx * g.dx + g.dy * g.dy
    inner = g.r * 3 // 5
    return np.asarray((d2 <= g.r * g.r) & (d2 >= inner * inner))


def _square(g: _Geometry) -> Mask:
    side = g.r * 4 // 5
    return np.asarray((np.abs(g.dx) <= side) & (np.abs(g.dy) <= side))


def _diamond(g: _Geometry) -> Mask:
    return np.asarray(np.abs(g.dx) + np.abs(g.dy) <= g.r * 6 // 5)


def _cross(g: _Geometry) -> Mask:
    arm = g.r // 3
    horizontal = (np.abs(g.dy) <= arm) & (np.abs(g.dx) <= g.r)
    return np.asarray(((np.abs(g.dx) <= arm) & (np.abs(g.dy) <= g.r)) | horizontal)


def _stripes(along: Callable[[_Geometry], Ints]) -> Callable[[_Geometry], Mask]:
    def rule(g: _Geometry) -> Mask:
        return np.asarray(((along(g) + g.phase) % g.p) * 2 < g.p)

    return rule


def _chequerboard(g: _Geometry) -> Mask:
    return np.asarray((((g.xs + g.phase) // g.p + (g.ys + g.phase) // g.p) % 2) == 0)


_RULES: tuple[Callable[[_Geometry], Mask], ...] = (
    _disc,
    _ring,
    _square,
    _diamond,
    _cross,
    _stripes(lambda g: g.ys),
    _stripes(lambda g: g.xs),
    _stripes(lambda g: g.xs + g.ys),
    _stripes(lambda g: g.xs - g.ys),  # numpy's % of a negative number by a positive one is never negative
    _chequerboard,
)
