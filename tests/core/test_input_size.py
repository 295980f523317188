"""The one grammar of an input size, shared by the command line and the app: CxHxW, strict, within reason."""

from __future__ import annotations

import pytest

from resnet_studio.core.errors import InputSizeError
from resnet_studio.core.shapes import MAX_BATCH, MAX_INPUT_VALUES, check_batch_size, parse_input_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("3x224x224", (3, 224, 224)),
        ("1x28x28", (1, 28, 28)),
        (" 3 × 32 × 32 ", (3, 32, 32)),
        ("3X8X8", (3, 8, 8)),
        ("2x32768x32768", (2, 32768, 32768)),
    ],
)
def test_sizes_are_read(text: str, size: tuple[int, int, int]) -> None:
    assert parse_input_size(text) == size


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3x224", "expected an input size like 3x224x224 (CxHxW), found '3x224': that is 2 numbers"),
        ("224", "found '224': that is 1 number; give channels, height and width"),
        ("1x2x3x4", "that is 4 numbers"),
        ("3xfoo", "expected an input size like 3x224x224 (CxHxW), found '3xfoo'"),
        ("", "found ''"),
        ("3,224,224", "found '3,224,224'"),
        ("3x-1x5", "found '3x-1x5'"),
        ("3x0x224", "every part of an input size must be at least 1, found '3x0x224'"),
        ("1e200x1e200x1e200", "found '1e200x1e200x1e200'"),
        ("3x100000x100000", "an input of 3x100000x100000 is more than any device could hold"),
        (
            "x".join(["1" + "0" * 200] * 3),
            "an input of 1e+200x1e+200x1e+200 is more than any device could hold",
        ),
    ],
)
def test_anything_else_is_refused_saying_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(InputSizeError) as caught:
        parse_input_size(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert len(str(caught.value)) < 200


def test_the_limit_is_what_a_device_could_hold() -> None:
    assert parse_input_size("2x32768x32768") == (2, 32768, 32768)  # exactly 2**31 values
    with pytest.raises(InputSizeError, match="at most 2,147,483,648 values per sample"):
        parse_input_size("3x32768x32768")
    assert MAX_INPUT_VALUES == 2 * 32768 * 32768


def test_batch_sizes_are_bounded() -> None:
    assert check_batch_size(1) == 1 and check_batch_size(MAX_BATCH) == MAX_BATCH
    for bad in (0, MAX_BATCH + 1, 10**200):
        with pytest.raises(ValueError, match="batch size must be between 1 and 65,536"):
            check_batch_size(bad)
