"""Module names derived from node names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from resnet_studio.engine.assembly.names import NameTable, clean_segment, module_path


def test_clean_segments_are_identifiers_or_indices() -> None:
    assert clean_segment("conv 1", first=True) == "conv_1"
    assert clean_segment("0", first=False) == "0" and clean_segment("0", first=True) == "n0"
    assert clean_segment("Schicht-ä", first=True) == "Schicht_a"
    assert (
        clean_segment("class", first=True) == "class_" and clean_segment("forward", first=True) == "forward_"
    )
    assert clean_segment("!!!", first=True) == "node"
    assert module_path("layer1.0") == ("layer1", "0") and module_path("..a..b.") == ("a", "b")


@given(st.text(max_size=30))
def test_any_name_gives_a_safe_path(name: str) -> None:
    for i, segment in enumerate(module_path(name)):
        assert segment.isidentifier() or (i > 0 and segment.isdigit())
        assert segment.isascii() and "." not in segment


def test_the_name_table_keeps_paths_apart() -> None:
    table = NameTable()
    assert table.claim(("layer1", "0")) == ("layer1", "0")
    assert table.claim(("layer1", "1")) == ("layer1", "1")
    assert table.claim(("layer1",)) == ("layer1_2",)  # 'layer1' is a container already
    assert table.claim(("conv",)) == ("conv",)
    assert table.claim(("conv", "a")) == ("conv_a",)  # 'conv' is a layer, not a container
    assert table.claim(("conv",)) == ("conv_2",)
    assert not table.is_free(("layer1", "0")) and table.is_free(("layer1", "2"))
