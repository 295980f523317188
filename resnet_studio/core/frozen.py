"""Fast construction of frozen dataclass values, for the few that hot loops make by the thousand."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """A constructor that makes the same values as `cls(...)` (same arguments, same defaults), two to three times
    faster.

    A frozen dataclass sets every field through object.__setattr__, a slow call per field (2 us for a dozen
    fields). The builder fills an unfrozen twin with the same slots, where each store is a plain one, then turns
    the object into a `cls`. `cls` must be a frozen dataclass with slots and without __post_init__.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if (
        params is None
        or not params.frozen
        or "__slots__" not in cls.__dict__
        or hasattr(cls, "__post_init__")
    ):
        raise TypeError(f"{cls.__name__} must be a frozen dataclass with slots and no __post_init__")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [f.name for f in fields]
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": tuple(names)})
    if twin.__slots__ != cls.__slots__:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__}: the twin's slots differ from the class's")
    scope: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_twin": twin, "_cls": cls}
    arguments, body = [], []
    for f in fields:
        if f.default is not dataclasses.MISSING:
            scope[f"_default_{f.name}"] = f.default
            arguments.append(f"{f.name}=_default_{f.name}")
            body.append(f"    value.{f.name} = {f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            arguments.append(f"{f.name}=_missing")
            body.append(f"    value.{f.name} = _factory_{f.name}() if {f.name} is _missing else {f.name}")
            scope["_missing"] = dataclasses.MISSING
        else:
            arguments.append(f.name)
            body.append(f"    value.{f.name} = {f.name}")
    source = "\n".join(
        [
            f"def build({', '.join(arguments)}):",
            "    value = _new(_twin)",
            *body,
            "    _set(value, '__class__', _cls)",
            "    return value",
        ]
    )
    exec(source, scope)
    build: Callable[..., T] = scope["build"]
    build.__doc__ = f"A {cls.__name__}, built without a setattr call per field."
    build.__qualname__ = f"builder({cls.__name__})"
    return build
