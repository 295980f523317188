"""The procedural data set, batches drawn from a data set, and the sample grid."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from resnet_studio.engine.datasets import (
    CLASS_NAMES,
    BatchSampler,
    ImageDataset,
    batches,
    procedural_dataset,
    sample_grid,
)
from resnet_studio.engine.datasets.procedural import MEAN, STD, _masks, draw


def _digest(data: ImageDataset) -> str:
    return hashlib.sha256(data.images.numpy().tobytes() + data.labels.numpy().tobytes()).hexdigest()


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others() -> None:
    first, again, other = (
        procedural_dataset(200, seed=3),
        procedural_dataset(200, seed=3),
        procedural_dataset(200),
    )
    assert _digest(first) == _digest(again)
    assert _digest(first) != _digest(other)
    assert not torch.equal(first.labels, other.labels)


def test_the_pixels_are_the_same_on_every_machine() -> None:
    """Pinned: drawn with integer arithmetic from PCG64 integers, so any change here is a new data set."""
    pixels, labels = draw(50, 32, 0)
    digest = hashlib.sha256(pixels.tobytes() + labels.tobytes()).hexdigest()
    assert digest == "3c0f6f29ac6bec3a73ec481256b03ae91184d49fb15deb5eb54eb5715d043a26"


def test_a_larger_data_set_starts_differently_but_is_drawn_in_chunks_without_changing_an_image() -> None:
    # 2000 images at 32x32 span two chunks of the integer work; the noise stream must not depend on them.
    small, large = draw(1100, 32, 5), draw(2000, 32, 5)
    assert small[0].shape == (1100, 32, 32, 3) and large[0].dtype == np.uint8
    whole = procedural_dataset(2000, seed=5)
    assert np.array_equal(
        (whole.images.numpy() * STD + MEAN).round().astype(np.uint8).transpose(0, 2, 3, 1), large[0]
    )


def test_classes_are_balanced_and_named_in_words() -> None:
    data = procedural_dataset(1000)
    assert data.class_counts() == (100,) * 10
    assert data.class_names == CLASS_NAMES and data.classes == 10 and "chequerboard" in data.class_names
    counts = procedural_dataset(1005).class_counts()
    assert sum(counts) == 1005 and max(counts) - min(counts) == 1


def test_images_are_normalised_float32_nchw_and_labels_int64() -> None:
    data = procedural_dataset(100)
    assert data.images.shape == (100, 3, 32, 32) and data.images.dtype == torch.float32
    assert data.labels.dtype == torch.int64 and data.image_shape == (3, 32, 32)
    assert float(data.images.min()) == np.float32(-78.0) / np.float32(58.5)  # black, after the noise
    assert float(data.images.max()) <= (255 - 78.0) / 58.5
    assert abs(float(data.images.mean())) < 0.1 and 0.9 < float(data.images.std()) < 1.1
    assert "100 procedural images, 32x32, 10 classes" in data.description


def test_the_large_size_is_available_on_request() -> None:
    data = procedural_dataset(10, size=224)
    assert data.images.shape == (10, 3, 224, 224)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"count": 5}, "at least 10 images"), ({"size": 33}, "must be one of 32, 64"), ({"seed": -1}, "seed")],
)
def test_bad_arguments_say_what_is_allowed(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        procedural_dataset(**kwargs)


def _mask_of(name: str) -> np.ndarray:
    """Where an image of the class shows its foreground, centred, radius 12, period 8, window 40 (64ths)."""
    one = np.array([[32, 32]])
    return _masks(np.array([CLASS_NAMES.index(name)]), 32, one, *(np.array([v]) for v in (12, 8, 0, 40)))[0]


def test_stripes_run_the_way_their_names_say() -> None:
    window = slice(6, 26)  # inside the 40/64 window round the centre
    horizontal = _mask_of("horizontal stripes")[window, window]
    assert (horizontal == horizontal[:, :1]).all() and not (horizontal == horizontal[:1, :]).all()
    vertical = _mask_of("vertical stripes")[window, window]
    assert (vertical == vertical[:1, :]).all() and not (vertical == vertical[:, :1]).all()
    rising = _mask_of("rising stripes")[window, window]  # "/": the same going up and to the right
    assert (rising[1:, :-1] == rising[:-1, 1:]).all() and not (rising[1:, 1:] == rising[:-1, :-1]).all()
    falling = _mask_of("falling stripes")[window, window]  # "\\"
    assert (falling[1:, 1:] == falling[:-1, :-1]).all() and not (falling[1:, :-1] == falling[:-1, 1:]).all()
    assert not _mask_of("horizontal stripes")[0].any()  # nothing outside the window


def test_shapes_are_what_their_names_say() -> None:
    disc, ring, square = _mask_of("disc"), _mask_of("ring"), _mask_of("square")
    assert disc[16, 16] and not ring[16, 16] and ring[16, 16 + 5] and square[16, 16]
    assert square[16 - 4, 16 - 4] and not disc[16 - 5, 16 - 5]  # a square has corners, a disc does not
    cross = _mask_of("cross")
    assert cross[16, 21] and cross[21, 16] and not cross[21, 21]


def test_the_sampler_shows_every_image_once_per_epoch_in_a_seeded_order() -> None:
    sampler = BatchSampler(40, 8, seed=2)
    epoch = torch.cat([next(sampler) for _ in range(5)])
    assert sorted(epoch.tolist()) == list(range(40))
    again = BatchSampler(40, 8, seed=2)
    assert torch.equal(torch.cat([next(again) for _ in range(5)]), epoch)
    assert not torch.equal(torch.cat([next(BatchSampler(40, 8, seed=3)) for _ in range(5)]), epoch)
    assert len(next(BatchSampler(5, 12))) == 12  # a batch larger than the data set repeats it


def test_batches_pair_images_with_their_labels() -> None:
    data = procedural_dataset(30)
    images, labels = next(batches(data, 7, seed=1))
    assert images.shape == (7, 3, 32, 32) and labels.shape == (7,)
    index = int(BatchSampler(30, 7, seed=1).__next__()[0])
    assert torch.equal(images[0], data.images[index]) and int(labels[0]) == int(data.labels[index])


def test_the_sample_grid_is_a_uint8_mosaic_of_the_images_with_their_class_names() -> None:
    data = procedural_dataset(100, seed=4)
    grid = sample_grid(data, rows=2, cols=10, seed=1)
    assert grid.mosaic.shape == (64, 320, 3) and grid.mosaic.dtype == np.uint8
    assert grid.labels[:10] == CLASS_NAMES and grid.cell_label(1, 3) == "diamond"
    pixels, labels = draw(100, 32, 4)
    index = grid.indices[12]
    assert (
        np.array_equal(grid.mosaic[32:64, 64:96], pixels[index])
        and CLASS_NAMES[labels[index]] == grid.labels[12]
    )
    assert len(set(grid.indices)) == 20


def test_a_data_set_refuses_inconsistent_tensors() -> None:
    with pytest.raises(ValueError, match="one per image"):
        ImageDataset(torch.zeros(3, 3, 4, 4), torch.zeros(2, dtype=torch.int64), ("a", "b"), "x")
    with pytest.raises(ValueError, match="class numbers from 0 to 1"):
        ImageDataset(torch.zeros(2, 3, 4, 4), torch.tensor([0, 2]), ("a", "b"), "x")
