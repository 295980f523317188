"""Lessons as values: a lesson is a titled sequence of steps; each step has text for students and one action."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .vocabulary import ACTIONS, ActionSpec


class LessonError(ValueError):
    """A lesson file that cannot be used: one message naming the lesson, the step and the field."""

    def __init__(self, lesson: str, message: str, step: int | None = None, field_name: str | None = None):
        where = f"lesson {lesson!r}"
        if step is not None:
            where += f", step {step}"
        if field_name:
            where += f", field {field_name!r}"
        super().__init__(f"{where}: {message}")
        self.lesson, self.step, self.field, self.reason = lesson, step, field_name, message


@dataclass(frozen=True)
class Action:
    """What the app does when a step opens: an action of the vocabulary and its arguments (checked)."""

    name: str
    args: Mapping[str, object] = field(default_factory=dict)

    @property
    def spec(self) -> ActionSpec:
        """The action's declaration."""
        return ACTIONS[self.name]

    def value(self, arg: str) -> object:
        """An argument's value, or its declared default."""
        if arg in self.args:
            return self.args[arg]
        declared = self.spec.arg(arg)
        return declared.default if declared is not None else None

    def text(self, arg: str) -> str:
        """A text argument."""
        return str(self.value(arg))

    def describe(self) -> str:
        """The action in words, for the panel: 'load a preset network (resnet18)'."""
        shown = ", ".join(
            str(v) if not isinstance(v, list) else " vs ".join(map(str, v)) for v in self.args.values()
        )
        return f"{self.spec.title} ({shown})" if shown else self.spec.title


@dataclass(frozen=True)
class Step:
    """One step: a title, a few paragraphs (lesson markup with placeholders), an optional formula, one action."""

    title: str
    text: tuple[str, ...]
    action: Action
    formula: str = ""


@dataclass(frozen=True)
class Lesson:
    """A lesson: its id (the file's stem), title, a one-line summary and its steps."""

    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    order: int = 0
    """Where the Lessons menu lists it (shipped lessons; 0 for a teacher's own file)."""
    source: str = ""
    """Where it came from (a file name), for messages."""

    def __len__(self) -> int:
        return len(self.steps)

    def replay(self, index: int) -> tuple[Action, ...]:
        """What puts the app in step `index`'s state (0-based): the setup actions since the last network load
        before it, then the step's own action (Back and Reset step perform these)."""
        own = self.steps[index].action
        if own.spec.loads:
            return (own,)
        before: list[Action] = []
        for step in reversed(self.steps[:index]):
            if step.action.spec.setup:
                before.append(step.action)
                if step.action.spec.loads:
                    break
        return (*reversed(before), own)

    def network_at(self, index: int) -> tuple[str, str] | None:
        """(action name, preset or example) of the last network load at or before step `index`, if any."""
        for step in reversed(self.steps[: index + 1]):
            if step.action.spec.loads:
                arg = step.action.spec.args[0].name
                return step.action.name, step.action.text(arg)
        return None


__all__ = ["Action", "Lesson", "LessonError", "Step"]
