"""Right-click menus: what can be done to a node, a connection, or the empty canvas at that spot."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu, QWidget

from ...core.catalogue import Role, all_specs, get_spec
from ...core.edits import group_members
from ...core.model import Edge
from .host import CanvasHost


def node_menu(view: CanvasHost, node_id: str, parent: QWidget | None = None) -> QMenu:
    """Expand/collapse the view, explode, collapse back, skip on/off, fixes, duplicate, delete."""
    document, editor = view.document, view.editor
    node = document.graph.node(node_id)
    spec = get_spec(node.type)
    menu = QMenu(parent)
    if node_id not in document.selection:
        document.set_selection([node_id])
    if spec.is_composite:
        shown = view.canvas.is_expanded(node_id)
        action = menu.addAction("Hide layers" if shown else "Show layers")
        action.setToolTip("Show the layers inside this block beside its card (nothing is changed)")
        action.triggered.connect(lambda: view.canvas.set_expanded(node_id, not shown))
        result = document.analysis.nodes.get(node_id)
        action = menu.addAction("Explode into layers")
        action.setToolTip("Replace this block by its layers, to edit them (undoable)")
        action.setEnabled(bool(result and result.input_shapes and result.input_shapes[0] is not None))
        action.triggered.connect(lambda: view.explode(node_id))
    origin = node.expanded_from
    if origin is not None and group_members(document.graph, origin.id):
        action = menu.addAction(f"Collapse into {origin.name}")
        action.setToolTip("Put the exploded layers back into one block (only while they are unchanged)")
        action.triggered.connect(lambda: view.collapse(origin.id))
    if spec.role is Role.RESIDUAL:
        action = menu.addAction("Skip connection")
        action.setCheckable(True)
        action.setChecked(node.params.as_bool("skip"))
        action.triggered.connect(lambda: editor.toggle_skip(node_id))
    result = document.analysis.nodes.get(node_id)
    fixes = [d for d in (result.diagnostics if result else ()) if d.fix is not None]
    if fixes:
        menu.addSeparator()
        for diagnostic in fixes:
            assert diagnostic.fix is not None
            action = menu.addAction(f"Fix: {diagnostic.fix.label}")
            action.setToolTip(diagnostic.message)
            action.triggered.connect(lambda _=False, d=diagnostic: editor.apply_fix(d))
    menu.addSeparator()
    menu.addAction("Duplicate").triggered.connect(view.duplicate_selection)
    menu.addAction("Delete").triggered.connect(view.delete_selection)
    action = menu.addAction("Delete and Reconnect")
    action.setToolTip("Delete and join what fed this block to what it fed, so the chain stays whole")
    action.triggered.connect(view.delete_with_reconnect)
    return menu


def edge_menu(view: CanvasHost, edge: Edge, parent: QWidget | None = None) -> QMenu:
    """Remove a connection."""
    menu = QMenu(parent)
    graph = view.document.graph
    text = f"Disconnect {graph.node(edge.src).name} \u2192 {graph.node(edge.dst).name}"
    menu.addAction(text).triggered.connect(lambda: view.editor.disconnect(edge))
    return menu


def canvas_menu(view: CanvasHost, at: QPointF, parent: QWidget | None = None) -> QMenu:
    """Add a block here, lay out, fit."""
    menu = QMenu(parent)
    groups: dict[str, QMenu] = {}
    for spec in all_specs():
        if not spec.palette_group:
            continue
        if spec.palette_group not in groups:
            groups[spec.palette_group] = menu.addMenu(f"Add {spec.palette_group}")
        action = groups[spec.palette_group].addAction(spec.title)
        action.setToolTip(spec.summary)
        action.triggered.connect(lambda _=False, t=spec.type_name: view.add_block_at(t, at))
    menu.addSeparator()
    menu.addAction("Auto layout").triggered.connect(view.auto_layout)
    menu.addAction("Fit to view").triggered.connect(view.fit_all)
    return menu
