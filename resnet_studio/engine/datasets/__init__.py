"""Labelled image data sets for training demos: shapes and textures drawn by code, or a folder of images.

data = procedural_dataset(4000, size=32, seed=0)     # 10 classes, the same bytes on every machine
data = load_image_folder("flowers/", size=64)       # one sub-folder per class
grid = sample_grid(data, rows=3, cols=10)           # a uint8 mosaic with each cell's class name
for images, labels in batches(data, 64, seed=0): ...
"""

from ...results.datasets import SampleGrid
from .dataset import BatchSampler, DatasetError, ImageDataset, batches
from .grid import sample_grid
from .image_folder import IMAGE_SUFFIXES, load_image_folder
from .procedural import CLASS_NAMES, procedural_dataset

__all__ = [
    "CLASS_NAMES",
    "IMAGE_SUFFIXES",
    "BatchSampler",
    "DatasetError",
    "ImageDataset",
    "SampleGrid",
    "batches",
    "load_image_folder",
    "procedural_dataset",
    "sample_grid",
]
