"""Short quotes of values a user (or a file) gave, for messages: never longer than a line, whatever the value."""

from __future__ import annotations

QUOTE_LIMIT = 40
"""Characters of a text quoted before it is cut."""


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as a message shows it: texts cut to `limit` characters, huge numbers by their length, containers by kind.

    Never fails and never recurses, so a 50 MB text, a 5,000-digit integer or a list nested 900 deep quote in a few
    dozen characters.
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return ascii_safe(repr(value))
        return ascii_safe(repr(value[:limit])[:-1]) + f"...' ({len(value):,} characters)"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if -(10**18) < value < 10**18:
            return repr(value)
        return f"a {_digits(value):,}-digit number"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return _count("an object of", len(value), "field") if value else "an empty object"
    if isinstance(value, (list, tuple)):
        return _count("a list of", len(value), "item") if value else "an empty list"
    text = repr(value) if type(value).__repr__ is not object.__repr__ else type(value).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def one_line(text: str) -> str:
    """`text` with line breaks, tabs and other unprintable characters written as escapes ('\\n', '\\u2028')."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def ascii_safe(text: str) -> str:
    """`text` with lone surrogates written as escapes, so it can be printed and encoded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate in `text` as an escape ('\\ud800'), or None when the text is all characters."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"\\u{ord(text[error.start]):04x}"
    return None


def _count(prefix: str, n: int, noun: str) -> str:
    return f"{prefix} {n:,} {noun}{'' if n == 1 else 's'}"


def _digits(value: int) -> int:
    # str() of a huge int is refused (and slow); the bit length gives the digit count to within one.
    bits = abs(value).bit_length()
    estimate = int(bits * 0.30102999566398120) + 1
    return estimate if abs(value) >= 10 ** (estimate - 1) else estimate - 1
