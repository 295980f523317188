"""Turning activations into pictures: colour levels per node, the channel mosaic, colour tables, thumbnails.

Plain numpy, no widgets: the panels and the canvas thumbnails share these, and the benchmark times them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np  # imported where used: the window is on screen before numpy loads

    from ...core.activation_stats import ActivationStats
    from ...results.run import NodeRecord  # annotations only: results load after the first paint

SPREAD = 3.0
"""Levels reach this many standard deviations past the mean (clipped to the range): a few bright outliers
would otherwise leave every other pixel black."""
GAP = 2
"""Pixels between tiles in the mosaic (drawn as background)."""


@dataclass(frozen=True)
class Levels:
    """The value range the colour map spans, and whether it is centred on zero."""

    low: float
    high: float
    signed: bool

    def as_tuple(self) -> tuple[float, float]:
        """(low, high) for ImageItem.setImage(levels=...)."""
        return (self.low, self.high)


def levels_for(stats: ActivationStats | None) -> Levels:
    """Fixed levels for one node's maps, from its statistics: 0..mean+3 std after a ReLU, symmetric otherwise."""
    if stats is None or not (math.isfinite(stats.mean) and math.isfinite(stats.std)):
        return Levels(0.0, 1.0, False)
    if stats.signed:
        reach = min(max(abs(stats.min), abs(stats.max)), abs(stats.mean) + SPREAD * stats.std)
        reach = reach if reach > 0 else 1.0
        return Levels(-reach, reach, True)
    high = min(stats.max, stats.mean + SPREAD * stats.std)
    if not high > stats.min:
        high = stats.min + 1.0
    return Levels(max(0.0, stats.min), high, False)


def grid_columns(count: int, aspect: float = 1.0) -> int:
    """Columns for `count` tiles so the mosaic is about `aspect` times as wide as it is tall."""
    if count <= 0:
        return 1
    return max(1, min(count, math.ceil(math.sqrt(count * aspect))))


def mosaic(values: np.ndarray, start: int, count: int, columns: int, gap: int = GAP) -> np.ndarray:
    """Channels start..start+count of a (C, H, W) stack tiled row by row into one float32 image.

    The gaps and the cells after the last channel are NaN, which the image item draws transparent."""
    import numpy as np

    chosen = values[start : start + count]
    n, h, w = chosen.shape
    rows = max(1, math.ceil(n / columns))
    cells = np.full((rows * columns, h + gap, w + gap), np.nan, dtype=np.float32)
    cells[:n, :h, :w] = chosen
    tiled = cells.reshape(rows, columns, h + gap, w + gap).transpose(0, 2, 1, 3)
    image = tiled.reshape(rows * (h + gap), columns * (w + gap))
    return np.ascontiguousarray(image[: rows * (h + gap) - gap, : columns * (w + gap) - gap])


def tile_at(x: float, y: float, shape: tuple[int, int], columns: int, gap: int = GAP) -> int | None:
    """The tile index (0-based within the page) under a mosaic pixel, or None in a gap or outside."""
    h, w = shape
    if x < 0 or y < 0:
        return None
    col, dx = divmod(int(x), w + gap)
    row, dy = divmod(int(y), h + gap)
    if dx >= w or dy >= h or col >= columns:
        return None
    return row * columns + col


def dead_channels(values: np.ndarray) -> int:
    """Kept channels that are zero at every position (a dead ReLU unit, for this input)."""
    import numpy as np

    if values.ndim != 3 or values.size == 0:
        return 0
    return int(np.count_nonzero(~np.any(values != 0, axis=(1, 2))))


COLOUR_MAPS = {False: "inferno", True: "CET-D1"}
"""pyqtgraph's names of the two activation colour maps."""
GRADIENT_STOPS = 9
"""Stops of the colour bar beside the channel view (the full map has 256: each stop is an editable tick
there, and building 256 of them costs ~25 ms every time the map changes)."""


@cache
def colour_map(signed: bool) -> object:
    """The activation colour map as a pyqtgraph ColorMap with a few stops (for colour bars)."""
    import numpy as np
    import pyqtgraph as pg

    full = pg.colormap.get(COLOUR_MAPS[signed])
    positions = np.linspace(0.0, 1.0, GRADIENT_STOPS)
    return pg.ColorMap(positions, full.map(positions, mode="byte"))


@cache
def colour_table(signed: bool) -> np.ndarray:
    """A 256 x 3 uint8 colour table: inferno (black = zero, bright = strong) for non-negative activations,
    a blue-white-red diverging map centred on zero for signed ones. Both read in colour-blind vision."""
    import numpy as np
    import pyqtgraph as pg

    cmap = pg.colormap.get(COLOUR_MAPS[signed])
    table = cmap.getLookupTable(0.0, 1.0, 256, alpha=False)
    return np.ascontiguousarray(table[:, :3], dtype=np.uint8)


def to_rgb(image: np.ndarray, levels: Levels) -> np.ndarray:
    """An (H, W) float image through the colour table as (H, W, 3) uint8 (NaN becomes mid grey)."""
    import numpy as np

    span = levels.high - levels.low or 1.0
    scaled = np.clip((image - levels.low) / span, 0.0, 1.0)
    index = np.nan_to_num(scaled * 255.0, nan=0.0).astype(np.uint8)
    rgb = colour_table(levels.signed)[index]
    rgb[~np.isfinite(image)] = 128
    return rgb


def thumbnail_rgb(node: NodeRecord) -> np.ndarray | None:
    """The node's preview as (H, W, 3) uint8 through the activation colour map (own range per node)."""
    preview = node.preview
    if preview is None:
        return None
    if preview.ndim == 3:
        return preview
    low, high = float(preview.min()), float(preview.max())
    if low < 0.0 < high:
        reach = max(abs(low), abs(high)) or 1.0
        return to_rgb(preview, Levels(-reach, reach, True))
    return to_rgb(preview, Levels(low, high if high > low else low + 1.0, False))
