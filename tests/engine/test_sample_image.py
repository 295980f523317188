"""The shipped sample image is the one the code draws, and loads through importlib.resources."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from resnet_studio.engine.resources import sample_image_file
from resnet_studio.engine.sample_image import SIZE, make_sample_image


def test_the_shipped_png_is_the_generated_image() -> None:
    shipped = Image.open(io.BytesIO(sample_image_file().read_bytes()))
    assert shipped.size == (SIZE, SIZE) and shipped.mode == "RGB"
    assert np.array_equal(np.asarray(shipped), np.asarray(make_sample_image()))


def test_the_sample_image_has_structure_at_several_scales() -> None:
    pixels = np.asarray(make_sample_image()).astype(float)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # colours: sky gradient, sun, hills, kite
    assert np.abs(np.diff(pixels, axis=1)).mean() > 1  # edges


def test_a_missing_sample_image_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from resnet_studio.engine import resources

    monkeypatch.setattr(resources, "resource", lambda *parts: Path("/nonexistent", *parts))
    with pytest.raises(FileNotFoundError, match="sample image is missing"):
        resources.sample_image_file()
