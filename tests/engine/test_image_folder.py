"""A folder of images, one sub-folder per class: read into a data set, or refused with one clear message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from resnet_studio.engine.datasets import DatasetError, load_image_folder


def _image(path: Path, size: tuple[int, int] = (8, 6), value: int = 100, mode: str = "RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    pixels = np.full((height, width, 3), value, dtype=np.uint8)
    Image.fromarray(pixels).convert(mode).save(path)


def _folder(root: Path, classes: dict[str, int] | None = None) -> Path:
    for name, count in (classes or {"cats": 2, "dogs": 3}).items():
        for i in range(count):
            _image(root / name / f"{i}.png", value=40 * i + (0 if name == "cats" else 20))
    return root


def test_a_folder_becomes_a_normalised_data_set_with_its_class_names(tmp_path: Path) -> None:
    root = _folder(tmp_path / "pets")
    _image(root / "dogs" / "grey.jpg", mode="L")  # grey images are read as RGB
    (root / "dogs" / ".DS_Store").write_bytes(b"\0\1")  # hidden files are left alone
    (root / "README.txt").write_text("loose files beside the class folders are not read")
    data = load_image_folder(root)
    assert data.class_names == ("cats", "dogs") and len(data) == 6 and data.class_counts() == (2, 4)
    assert data.images.shape == (6, 3, 6, 8) and data.labels.tolist() == [0, 0, 1, 1, 1, 1]
    assert abs(float(data.images.mean())) < 1e-5 and data.description.startswith("pets: 6 images, 8x6")


def test_mixed_sizes_are_refused_naming_two_files_unless_a_size_is_given(tmp_path: Path) -> None:
    root = _folder(tmp_path / "pets")
    _image(root / "dogs" / "big.png", size=(16, 12))
    with pytest.raises(
        DatasetError, match=r"different sizes: cats/0.png is 8x6 but dogs/big.png is 16x12"
    ) as error:
        load_image_folder(root)
    assert error.value.problem == "mixed_sizes"
    data = load_image_folder(root, size=10)
    assert data.images.shape == (6, 3, 10, 10)
    assert load_image_folder(root, size=(4, 5)).image_shape == (3, 4, 5)


@pytest.mark.parametrize(
    ("make", "problem", "message"),
    [
        (lambda root: None, "missing", "there is no folder"),
        (lambda root: root.mkdir(), "empty", "has no class sub-folders"),
        (lambda root: (root.parent.mkdir(exist_ok=True), root.write_text("x")), "invalid", "is a file"),
        (lambda root: _folder(root, {"cats": 2}), "one_class", r"only one class sub-folder \(cats\)"),
        (
            lambda root: _folder(root, {"cats": 2, "dogs": 0}) and (root / "dogs").mkdir(),
            "empty",
            "dogs/ has no images",
        ),
    ],
)
def test_a_folder_that_is_not_a_data_set_gets_one_clear_message(
    tmp_path: Path, make: object, problem: str, message: str
) -> None:
    root = tmp_path / "data"
    make(root)  # type: ignore[operator]
    with pytest.raises(DatasetError, match=message) as error:
        load_image_folder(root)
    assert error.value.problem == problem and "\n" not in str(error.value)


def test_images_loose_in_the_folder_are_pointed_out(tmp_path: Path) -> None:
    _image(tmp_path / "data" / "a.png")
    with pytest.raises(DatasetError, match=r"1 images directly in it.*sub-folder named after the class"):
        load_image_folder(tmp_path / "data")


def test_a_file_that_is_not_an_image_is_named(tmp_path: Path) -> None:
    root = _folder(tmp_path / "pets")
    (root / "cats" / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match=r"cats/notes.txt is not an image .*move it out") as error:
        load_image_folder(root)
    assert error.value.problem == "not_an_image" and error.value.path == str(root / "cats" / "notes.txt")


def test_an_unreadable_image_is_named(tmp_path: Path) -> None:
    root = _folder(tmp_path / "pets")
    (root / "dogs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(DatasetError, match=r"dogs/broken.png cannot be read as an image") as error:
        load_image_folder(root)
    assert error.value.problem == "unreadable"


def test_a_folder_too_large_for_memory_is_refused_before_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resnet_studio.engine.datasets.image_folder as image_folder

    monkeypatch.setattr(image_folder, "MAX_BYTES", 1000)
    with pytest.raises(DatasetError, match="smaller size") as error:
        load_image_folder(_folder(tmp_path / "pets"))
    assert error.value.problem == "too_large"


def test_max_per_class_keeps_the_first_files_of_each_class(tmp_path: Path) -> None:
    data = load_image_folder(_folder(tmp_path / "pets"), max_per_class=2)
    assert data.class_counts() == (2, 2)
    with pytest.raises(ValueError, match="max_per_class"):
        load_image_folder(tmp_path / "pets", max_per_class=0)
