"""Lessons: guided teaching demos as data (resources/lessons), checked when loaded, with figures filled from the
live analysis. Pure Python: the app performs the actions, the core only declares and checks them."""

from .figures import FigureContext, FigureError
from .loading import load_lesson_file, parse_lesson, shipped_lessons
from .markup import MarkupError, formula_html, paragraph_html
from .model import Action, Lesson, LessonError, Step
from .vocabulary import ACTIONS, PANELS, ActionSpec, ArgKind, PanelInfo

__all__ = [
    "ACTIONS",
    "PANELS",
    "Action",
    "ActionSpec",
    "ArgKind",
    "FigureContext",
    "FigureError",
    "Lesson",
    "LessonError",
    "MarkupError",
    "PanelInfo",
    "Step",
    "formula_html",
    "load_lesson_file",
    "paragraph_html",
    "parse_lesson",
    "shipped_lessons",
]
