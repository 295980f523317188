"""Every menu and toolbar command of the main window as a QAction, with the app's global keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey
STANDARD = "standard_shortcuts"
"""Property set on actions whose keys come from the platform (which may bind more keys than it says)."""


def standard_keys(key: Key) -> list[QKeySequence]:
    """The platform's keys for a standard command (X11 also binds Ctrl+D to Delete, for instance)."""
    return QKeySequence.keyBindings(key)


def _action(
    parent: QWidget,
    text: str,
    shortcut: Key | str | list[str] | None = None,
    tip: str = "",
    checkable: bool = False,
) -> QAction:
    action = QAction(text, parent)
    if isinstance(shortcut, list):
        action.setShortcuts([QKeySequence(s) for s in shortcut])
    elif isinstance(shortcut, Key):
        action.setShortcuts(standard_keys(shortcut))
        action.setProperty(STANDARD, True)
    elif shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.setCheckable(checkable)
    return action


def _show_keys_in_tooltip(action: QAction) -> None:
    tip = action.statusTip()
    if tip:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)


def drop_clashes(actions: list[QAction]) -> None:
    """Keep every key on one action only: a key an action names itself wins over a platform binding of
    another (two actions on one key make Qt refuse both as an "ambiguous shortcut")."""
    named: dict[str, QAction] = {}
    for action in actions:
        if not action.property(STANDARD):
            for key in action.shortcuts():
                named.setdefault(key.toString(), action)
    taken: set[str] = set(named)
    for action in actions:
        if not action.property(STANDARD):
            continue
        kept = []
        for key in action.shortcuts():
            text = key.toString()
            if text not in taken:
                kept.append(key)
                taken.add(text)
        action.setShortcuts(kept)


class WindowActions:
    """The QActions of one main window (created here; connected by the window)."""

    def __init__(self, parent: QWidget, undo_stack: QUndoStack) -> None:
        a = _action
        # File
        self.new = a(parent, "&New", Key.New, "Start an empty network")
        self.open = a(parent, "&Open...", Key.Open, "Open a project file")
        self.save = a(parent, "&Save", Key.Save, "Save the project")
        self.save_as = a(parent, "Save &As...", Key.SaveAs, "Save the project under a new name")
        self.export_png = a(parent, "Canvas as &PNG...", None, "Export the canvas as a PNG image")
        self.export_svg = a(parent, "Canvas as &SVG...", None, "Export the canvas as an SVG drawing")
        self.export_csv = a(parent, "Summary as &CSV...", None, "Export the per-layer summary as CSV")
        self.export_markdown = a(
            parent, "Summary as &Markdown...", None, "Export the per-layer summary as Markdown"
        )
        self.quit = a(parent, "&Quit", Key.Quit, "Close ResNet Studio")
        if self.quit.shortcut().isEmpty():
            self.quit.setShortcut(QKeySequence("Ctrl+Q"))
        # Edit
        self.undo = undo_stack.createUndoAction(parent, "&Undo")
        self.undo.setShortcuts(standard_keys(Key.Undo))
        self.undo.setProperty(STANDARD, True)
        self.redo = undo_stack.createRedoAction(parent, "&Redo")
        self.redo.setShortcuts(standard_keys(Key.Redo))
        self.redo.setProperty(STANDARD, True)
        self.cut = a(parent, "Cu&t", Key.Cut, "Cut the selected blocks")
        self.copy = a(parent, "&Copy", Key.Copy, "Copy the selected blocks")
        self.paste = a(parent, "&Paste", Key.Paste, "Paste blocks")
        self.duplicate = a(parent, "D&uplicate", "Ctrl+D", "Duplicate the selected blocks")
        self.delete = a(parent, "&Delete", "Del", "Delete the selected blocks")
        self.delete_reconnect = a(
            parent,
            "Delete and &Reconnect",
            "Ctrl+Del",
            "Delete the selected blocks and join what fed them to what they fed",
        )
        self.select_all = a(parent, "Select &All", Key.SelectAll, "Select every block")
        self.find_block = a(parent, "&Find Block...", Key.Find, "Search the palette")
        self.explode = a(parent, "&Explode into Layers", "Ctrl+E", "Replace the selected block by its layers")
        self.collapse = a(
            parent, "&Collapse Layers", "Ctrl+Shift+E", "Put exploded layers back into their block"
        )
        self.auto_layout = a(parent, "Auto &Layout", "Ctrl+L", "Lay the network out from top to bottom")
        # View
        self.fit = a(parent, "&Fit to View", "F", "Show the whole network")
        self.reset_zoom = a(parent, "&Reset Zoom", "Home", "Zoom to 100%")
        # "+" is Shift+= on many keyboards: binding both would make that key ambiguous; "=" zooms too
        self.zoom_in = a(parent, "Zoom &In", ["+", "="], "Zoom the canvas in")
        self.zoom_out = a(parent, "Zoom &Out", "-", "Zoom the canvas out")
        self.edge_labels = a(
            parent, "Shape &Labels on Edges", None, "Show the tensor shape on every connection", True
        )
        self.snap = a(parent, "&Snap to Grid", None, "Align moved blocks to the grid", True)
        self.presentation = a(
            parent, "&Presentation Mode", "F5", "Larger text and thicker lines for projectors", True
        )
        self.larger_ui = a(parent, "&Larger Text", ["Ctrl+=", "Ctrl++"], "Scale the whole interface up")
        self.smaller_ui = a(parent, "S&maller Text", "Ctrl+-", "Scale the whole interface down")
        self.reset_ui = a(
            parent, "&Normal Text Size", "Ctrl+0", "Scale the interface back to the system size"
        )
        self.theme_group = QActionGroup(parent)
        self.theme_system = a(parent, "Follow the &System", None, "Light or dark as the desktop is", True)
        self.theme_light = a(parent, "&Light", None, "Light colours", True)
        self.theme_dark = a(parent, "&Dark", None, "Dark colours", True)
        for action in (self.theme_system, self.theme_light, self.theme_dark):
            self.theme_group.addAction(action)
        self.reset_layout = a(parent, "Reset Panel &Layout", None, "Put every panel back in its place")
        self.thumbnails = a(
            parent,
            "Activation &Thumbnails",
            None,
            "Pin a picture of each block's output beside its card",
            True,
        )
        # Run
        self.run = a(
            parent, "&Run", "Ctrl+R", "Send an input through the network and plot what each block makes"
        )
        self.cancel_run = a(parent, "&Cancel Run", "Ctrl+.", "Stop the forward pass at the next layer")
        self.open_image = a(parent, "Run on an &Image...", None, "Use an image file of your own as the input")
        self.open_weights = a(parent, "Open &Weights...", None, "Load trained weights before each run")
        self.random_weights = a(
            parent, "R&andom Weights", None, "Use seeded random weights (He initialisation)"
        )
        self.export_statistics = a(
            parent,
            "Run Statistics as C&SV...",
            None,
            "Export every node's activation statistics and time as CSV",
        )
        self.export_plot = a(
            parent, "Result &Plot as PNG...", None, "Export the result plot in view as a PNG"
        )
        # Help
        self.shortcuts = a(parent, "&Keyboard Shortcuts", "Ctrl+/", "List the keyboard shortcuts")
        self.about = a(parent, "&About ResNet Studio", None, "Version and credits")
        drop_clashes(self.all())
        for action in self.all():
            _show_keys_in_tooltip(action)

    def all(self) -> list[QAction]:
        """Every action (for the shortcut list)."""
        return [v for v in vars(self).values() if isinstance(v, QAction)]
