"""Reading lesson files: plain JSON, checked against the schema and the action vocabulary when loaded.

A lesson file:

    {
      "title": "The residual formulation",
      "summary": "What a residual block computes, and why that is easy to learn.",
      "order": 1,
      "steps": [
        {
          "title": "A residual block",
          "text": ["A paragraph for students, with **bold**, $H(x) = F(x) + x$ and {params:layer1.0}."],
          "formula": "H(x) = F(x) + x",
          "action": {"do": "open_preset", "preset": "resnet18"}
        }
      ]
    }

Anything wrong gives one LessonError naming the lesson, the step (counted from 1) and the field.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..catalogue import all_specs
from ..errors import ParameterError
from ..presets import PRESETS
from ..resources import resource
from .figures import FigureError, check_syntax, placeholders
from .markup import MarkupError, formula_html, paragraph_html
from .model import Action, Lesson, LessonError, Step
from .vocabulary import ACTIONS, LARGEST_COUNT, PANELS, ArgKind

MAX_BYTES = 1024 * 1024
"""A lesson file is a few kilobytes; anything over a mebibyte is not one."""
MAX_STEPS = 200
_TOP = {"title", "summary", "order", "steps"}
_STEP = {"title", "text", "formula", "action"}


def parse_lesson(data: bytes | str, name: str) -> Lesson:
    """A lesson from the text of its file; `name` (the file's name) is what messages call it."""
    lesson_id = Path(name).stem
    try:
        raw = json.loads(data)
    except json.JSONDecodeError as error:
        raise LessonError(
            name, f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except UnicodeDecodeError:
        raise LessonError(name, "not a text file (lesson files are UTF-8 JSON)") from None
    if not isinstance(raw, dict):
        raise LessonError(name, f"expected a JSON object with a title and steps, found {_kind(raw)}")
    _no_unknown(name, raw, _TOP, None, "")
    title = _text(name, raw, "title", None)
    summary = _text(name, raw, "summary", None)
    order = raw.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        raise LessonError(name, f"expected a whole number, found {_kind(order)}", field_name="order")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise LessonError(
            name, f"expected a list of at least one step, found {_kind(steps_raw)}", field_name="steps"
        )
    if len(steps_raw) > MAX_STEPS:
        raise LessonError(name, f"at most {MAX_STEPS} steps, found {len(steps_raw)}", field_name="steps")
    steps = tuple(_step(name, i, s) for i, s in enumerate(steps_raw, start=1))
    return Lesson(lesson_id, title, summary, steps, order, name)


def load_lesson_file(path: str | Path) -> Lesson:
    """A lesson from a file (a teacher's own); raises LessonError with one clear message."""
    path = Path(path)
    try:
        if not path.is_file():
            raise LessonError(
                path.name, "there is no such file" if not path.exists() else "not a regular file"
            )
        if path.stat().st_size > MAX_BYTES:
            raise LessonError(
                path.name, f"the file is larger than {MAX_BYTES // 1024} KiB; it is not a lesson"
            )
        data = path.read_bytes()
    except OSError as error:
        raise LessonError(path.name, f"cannot be read: {error.strerror or error}") from None
    return parse_lesson(data, path.name)


@cache
def shipped_lessons() -> tuple[Lesson, ...]:
    """The lessons that come with the app (resources/lessons), in teaching order."""
    folder = resource("lessons")
    if not folder.is_dir():
        return ()
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    lessons = [parse_lesson(f.read_bytes(), f.name) for f in files]
    return tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.id)))


# --- parts ----------------------------------------------------------------------------------------------------


def _step(name: str, number: int, raw: object) -> Step:
    if not isinstance(raw, dict):
        raise LessonError(
            name, f"expected an object with a title, text and action, found {_kind(raw)}", number
        )
    _no_unknown(name, raw, _STEP, number, "")
    title = _text(name, raw, "title", number)
    text_raw = raw.get("text")
    paragraphs = [text_raw] if isinstance(text_raw, str) else text_raw
    if (
        not isinstance(paragraphs, list)
        or not paragraphs
        or not all(isinstance(p, str) and p.strip() for p in paragraphs)
    ):
        raise LessonError(
            name, "expected a paragraph or a list of paragraphs (non-empty text)", number, "text"
        )
    for i, paragraph in enumerate(paragraphs):
        where = "text" if len(paragraphs) == 1 else f"text[{i + 1}]"
        _check_paragraph(name, number, where, paragraph)
    formula = raw.get("formula", "")
    if not isinstance(formula, str):
        raise LessonError(name, f"expected a formula as text, found {_kind(formula)}", number, "formula")
    try:
        formula_html(formula)
    except MarkupError as error:
        raise LessonError(name, str(error), number, "formula") from None
    if placeholders(formula):
        raise LessonError(
            name, "a formula holds symbols, not figures: put {...} in the text", number, "formula"
        )
    return Step(title, tuple(paragraphs), _action(name, number, raw.get("action")), formula)


def _check_paragraph(name: str, number: int, where: str, paragraph: str) -> None:
    try:
        check_syntax(paragraph)
        paragraph_html(paragraph)
    except (FigureError, MarkupError) as error:
        raise LessonError(name, str(error), number, where) from None
    for i, part in enumerate(paragraph.split("$")):
        if i % 2 and placeholders(part):
            raise LessonError(
                name, "a {figure} inside a $formula$: put it in the text around it", number, where
            )


def _action(name: str, number: int, raw: object) -> Action:
    if not isinstance(raw, dict):
        raise LessonError(
            name,
            f'expected an object like {{"do": "open_preset", ...}}, found {_kind(raw)}',
            number,
            "action",
        )
    do = raw.get("do")
    spec = ACTIONS.get(do) if isinstance(do, str) else None
    if spec is None:
        known = ", ".join(ACTIONS)
        raise LessonError(name, f"unknown action {do!r}; the actions are {known}", number, "action.do")
    given = {k: v for k, v in raw.items() if k != "do"}
    allowed = {a.name for a in spec.args}
    for key in given:
        if key not in allowed:
            takes = ", ".join(sorted(allowed)) if allowed else "no arguments"
            raise LessonError(name, f"{spec.name} takes {takes}, not {key!r}", number, f"action.{key}")
    for arg in spec.args:
        field = f"action.{arg.name}"
        if arg.name not in given:
            if arg.required:
                raise LessonError(name, f"{spec.name} needs {arg.name!r} ({arg.kind.value})", number, field)
            continue
        problem = _check_arg(arg.kind, given[arg.name], given)
        if problem:
            raise LessonError(name, problem, number, field)
    return Action(spec.name, given)


def _check_arg(kind: ArgKind, value: Any, given: dict[str, Any]) -> str:
    """'' when the value suits its kind, else what is wrong."""
    if kind in (ArgKind.PRESET_LIST, ArgKind.COUNT, ArgKind.VALUE):
        return _check_other_kinds(kind, value, given)
    if not isinstance(value, str) or not value.strip():
        return f"expected a {kind.value} as text, found {_kind(value)}"
    if kind is ArgKind.PRESET:
        return "" if value in PRESETS else f"there is no preset {value!r} (see `resnet-studio presets`)"
    if kind is ArgKind.OTHER:
        return (
            ""
            if value == "plain" or value in PRESETS
            else f"expected 'plain' or a preset's name, found {value!r}"
        )
    if kind is ArgKind.EXAMPLE:
        return "" if resource("examples", f"{value}.json").is_file() else f"there is no example {value!r}"
    if kind is ArgKind.PANEL:
        return "" if value in PANELS else f"unknown panel {value!r}; the panels are {', '.join(PANELS)}"
    if kind is ArgKind.PARAM:
        declared = {p.name for spec in all_specs() for p in spec.params}
        return "" if value in declared else f"no block has a parameter {value!r}"
    return ""


def _check_other_kinds(kind: ArgKind, value: Any, given: dict[str, Any]) -> str:
    if kind is ArgKind.COUNT:
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= LARGEST_COUNT
        return "" if ok else f"expected a whole number from 1 to {LARGEST_COUNT}, found {value!r}"
    if kind is ArgKind.PRESET_LIST:
        if not isinstance(value, list) or not 2 <= len(value) <= 4:
            return f"expected a list of two to four preset names, found {_kind(value)}"
        missing = [v for v in value if not isinstance(v, str) or v not in PRESETS]
        return f"there is no preset {missing[0]!r}" if missing else ""
    param = given.get("param")
    specs = [p for spec in all_specs() for p in spec.params if p.name == param]
    if not specs:
        return ""  # the parameter itself is reported
    errors = []
    for declared in specs:
        try:
            declared.validate(value)
            return ""
        except ParameterError as error:
            errors.append(str(error))
    return errors[0]


def _text(name: str, raw: dict[str, Any], key: str, step: int | None) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LessonError(name, f"expected non-empty text, found {_kind(value)}", step, key)
    if "$" in value or "{" in value:
        raise LessonError(name, "titles and summaries are plain text (no $formulas$ or {figures})", step, key)
    return value.strip()


def _no_unknown(name: str, raw: dict[str, Any], allowed: set[str], step: int | None, prefix: str) -> None:
    for key in raw:
        if key not in allowed:
            raise LessonError(
                name, f"unknown field (expected {', '.join(sorted(allowed))})", step, prefix + str(key)
            )


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "an object"


__all__ = ["MAX_BYTES", "load_lesson_file", "parse_lesson", "shipped_lessons"]
