"""A folder of images, one sub-folder per class (the ImageFolder layout), read into an ImageDataset.

    flowers/
      daisy/     0001.jpg  0002.png ...
      tulip/     ...

The sub-folder names are the class names, in sorted order. Files and folders whose names start with a dot are
ignored (e.g. .DS_Store); any other file that is not an image is refused, with its name, rather than skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .dataset import DatasetError, ImageDataset

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
"""File endings read as images."""

MAX_BYTES = 2 << 30
"""The largest data set read into memory (float32 images); a larger folder is refused with what to change."""


def load_image_folder(
    folder: str | Path, *, size: int | tuple[int, int] | None = None, max_per_class: int | None = None
) -> ImageDataset:
    """Every image of every class sub-folder as RGB, normalised with the folder's own per-channel mean and
    deviation. All images must have one size unless `size` (an int or (height, width)) is given, in which case
    each is resized to it. `max_per_class` keeps the first n files (in sorted order) of each class.
    Raises DatasetError saying what is wrong and where."""
    if max_per_class is not None and (isinstance(max_per_class, bool) or max_per_class < 1):
        raise ValueError(f"max_per_class must be a positive whole number, not {max_per_class!r}")
    root = Path(folder)
    if not root.exists():
        raise DatasetError(f"there is no folder {str(root)!r}", "missing", str(root))
    if not root.is_dir():
        raise DatasetError(
            f"{str(root)!r} is a file; a data set is a folder with one sub-folder of images per class",
            "invalid",
            str(root),
        )
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        loose = [p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
        found = f"{len(loose)} images directly in it" if loose else "nothing usable in it"
        raise DatasetError(
            f"{str(root)!r} has no class sub-folders ({found}); put each class's images in a sub-folder named "
            "after the class, e.g. cats/ and dogs/",
            "empty",
            str(root),
        )
    if len(classes) == 1:
        raise DatasetError(
            f"{str(root)!r} has only one class sub-folder ({classes[0].name}); a classifier needs at least "
            "two classes, each in its own sub-folder",
            "one_class",
            str(root),
        )
    files = [_class_files(c, max_per_class) for c in classes]
    target = (size, size) if isinstance(size, int) else size
    if target is not None and (len(target) != 2 or any(not isinstance(s, int) or s < 1 for s in target)):
        raise ValueError(f"the resize size must be a positive integer or (height, width), not {size!r}")
    count = sum(len(f) for f in files)
    first = _open(files[0][0])
    height, width = target if target is not None else (first.height, first.width)
    if count * 3 * height * width * 4 > MAX_BYTES:
        raise DatasetError(
            f"{str(root)!r} holds {count} images of {height}x{width}: more than {MAX_BYTES >> 30} GiB as float32. "
            "Give a smaller size (e.g. 32 or 64) or fewer images per class",
            "too_large",
            str(root),
        )
    pixels = np.empty((count, height, width, 3), dtype=np.uint8)
    labels = np.empty(count, dtype=np.int64)
    sized_as: Path = files[0][0]
    position = 0
    for label, class_files in enumerate(files):
        for path in class_files:
            image = first if position == 0 else _open(path)
            if target is not None:
                image = image.resize((width, height), Image.Resampling.BILINEAR)
            elif (image.height, image.width) != (height, width):
                raise DatasetError(
                    f"the images have different sizes: {_name(root, sized_as)} is {width}x{height} but "
                    f"{_name(root, path)} is {image.width}x{image.height}; resize them to one size, or give a "
                    "size to resize to (--size in the command line)",
                    "mixed_sizes",
                    str(path),
                )
            pixels[position] = np.asarray(image.convert("RGB"), dtype=np.uint8)
            labels[position] = label
            position += 1
    return _normalised(pixels, labels, tuple(c.name for c in classes), root, count)


def _class_files(folder: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for path in files:
        if path.is_dir():
            raise DatasetError(
                f"{folder.name}/{path.name} is a folder inside a class folder; each class folder must hold only "
                "images (nested folders are not read)",
                "not_an_image",
                str(path),
            )
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise DatasetError(
                f"{folder.name}/{path.name} is not an image (expected one of {', '.join(IMAGE_SUFFIXES)}); move "
                "it out of the class folder",
                "not_an_image",
                str(path),
            )
    if not files:
        raise DatasetError(
            f"the class folder {folder.name}/ has no images; add some or remove the folder",
            "empty",
            str(folder),
        )
    return files[:limit] if limit is not None else files


def _open(path: Path) -> Image.Image:
    try:
        image = Image.open(path)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0][:160]
        raise DatasetError(
            f"{path.parent.name}/{path.name} cannot be read as an image ({reason}); replace or remove it",
            "unreadable",
            str(path),
        ) from None
    return image


def _name(root: Path, path: Path) -> str:
    return str(path.relative_to(root))


def _normalised(
    pixels: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...], root: Path, count: int
) -> ImageDataset:
    scaled = pixels.astype(np.float32) / np.float32(255)
    mean = scaled.mean(axis=(0, 1, 2), dtype=np.float64)
    std = np.maximum(scaled.std(axis=(0, 1, 2), dtype=np.float64), 1e-3)
    images = (scaled - mean.astype(np.float32)) / std.astype(np.float32)
    _, height, width, _ = pixels.shape
    return ImageDataset(
        images=torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))),
        labels=torch.from_numpy(labels),
        class_names=class_names,
        description=f"{root.name}: {count} images, {width}x{height}, {len(class_names)} classes",
        mean=(float(mean[0]), float(mean[1]), float(mean[2])),
        std=(float(std[0]), float(std[1]), float(std[2])),
    )
