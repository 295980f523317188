"""Typed block parameters: their declarations, validation and an immutable mapping of values."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import ParameterError
from .quoting import quote

ParamValue = int | float | bool | str
ParamKind = Literal["int", "float", "bool", "choice"]


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of a block type: its type, default, valid range and a one-line explanation."""

    name: str
    label: str
    kind: ParamKind
    default: ParamValue
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    only_when: tuple[str, ParamValue] | None = None
    """(another parameter, a value): this one matters only while that one has the value (an editor is then
    disabled otherwise); None when it always does."""

    def applies(self, params: Mapping[str, ParamValue]) -> bool:
        """Whether the value matters with these parameters (see only_when)."""
        return self.only_when is None or params.get(self.only_when[0]) == self.only_when[1]

    def describe_range(self) -> str:
        """The valid values in words, e.g. 'an integer from 1 to 8'."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        noun = "an integer" if self.kind == "int" else "a number"
        lo, hi = self.minimum, self.maximum
        fmt = _fmt_number
        if lo is not None and hi is not None:
            return f"{noun} from {fmt(lo)} to {fmt(hi)}"
        if lo is not None:
            return f"{noun} of at least {fmt(lo)}"
        if hi is not None:
            return f"{noun} of at most {fmt(hi)}"
        return noun

    def validate(self, value: object) -> ParamValue:
        """Return the value in its canonical type, or raise ParameterError saying what was expected."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise self._error(value)
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise self._error(value)
        if isinstance(value, bool):
            raise self._error(value)
        if self.kind == "int":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int):
                raise self._error(value)
            number: float = value
        else:
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise self._error(value)
            value = float(value)
            number = value
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise self._error(value)
        return value

    def _error(self, value: object) -> ParameterError:
        return ParameterError(f"{self.label}: expected {self.describe_range()}, found {quote(value)}")


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class Params(Mapping[str, ParamValue]):
    """An immutable, hashable mapping of parameter values (so analysis results can be cached by it)."""

    __slots__ = ("_hash", "_items", "_map", "by_name", "memo_key")

    memo_key: frozenset[tuple[str, ParamValue]]
    """Equal for equal parameters, and hashed in C once (a frozenset keeps its hash): what memo keys hold instead
    of the Params itself, whose hash is a Python call."""
    by_name: Mapping[str, ParamValue]
    """The values by name, read-only (never change it): lookups in C, so rules read several at once with an
    itemgetter."""

    def __init__(self, values: Mapping[str, ParamValue] | None = None) -> None:
        items = tuple(sorted((values or {}).items()))
        self._items = items
        self._map = dict(items)
        self.by_name = self._map
        self.memo_key = key = frozenset(items)
        self._hash = hash(key)

    @classmethod
    def of_sorted(cls, items: tuple[tuple[str, ParamValue], ...]) -> Params:
        """Params from (name, value) pairs already sorted by name, without sorting them again (for the plans of
        composite blocks, which make many)."""
        params = cls.__new__(cls)
        params._items = items
        params._map = dict(items)
        params.by_name = params._map
        params.memo_key = key = frozenset(items)
        params._hash = hash(key)
        return params

    def __getitem__(self, key: str) -> ParamValue:
        return self._map[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Params):
            return self._hash == other._hash and self._items == other._items
        if isinstance(other, Mapping):
            return self._map == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Params({self._map!r})"

    def replace(self, **changes: ParamValue) -> Params:
        """A copy with some values changed."""
        merged = dict(self._map)
        merged.update(changes)
        return Params(merged)

    def as_int(self, key: str) -> int:
        """The value of an integer parameter."""
        value = self._map[key]
        assert isinstance(value, int)
        return value

    def as_float(self, key: str) -> float:
        """The value of a float parameter."""
        value = self._map[key]
        assert isinstance(value, (int, float))
        return float(value)

    def as_bool(self, key: str) -> bool:
        """The value of a boolean parameter."""
        return bool(self._map[key])

    def as_str(self, key: str) -> str:
        """The value of a choice parameter."""
        return str(self._map[key])


_SHARED: dict[Params, Params] = {}
_SHARED_LIMIT = 20_000


def shared(params: Params) -> Params:
    """The one Params object kept for parameters equal to these (this one, the first time).

    The analysis memo is keyed by parameters; the many equal blocks of a deep network (35 alike in ResNet-152's
    layer3) then find their key by identity instead of comparing every value in Python.
    """
    found = _SHARED.get(params)
    if found is None:
        if len(_SHARED) >= _SHARED_LIMIT:
            _SHARED.clear()
        _SHARED[params] = found = params
    return found
