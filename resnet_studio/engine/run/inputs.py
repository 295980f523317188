"""Input batches: seeded random normal, the shipped sample image, or an image file the user picks."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from ...core.shapes import Shape
from ..errors import InputError
from ..resources import sample_image_file

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Resize so the crop is 224/256 of the short side, as torchvision's ImageNet evaluation transform does.
CROP_FRACTION = 224 / 256


@dataclass(frozen=True, eq=False)
class InputSource:
    """Where a run's input comes from: 'random' (normal, seeded), 'sample' (the shipped image), an image path, or
    'tensor': a batch the caller made (N x C x H x W, given as `tensor`)."""

    kind: str
    path: Path | None = None
    seed: int = 0
    tensor: torch.Tensor | None = None

    @staticmethod
    def parse(text: str | Path | InputSource | torch.Tensor, seed: int = 0) -> InputSource:
        """'random', 'sample', a path to an image file, or a tensor."""
        if isinstance(text, InputSource):
            return text
        if isinstance(text, torch.Tensor):
            return InputSource("tensor", seed=seed, tensor=text)
        if isinstance(text, str) and text in ("random", "sample"):
            return InputSource(text, seed=seed)
        return InputSource("image", Path(text), seed)

    def batch_size(self, asked: int | None, default: int) -> int:
        """The batch size of a run: as asked, else a given tensor's, else `default`."""
        if asked is not None:
            return asked
        if self.tensor is not None and self.tensor.dim() >= 1:
            return int(self.tensor.shape[0])
        return default

    def describe(self) -> str:
        """In words, for reports: 'random normal (seed 0)', 'sample image', 'cat.jpg'."""
        if self.kind == "random":
            return f"random normal (seed {self.seed})"
        if self.kind == "sample":
            return "sample image"
        if self.kind == "tensor" and self.tensor is not None:
            return "given tensor " + "x".join(map(str, self.tensor.shape))
        return self.path.name if self.path is not None else "image"


def make_input(source: InputSource, shape: Shape, batch_size: int) -> torch.Tensor:
    """A float32 CPU batch of `shape` (CxHxW) from the source; images are repeated over the batch."""
    if len(shape) != 3:
        raise InputError(f"the Input node must give a CxHxW image, found {shape}")
    if source.kind == "random":
        generator = torch.Generator().manual_seed(source.seed)
        return torch.randn((batch_size, *shape), generator=generator)
    if source.kind == "tensor":
        assert source.tensor is not None
        if tuple(source.tensor.shape) != (batch_size, *shape):
            expected = "x".join(map(str, (batch_size, *shape)))
            found = "x".join(map(str, source.tensor.shape))
            raise InputError(
                f"the given input is {found} but the run needs batch x channels x height x width {expected}"
            )
        return source.tensor.detach()
    if source.kind == "sample":
        data = sample_image_file().read_bytes()
        image = _open(io.BytesIO(data), "the sample image")
    else:
        assert source.path is not None
        if not source.path.is_file():
            raise InputError(f"there is no image file {str(source.path)!r}")
        image = _open(source.path, repr(str(source.path)))
    one = image_tensor(image, shape)
    return one.unsqueeze(0).expand(batch_size, *shape).contiguous()


def _open(file: io.BytesIO | Path, what: str) -> Image.Image:
    try:
        image = Image.open(file)
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"{what} is not an image Pillow can read ({error})") from None
    return image


def image_tensor(image: Image.Image, shape: Shape) -> torch.Tensor:
    """An image resized, centre-cropped to HxW and normalised with ImageNet's mean and deviation (CxHxW)."""
    channels, height, width = shape
    if channels not in (1, 3):
        raise InputError(
            f"an image gives 1 (grey) or 3 (RGB) channels, but the network's input has {channels}"
        )
    image = image.convert("RGB" if channels == 3 else "L")
    scale = max(height / image.height, width / image.width) / CROP_FRACTION
    resized = (max(width, round(image.width * scale)), max(height, round(image.height * scale)))
    image = image.resize(resized, Image.Resampling.BILINEAR)
    left, top = (resized[0] - width) // 2, (resized[1] - height) // 2
    image = image.crop((left, top, left + width, top + height))
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    if channels == 1:
        mean = np.array([np.mean(IMAGENET_MEAN)], dtype=np.float32)
        std = np.array([np.mean(IMAGENET_STD)], dtype=np.float32)
        pixels = pixels[..., None]
    else:
        mean = np.array(IMAGENET_MEAN, dtype=np.float32)
        std = np.array(IMAGENET_STD, dtype=np.float32)
    return torch.from_numpy(((pixels - mean) / std).transpose(2, 0, 1).copy())
