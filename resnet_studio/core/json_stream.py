"""Reading a JSON object member by member, and chosen arrays element by element, each with its offset in the text.

A reader of a big file can then check each element as soon as it is read, stop early (after enough problems)
without parsing the rest, and say on which line a problem sits. Numbers too long to be meant as numbers are kept
as `LongNumber` markers instead of being converted (a 5,000-digit integer would be refused by int(), or be slow).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, though not in the stubs

_SPACE = re.compile(r"[ \t\n\r]*")
_AFTER_ELEMENT = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
MAX_NUMBER_LENGTH = 30
"""Characters of the longest integer read as a number."""


@dataclass(frozen=True, slots=True)
class LongNumber:
    """An integer written with more digits than any project value has (kept as text, never converted)."""

    text: str

    def __repr__(self) -> str:
        return f"a {len(self.text.lstrip('-')):,}-digit number"


def _integer(text: str) -> int | LongNumber:
    return int(text) if len(text) <= MAX_NUMBER_LENGTH else LongNumber(text)


_DECODER = json.JSONDecoder(parse_int=_integer)
_SCAN_ONCE = _DECODER.scan_once  # type: ignore[attr-defined]  # the C scanner raw_decode calls


def loads(text: str) -> object:
    """Parse a whole JSON text (long integers become LongNumber markers)."""
    return _DECODER.decode(text)


class NotAnObject(ValueError):
    """The text is valid JSON but its top level is not an object."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class TooDeep(ValueError):
    """A value nests too deeply for the parser; `position` is where that value starts."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


OnMember = Callable[[str, object, int], None]
"""Called with a member's key, its value and the offset where the value starts."""
OnArray = Callable[[str, int], bool]
"""Called with a streamed array's key and the offset where it starts: True reads its elements now, False skips
them (read_array() can read them later from that offset)."""
OnElement = Callable[[str, int, object, int], None]
"""Called with the array's key, the element's index, the element and the offset where it starts."""


def read_object(
    text: str,
    streamed: frozenset[str],
    on_member: OnMember,
    on_array: OnArray,
    on_element: OnElement,
    read: Mapping[int, int] | None = None,
) -> None:
    """Read the top-level object of `text`, calling back for each member, or each element of a streamed array.

    A streamed member whose value is not an array is passed to `on_member` whole. `read`: streamed arrays the
    caller has read already (see find_member), by the offset where each starts, with the offset after it; they
    are passed over without a callback. Raises json.JSONDecodeError (with the offset in `text`), NotAnObject or
    TooDeep; exceptions raised by a callback end the reading.
    """
    if read is None:  # (not `read or {}`: the caller's mapping is empty until it reads ahead)
        read = {}
    pos = _skip(text, 0)
    if not text.startswith("{", pos):
        value = _value(text, pos)
        raise NotAnObject(_kind(value))
    pos = _skip(text, pos + 1)
    if text.startswith("}", pos):
        return _end(text, pos + 1)
    while True:
        if not text.startswith('"', pos):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
        key, pos = scanstring(text, pos + 1)
        pos = _skip(text, pos)
        if not text.startswith(":", pos):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
        pos = _skip(text, pos + 1)
        if key in streamed and text.startswith("[", pos):
            end = read.get(pos)
            if end is not None:
                pos = end
            else:
                pos = read_array(text, pos, key, on_element if on_array(key, pos) else _ignore)
        else:
            value, end = _raw(text, pos)
            on_member(key, value, pos)
            pos = end
        pos = _skip(text, pos)
        if text.startswith("}", pos):
            return _end(text, pos + 1)
        if not text.startswith(",", pos):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
        pos = _skip(text, pos + 1)


def read_array(text: str, pos: int, key: str, on_element: OnElement) -> int:
    """Read the array starting at `pos`, calling back for each element; returns the offset after it."""
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return pos + 1
    index = 0
    scan, after = _scan, _AFTER_ELEMENT.match
    while True:
        value, end = scan(text, pos)
        on_element(key, index, value, pos)
        index += 1
        match = after(text, end)
        if match is None:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, _skip(text, end))
        if match.group(1) == "]":
            return match.end()
        pos = match.end()


def _ignore(key: str, index: int, value: object, pos: int) -> None:
    pass


FIND_TRIES = 64
"""Places where find_member tries a key before it gives up (each costs about one member's reading)."""


def find_member(text: str, start: int, key: str) -> int | None:
    """Where the value of the top-level object's member `key` starts, when that member comes after `start`; found
    without reading what lies between (a reader can then read a later member first).

    The key's text is searched for from the end of `text`: a place counts when it follows a comma and the text
    from there reads as that member, any further members and the object's closing brace, up to the end. A key
    nested deeper (in an element of an array, say) is followed by more closing brackets and so never counts.
    None when no place counts among the last FIND_TRIES places of the key's text.
    """
    needle = json.dumps(key)
    end = len(text)
    for _ in range(FIND_TRIES):
        at = text.rfind(needle, start, end)
        if at < 0:
            return None
        end = at
        if text[max(start, at - 4096) : at].rstrip(" \t\n\r").endswith(","):  # (a member after others)
            value = _value_if_last_members(text, at)
            if value is not None:
                return value
    return None


def _value_if_last_members(text: str, pos: int) -> int | None:
    """Where the first member's value starts, if the text from `pos` reads as members ending the top-level
    object (its closing brace, then only white space); else None."""
    value_at: int | None = None
    try:
        while True:
            name, pos = scanstring(text, pos + 1)
            pos = _skip(text, pos)
            if not text.startswith(":", pos):
                return None
            pos = _skip(text, pos + 1)
            if value_at is None:
                value_at = pos
            pos = read_array(text, pos, name, _ignore) if text.startswith("[", pos) else _raw(text, pos)[1]
            pos = _skip(text, pos)
            if text.startswith("}", pos):
                _end(text, pos + 1)
                return value_at
            if not text.startswith(",", pos):
                return None
            pos = _skip(text, pos + 1)
            if not text.startswith('"', pos):
                return None
    except (ValueError, TooDeep):  # json.JSONDecodeError is a ValueError
        return None


def _scan(text: str, pos: int) -> tuple[object, int]:
    """One JSON value from `pos` (the C scanner itself, without raw_decode's checks: this runs per element)."""
    try:
        return _SCAN_ONCE(text, pos)  # type: ignore[no-any-return]
    except StopIteration as stop:
        raise json.JSONDecodeError("Expecting value", text, stop.value) from None
    except RecursionError:
        raise TooDeep(pos) from None
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(str(error), text, pos) from None


def _raw(text: str, pos: int) -> tuple[object, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        raise TooDeep(pos) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # e.g. a float literal Python cannot convert
        raise json.JSONDecodeError(str(error), text, pos) from None


def _value(text: str, pos: int) -> object:
    value, end = _raw(text, pos)
    _end(text, end)
    return value


def _end(text: str, pos: int) -> None:
    pos = _skip(text, pos)
    if pos != len(text):
        raise json.JSONDecodeError("Extra data", text, pos)


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


class Lines:
    """Line and column numbers (from 1) of offsets in a text, counted incrementally for offsets read in order."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> tuple[int, int]:
        """(line, column) of an offset."""
        if pos < self._pos:
            self._pos, self._line = 0, 1
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line, pos - self._text.rfind("\n", 0, pos)
