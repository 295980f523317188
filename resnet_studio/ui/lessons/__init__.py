"""Lessons in the app: the Lessons menu, the lesson panel, the code view and the welcome page."""

from .controller import LessonsUi

__all__ = ["LessonsUi"]
