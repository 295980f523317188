"""The sample image shipped in resources/images: drawn by code, so it is free of licences and reproducible.

A small landscape (sky gradient, sun, striped hills, a chequered kite) with edges, stripes, colours and
textures at several scales, so the feature maps of a network have something to respond to.
Regenerate the shipped file with `python -m resnet_studio.engine.sample_image resources/images/sample.png`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 256


def make_sample_image(size: int = SIZE) -> Image.Image:
    """The sample image, size x size RGB; the same pixels every time."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) / size
    sky = np.stack([0.35 + 0.3 * y, 0.55 + 0.3 * y, 0.95 - 0.2 * y], axis=-1)
    image = sky
    sun = (x - 0.75) ** 2 + (y - 0.22) ** 2 < 0.012
    image[sun] = (1.0, 0.85, 0.2)
    ridge = 0.62 + 0.08 * np.sin(9 * x) + 0.03 * np.sin(31 * x + 1.0)
    hills = y > ridge
    stripes = (np.sin(60 * (y - 0.4 * x)) > 0)[..., None]
    green = np.where(stripes, (0.2, 0.55, 0.2), (0.3, 0.7, 0.25))
    image = np.where(hills[..., None], green, image)
    kite = np.abs(x - 0.3) + np.abs(y - 0.3) * 0.7 < 0.12
    checks = ((np.floor(x * 24) + np.floor(y * 24)) % 2 == 0)[..., None]
    image = np.where(kite[..., None], np.where(checks, (0.85, 0.1, 0.1), (0.95, 0.95, 0.95)), image)
    string = (np.abs((y - 0.38) - 1.4 * (x - 0.3)) < 0.004) & (y > 0.38) & (y < 0.75)
    image[string] = (0.1, 0.1, 0.1)
    pixels = np.clip(np.round(image * 255), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)  # uint8 HxWx3: RGB


def main(argv: list[str]) -> int:
    """Write the sample image to the given path."""
    if len(argv) != 1:
        print("usage: python -m resnet_studio.engine.sample_image PATH.png", file=sys.stderr)
        return 2
    make_sample_image().save(Path(argv[0]), format="PNG", optimize=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
