"""Performing a lesson step's action in the app: each action of the core's vocabulary maps to one method here,
which uses the window's own parts (the document and its undo stack, the canvas, the docks by key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget

from ...core.errors import GraphError
from ...core.lessons import PANELS, Action
from ...core.lessons.commands import StepError, find_node, step_command
from .host import LessonHost

if TYPE_CHECKING:
    from ..panels.gradients import GradientsPanel
    from ..panels.race import RacePanel

NOT_STARTED = "It did not start: the {title} panel says why. Press {button} there once that is dealt with."
MISSING = "This step opens the {title} panel, which shows {shows}. That panel is not part of this version of the app."


class StepRunner(QObject):
    """Carries out actions on one window. Each returns a note for the panel ('' for none) or raises StepError."""

    def __init__(self, window: LessonHost, show_code: Callable[[str], None]) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self._code_view = show_code
        self.owned = False
        """True while the document is one a lesson loaded (replacing it then asks nothing)."""
        self._loading = False
        window.document.reloaded.connect(self._reloaded)

    def perform(self, action: Action) -> str:
        """Do one action; a note for the panel ('' when there is nothing to say)."""
        method: Callable[[Action], str] = getattr(self, f"_{action.name}")
        return method(action)

    # --- the network ------------------------------------------------------------------------------------------

    def _load(self, open_it: Callable[[], bool], what: str) -> str:
        if self.owned:
            self.window.document.undo_stack.setClean()  # the lesson's own network: nothing to save
        self._loading = True
        try:
            loaded = open_it()
        finally:
            self._loading = False
        if not loaded:
            raise StepError(f"{what} was not loaded (your unsaved work was kept); Reset step tries again")
        self.owned = True
        return ""

    def _open_preset(self, action: Action) -> str:
        name = action.text("preset")
        return self._load(lambda: self.window.files.open_preset(name), f"The preset {name}")

    def _open_example(self, action: Action) -> str:
        name = action.text("example")
        return self._load(lambda: self.window.files.open_example(name), f"The example {name}")

    def _reloaded(self) -> None:
        if not self._loading:
            self.owned = False  # the user opened something of their own

    def _set_param(self, action: Action) -> str:
        return self._edit(action)

    def _apply_fix(self, action: Action) -> str:
        return self._edit(action)

    def _edit(self, action: Action) -> str:
        document = self.window.document
        command = step_command(document.graph, document.analysis, action)
        if command is not None:
            try:
                document.push(command)
            except GraphError as error:
                raise StepError(str(error)) from None
        if action.value("node") not in (None, "*"):
            self._frame(find_node(document.graph, action.text("node")).id)
        return ""

    # --- the canvas -------------------------------------------------------------------------------------------

    def _fit(self, _action: Action) -> str:
        self.window.canvas.fit_all()
        return ""

    def _select(self, action: Action) -> str:
        self._frame(find_node(self.window.document.graph, action.text("node")).id)
        return ""

    def _expand(self, action: Action) -> str:
        node = find_node(self.window.document.graph, action.text("node"))
        self.window.canvas.set_expanded(node.id, True)
        self._frame(node.id)
        return ""

    def _frame(self, node_id: str) -> None:
        """Select a node and bring it (with its layers, when expanded) to the middle of the view."""
        view = self.window.canvas
        self.window.document.set_selection((node_id,))
        view.centre_on_node(node_id)
        card = view.canvas.nodes.get(node_id)
        plan = view.canvas.plans.get(node_id)
        if card is not None and plan is not None:
            view.centerOn(card.sceneBoundingRect().united(plan.sceneBoundingRect()).center())

    def _show_code(self, action: Action) -> str:
        node = find_node(self.window.document.graph, action.text("node"))
        self._frame(node.id)
        self._code_view(node.id)
        return ""

    # --- panels -----------------------------------------------------------------------------------------------

    def dock(self, key: str) -> QDockWidget | None:
        """The dock of a panel by its key, or None when this app has no such panel."""
        w = self.window
        own = {
            "palette": w.palette_dock,
            "inspector": w.inspector_dock,
            "problems": w.problems_dock,
            "summary": w.summary_dock,
            "compare": w.compare_dock,
        }
        return own.get(key) or w.run_ui.results.docks.get(key)

    def _raise(self, key: str) -> str:
        dock = self.dock(key)
        if dock is None:
            panel = PANELS[key]
            return MISSING.format(title=panel.title, shows=panel.shows)
        dock.show()
        dock.raise_()
        return ""

    def _open_panel(self, action: Action) -> str:
        return self._raise(action.text("panel"))

    def _run_forward(self, _action: Action) -> str:
        if not self.window.run_ui.run():
            reason = self.window.run_ui.controller.blocked_reason
            raise StepError(
                f"the network cannot run now: {reason}" if reason else "a run is already on its way"
            )
        return self._raise("activations")

    def _compare(self, action: Action) -> str:
        self.window.compare_panel.compare_with_preset(action.text("preset"))
        return self._raise("compare")

    def _gradient_flow(self, action: Action) -> str:
        note = self._raise("gradients")
        panel = cast("GradientsPanel", self.window.run_ui.results.panel("gradients"))
        if not panel.compare_with(action.text("other")):
            return note or NOT_STARTED.format(title="Gradients", button="Compare Gradients")
        return note

    def _landscape(self, action: Action) -> str:
        return self._raise(action.spec.panel or "landscape")

    def _race(self, action: Action) -> str:
        note = self._raise("race")
        panel = cast("RacePanel", self.window.run_ui.results.panel("race"))
        networks = [str(name) for name in cast("list[object]", action.value("networks"))]
        steps = action.value("steps")
        if not panel.race(networks, int(steps) if isinstance(steps, int) else None):
            return note or NOT_STARTED.format(title="Race", button="Start")
        return note
