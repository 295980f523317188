"""Finding a later member of a JSON object without reading what lies before it (json_stream.find_member)."""

from __future__ import annotations

import json

import pytest

from resnet_studio.core.json_stream import FIND_TRIES, find_member, read_array, read_object


def value_at(text: str, key: str, start: int = 0) -> object:
    """The value find_member points at, parsed, or None."""
    at = find_member(text, start, key)
    return None if at is None else json.JSONDecoder().raw_decode(text, at)[0]


@pytest.mark.parametrize(
    "text",
    [
        '{"edges": [1, 2], "nodes": [3]}',
        '{"edges": [1, 2],\n  "nodes" :\n [3] ,\n "name": "x", "more": {"a": [1]}\n}\n',
        '{"edges": [{"nodes": [9]}], "nodes": [3]}',  # a nested key before the real one
        '{"edges": [], "nodes": [3], "note": "\\"nodes\\": [9]"}',  # the key's text in a string after it
    ],
)
def test_the_top_level_member_is_found(text: str) -> None:
    assert value_at(text, "nodes") == [3]


@pytest.mark.parametrize(
    "text",
    [
        '{"edges": [{"src": "a", "nodes": [9]}]}',  # only nested: more brackets close after it
        '{"edges": [{"nodes": [9]}], "name": "x"}',
        '{"edges": ["x", "nodes"], "name": "x"}',  # the key's text as a value
        '{"edges": [1], "nodes": [3]} extra',  # not the end of the text
        '{"edges": [1], "nodes": [3], }',  # not JSON after it
        '{"edges": [1], "nodes": [3',  # truncated
        '{"nodes": [3]}',  # before the start
    ],
)
def test_a_member_that_is_not_the_objects_own_or_not_after_the_start_is_not_found(text: str) -> None:
    assert find_member(text, text.index("[") if text.startswith('{"edges"') else 2, "nodes") is None


@pytest.mark.parametrize(("nested", "found"), [(FIND_TRIES - 1, [3]), (FIND_TRIES, None)])
def test_it_gives_up_after_a_bounded_number_of_places(nested: int, found: object) -> None:
    """Each place costs a little reading: a file full of the key's text cannot make the search long (the reader
    then reads the file in order, as it would without the search)."""
    after = ", ".join(['{"nodes": 1}'] * nested)
    assert value_at('{"edges": [], "nodes": [3], "x": [' + after + "]}", "nodes") == found


def test_read_object_passes_over_an_array_read_ahead() -> None:
    text = '{"edges": [1, 2], "nodes": [3, 4], "name": "x"}'
    at = find_member(text, 0, "nodes")
    assert at is not None
    read: dict[int, int] = {}
    seen: list[tuple[str, object]] = []

    def on_array(key: str, pos: int) -> bool:
        if key == "edges":  # the nodes are read first, then marked as read (the mapping was empty until now)
            read[at] = read_array(text, at, "nodes", lambda k, i, v, p: seen.append((k, v)))
        return True

    read_object(
        text,
        frozenset({"edges", "nodes"}),
        lambda *a: None,
        on_array,
        lambda k, i, v, p: seen.append((k, v)),
        read,
    )
    assert seen == [("nodes", 3), ("nodes", 4), ("edges", 1), ("edges", 2)]
