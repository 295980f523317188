"""The closed vocabulary of lesson actions: what a step may ask the app to do, and the panels it may open.

Every action is declared here once, with its arguments and their kinds; a lesson file naming anything else is
refused when it is loaded. The app maps each action to one method; the core never knows how it is carried out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ArgKind(str, Enum):
    """What an action argument holds, and so how it is checked."""

    PRESET = "preset"
    """A preset network's name ('resnet50', 'resnet56_plain')."""
    EXAMPLE = "example"
    """A shipped example project's file stem ('custom_skip')."""
    NODE = "node"
    """A node's name in the network ('layer2.0')."""
    NODES = "nodes"
    """A node's name, or '*' for every node that has the parameter."""
    PARAM = "param"
    """A block parameter's name ('shortcut', 'skip', 'norm', 'stride')."""
    VALUE = "value"
    """A parameter value, checked against the parameter's declaration."""
    PANEL = "panel"
    """A panel's key (see PANELS)."""
    OTHER = "other"
    """'plain' (the network's plain twin) or a preset's name."""
    PRESET_LIST = "preset list"
    """Two to four preset names."""
    COUNT = "count"
    """A positive whole number."""


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of an action."""

    name: str
    kind: ArgKind
    required: bool = True
    default: object = None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action a step can perform when it opens."""

    name: str
    title: str
    """What it does, in words: 'load a preset network'."""
    args: tuple[Arg, ...] = ()
    setup: bool = False
    """True for actions that put the network or the canvas in a state (loading, editing, selecting): Back and
    Reset step replay them. The others show something (a panel, a run) and happen once, when their step opens."""
    loads: bool = False
    """True when the action replaces the whole network (the start of a replay)."""
    edits: bool = False
    """True when the action changes the network (one undoable command: see lessons.commands)."""
    panel: str | None = None
    """The key of the panel the action shows its result in, if any."""

    def arg(self, name: str) -> Arg | None:
        """The declaration of one argument, or None."""
        return next((a for a in self.args if a.name == name), None)


@dataclass(frozen=True, slots=True)
class PanelInfo:
    """A panel a lesson may open: its title and what it shows (said in the lesson when the panel is missing)."""

    key: str
    title: str
    shows: str


PANELS: dict[str, PanelInfo] = {
    p.key: p
    for p in (
        PanelInfo("palette", "Palette", "the blocks and presets to build with"),
        PanelInfo("inspector", "Inspector", "the selected block's parameters, shapes and costs"),
        PanelInfo("problems", "Problems", "every error and warning, each with its fix"),
        PanelInfo("summary", "Summary", "one row per block: output shape, parameters, MACs and memory"),
        PanelInfo("activations", "Activations", "the feature maps a forward pass produced"),
        PanelInfo("depth", "Depth", "how activation statistics change with depth"),
        PanelInfo("timing", "Timing", "the time each block took"),
        PanelInfo("output", "Output", "the class scores"),
        PanelInfo("compare", "Compare", "two networks' totals and stages side by side"),
        PanelInfo(
            "gradients",
            "Gradients",
            "per-layer gradient norms after one backward pass, the network beside its plain twin on a "
            "log axis",
        ),
        PanelInfo(
            "landscape",
            "Landscape",
            "the loss surface around the weights along two random directions, the network beside its "
            "plain twin on one colour scale, with a map of where the surface is not convex",
        ),
        PanelInfo(
            "race",
            "Race",
            "training loss and accuracy of several networks trained side by side on the same batches",
        ),
    )
}
"""Every panel a lesson may open, by key (the result docks use the same keys)."""


ACTIONS: dict[str, ActionSpec] = {
    a.name: a
    for a in (
        ActionSpec(
            "open_preset", "load a preset network", (Arg("preset", ArgKind.PRESET),), setup=True, loads=True
        ),
        ActionSpec(
            "open_example",
            "open an example project",
            (Arg("example", ArgKind.EXAMPLE),),
            setup=True,
            loads=True,
        ),
        ActionSpec("fit", "show the whole network", setup=True),
        ActionSpec("select", "select a block and frame it", (Arg("node", ArgKind.NODE),), setup=True),
        ActionSpec(
            "expand", "show a block's layers beside its card", (Arg("node", ArgKind.NODE),), setup=True
        ),
        ActionSpec(
            "set_param",
            "set a parameter (one undoable edit)",
            (Arg("node", ArgKind.NODES), Arg("param", ArgKind.PARAM), Arg("value", ArgKind.VALUE)),
            setup=True,
            edits=True,
        ),
        ActionSpec(
            "apply_fix",
            "apply the suggested fix of a block's problem",
            (Arg("node", ArgKind.NODE),),
            setup=True,
            edits=True,
        ),
        ActionSpec("open_panel", "open a panel", (Arg("panel", ArgKind.PANEL),)),
        ActionSpec("run_forward", "run the network forward", panel="activations"),
        ActionSpec(
            "show_code", "show a block's PyTorch code beside the canvas", (Arg("node", ArgKind.NODE),)
        ),
        ActionSpec(
            "compare", "compare the network with a preset", (Arg("preset", ArgKind.PRESET),), panel="compare"
        ),
        ActionSpec(
            "gradient_flow",
            "compare gradient flow",
            (Arg("other", ArgKind.OTHER, required=False, default="plain"),),
            panel="gradients",
        ),
        ActionSpec(
            "landscape",
            "compute loss landscapes",
            (Arg("other", ArgKind.OTHER, required=False, default="plain"), Arg("grid", ArgKind.COUNT, False)),
            panel="landscape",
        ),
        ActionSpec(
            "race",
            "train networks side by side",
            (Arg("networks", ArgKind.PRESET_LIST), Arg("steps", ArgKind.COUNT, False)),
            panel="race",
        ),
    )
}
"""Every action a lesson step may perform, by name."""

LARGEST_COUNT = 100_000
"""The largest grid size or step count a lesson may ask for."""

__all__ = ["ACTIONS", "LARGEST_COUNT", "PANELS", "ActionSpec", "Arg", "ArgKind", "PanelInfo"]
