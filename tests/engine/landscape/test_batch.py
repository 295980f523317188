"""The fixed batch of a landscape: procedural shapes and textures, a folder of images, or seeded noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from resnet_studio.core.presets import preset
from resnet_studio.engine.datasets import DatasetError, procedural_dataset
from resnet_studio.engine.errors import InputError
from resnet_studio.engine.landscape.batch import batch_for

from ..graphs import small_cnn


def test_the_default_batch_is_the_procedural_data_sets_first_images() -> None:
    images, labels = batch_for(preset("resnet20"), 16, seed=3)
    data = procedural_dataset(16, size=32, seed=3)
    assert torch.equal(images, data.images) and torch.equal(labels, data.labels)
    larger, _ = batch_for(preset("resnet20"), 4, seed=3, input_shape=(3, 64, 64))
    assert larger.shape == (4, 3, 64, 64)


def test_noise_for_any_input_size_and_labels_for_the_networks_classes() -> None:
    images, labels = batch_for(small_cnn(), 8, seed=1, source="random")
    again, _ = batch_for(small_cnn(), 8, seed=1, source="random")
    assert images.shape == (8, 3, 20, 18) and torch.equal(images, again) and int(labels.max()) < 10
    with pytest.raises(InputError, match="3x20x18"):
        batch_for(small_cnn(), 8)


def test_a_folder_of_images_is_resized_to_the_input(tmp_path: Path) -> None:
    for name, colour in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.fromarray(np.full((10, 12, 3), colour, dtype=np.uint8)).save(tmp_path / name / f"{i}.png")
    images, labels = batch_for(small_cnn(), 4, source=tmp_path)
    assert images.shape == (4, 3, 20, 18) and set(labels.tolist()) <= {0, 1}
    with pytest.raises(DatasetError, match="no folder"):
        batch_for(small_cnn(), 4, source=tmp_path / "missing")
