"""The shape of a project file (pydantic models, one per part) and its problems in words a user can act on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .project_format import FileProblem
from .quoting import lone_surrogate, quote
from .shapes import DTYPE_NAMES

MAX_NAME = 200
"""Characters of an id, a name, a type or a port name."""
MAX_DESCRIPTION = 100_000
"""Characters of a project's description."""
MAX_EXPANSION_DEPTH = 8
"""Blocks a node may have been exploded from, one inside the other."""


# pydantic itself refuses texts holding lone surrogates ('string_unicode', reworded below).
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class NodeModel(_Strict):
    """One node as stored: its parameters are checked against the block's declaration afterwards."""

    id: Name
    type: Annotated[str, Field(min_length=1, max_length=100)]
    name: Name
    params: dict[Annotated[str, Field(max_length=MAX_NAME)], Any] = Field(default_factory=dict)
    position: list[float] = Field(default_factory=lambda: [0.0, 0.0], min_length=2, max_length=2)
    expanded_from: NodeModel | None = None


class EdgeModel(_Strict):
    """One connection as stored."""

    src: Name
    src_port: Name
    dst: Name
    dst_port: Name


class SettingsModel(_Strict):
    """The run settings as stored (their ranges are checked by RunSettings)."""

    input_shape: list[int] | None = Field(default=None, min_length=3, max_length=3)
    batch_size: int = 1
    dtype: str = "float32"

    @field_validator("dtype")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in DTYPE_NAMES:
            raise ValueError(f"expected one of {', '.join(DTYPE_NAMES)}")
        return value


class HeaderModel(_Strict):
    """Everything in a project file but its nodes and edges (which are read one at a time)."""

    format: Literal["resnet-studio"]
    format_version: int
    name: Annotated[str, Field(max_length=MAX_NAME)] = ""
    description: Annotated[str, Field(max_length=MAX_DESCRIPTION)] = ""
    settings: SettingsModel = Field(default_factory=SettingsModel)


def expansion_depth(raw: object) -> int:
    """How many blocks deep a stored node's `expanded_from` chain goes (without recursion)."""
    depth = 0
    while isinstance(raw, dict) and isinstance(raw.get("expanded_from"), dict):
        raw = raw["expanded_from"]
        depth += 1
        if depth > MAX_EXPANSION_DEPTH:
            break
    return depth


def problems_of(error: ValidationError, prefix: str) -> list[FileProblem]:
    """pydantic's errors as file problems at `prefix` + their location, one per place."""
    problems: list[FileProblem] = []
    seen: set[str] = set()
    for item in error.errors(include_url=False):
        problem = _problem(item, prefix)
        if problem.location not in seen:  # a union reports each branch; the first says enough
            seen.add(problem.location)
            problems.append(problem)
    return problems


def _location(prefix: str, loc: tuple[int | str, ...]) -> str:
    text = prefix
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("NodeModel", "list[int]") or "[" in str(part):
            continue  # pydantic's union branch names say nothing to a user
        else:
            text += ("." if text else "") + field_name(str(part))
    return text


def field_name(name: str) -> str:
    """A field or parameter name as a location shows it: cut to a few dozen characters when a file makes it long."""
    return name if len(name) <= 40 and name.isprintable() else quote(name)


def _problem(error: Any, prefix: str) -> FileProblem:
    where = _location(prefix, tuple(error["loc"]))
    message = str(error["msg"])
    context = error.get("ctx") or {}
    kind = error.get("type")
    value = error.get("input")
    if kind == "string_too_long":
        return FileProblem(
            where, f"expected at most {context.get('max_length')} characters, found {quote(value)}"
        )
    if kind == "string_too_short":
        return FileProblem(where, "expected a text, found an empty one")
    if kind == "string_unicode" and isinstance(value, str):
        surrogate = lone_surrogate(value) or "a character that is not one"
        return FileProblem(
            where, f"contains {surrogate}, half of a character pair (a lone surrogate), not a character"
        )
    if kind in ("dict_type", "model_type"):
        return FileProblem(where, f"expected an object {{...}}, found {quote(value)}")
    if kind in ("too_long", "too_short") and "actual_length" in context:
        wanted = context.get("max_length") if kind == "too_long" else context.get("min_length")
        return FileProblem(where, f"expected {wanted} items, found {context['actual_length']}")
    if kind == "value_error":
        return FileProblem(where, message.removeprefix("Value error, "))
    if message.startswith("Input should be "):
        message = "expected " + message[len("Input should be ") :]
    elif message == "Field required":
        message = "missing"
    elif message.startswith("Extra inputs are not permitted"):
        message = "unknown field"
    if kind != "missing":
        message += f", found {quote(value)}"
    return FileProblem(where, message)
