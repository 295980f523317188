"""The scene mirrors the document: graph signals add, move and remove items; the analysis refreshes their text."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRectF, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsScene

from ...core.analysis import Analysis
from ...core.catalogue import get_spec
from ...core.model import Edge, Node
from ...core.skips import skip_edges
from ...core.stages import Stage, find_stages
from ..document import Document
from ..scene_repaints import merge_repaints
from .card import card_content, tensor_label, tensor_text
from .columns import Column, Wrap, find_columns, may_climb, wrap_route
from .edge_item import EdgeItem
from .node_item import NodeItem, PortHit
from .plan_item import PlanItem, plan_rows
from .stage_item import OVERHANG, StageLabelItem
from .style import CARD_HEIGHT, CARD_WIDTH, CanvasStyle


class CanvasScene(QGraphicsScene):
    """One item per node and per edge, kept in step with the document. Items never move themselves: every
    position comes from the model, so undo, redo and the panels always agree with what is drawn."""

    def __init__(
        self, document: Document, parent: QObject | None = None, *, style: CanvasStyle | None = None
    ):
        super().__init__(parent)
        self.document = document
        self.graph = document.graph
        self.canvas_style = style or CanvasStyle.from_palette(QApplication.palette())
        self.exporting = False
        """True while rendering an image: no selection rings, hover marks or grid."""
        self.show_edge_labels = False
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self.plans: dict[str, PlanItem] = {}
        self.stage_labels: dict[str, StageLabelItem] = {}
        """One label per stage, keyed by the id of the stage's first node."""
        self._stages: tuple[Stage, ...] = ()
        self._columns: list[Column] | None = None
        self._skips: set[Edge] = set()
        self._skips_dirty = False
        self._pending: set[str] = set()
        """Nodes whose model changed and whose card waits for the analysis of that change."""
        self._syncing = False
        self._skip_timer = QTimer(self)
        self._skip_timer.setSingleShot(True)
        self._skip_timer.timeout.connect(self.flush)
        self._routed_columns: list[Column] = []
        """The columns every connection was last routed against."""
        self._routed_early: set[Edge] = set()
        """Connections routed since the columns last changed, against columns that may have changed again since."""
        self._route_timer = QTimer(self)
        self._route_timer.setSingleShot(True)
        self._route_timer.timeout.connect(self._route_after_moves)
        self.setBackgroundBrush(self.canvas_style.background)
        merge_repaints(self)
        self._build()
        graph = self.graph
        graph.node_added.connect(self._on_node_added)
        graph.node_removed.connect(self._on_node_removed)
        graph.node_changed.connect(self._on_node_changed)
        graph.edge_added.connect(self._on_edge_added)
        graph.edge_removed.connect(self._on_edge_removed)
        document.analysis_changed.connect(self._on_analysis)
        document.settled.connect(self._refresh_pending)
        document.selection_changed.connect(self._on_document_selection)
        document.reloaded.connect(self.resync)
        self.selectionChanged.connect(self._on_scene_selection)
        ref = weakref.ref(self)

        def gone() -> None:
            scene = ref()
            if scene is not None:
                scene.detach()

        self.destroyed.connect(gone)

    # --- building ---------------------------------------------------------------------------------------------

    def _build(self) -> None:
        for node in self.graph.nodes:
            self._add_node_item(node)
        self._update_stages()
        self._skips = skip_edges(self.graph)
        for edge in self.graph.edges:
            self._add_edge_item(edge)
        self._on_document_selection(self.document.selection)

    def detach(self) -> None:
        """Stop listening to the graph (the scene is going away)."""
        graph = self.graph
        for signal, slot in (
            (graph.node_added, self._on_node_added),
            (graph.node_removed, self._on_node_removed),
            (graph.node_changed, self._on_node_changed),
            (graph.edge_added, self._on_edge_added),
            (graph.edge_removed, self._on_edge_removed),
        ):
            signal.disconnect(slot, missing_ok=True)

    def resync(self) -> None:
        """Bring every item in line with the model (after the whole graph was replaced)."""
        for node_id in [n for n in self.nodes if n not in self.graph]:
            self._remove_node_item(node_id)
        live = set(self.graph.edges)
        for edge in [e for e in self.edges if e not in live]:
            self.removeItem(self.edges.pop(edge))
        for node in self.graph.nodes:
            if node.id not in self.nodes:
                self._add_node_item(node)
        for edge in self.graph.edges:
            if edge not in self.edges:
                self._add_edge_item(edge)
        self._update_stages()
        self._skips_dirty = True
        self.flush()
        # no refresh here: the document re-analyses right after a reload, and that refreshes every card

    def _add_node_item(self, node: Node) -> NodeItem:
        result = self.document.analysis.nodes.get(node.id)
        item = NodeItem(node.id, card_content(node, result, self.document.settings), self.canvas_style)
        item.is_connected = self._connection_test(node.id)
        item.setPos(QPointF(*node.position))
        self.addItem(item)
        self.nodes[node.id] = item
        return item

    def _connection_test(self, node_id: str) -> Callable[[str, bool], bool]:
        graph = self.graph

        def connected(port: str, is_output: bool) -> bool:
            if node_id not in graph:
                return False
            if is_output:
                return graph.has_consumers(node_id)
            return graph.edge_into(node_id, port) is not None

        return connected

    def _add_edge_item(self, edge: Edge) -> EdgeItem:
        item = EdgeItem(edge, self.canvas_style)
        self.edges[edge] = item
        self._route(item)
        self._label(item)
        self.addItem(item)
        return item

    def _remove_node_item(self, node_id: str) -> None:
        item = self.nodes.pop(node_id, None)
        if item is not None:
            self.removeItem(item)
        plan = self.plans.pop(node_id, None)
        if plan is not None:
            self.removeItem(plan)

    # --- geometry and text ------------------------------------------------------------------------------------

    def _route(self, item: EdgeItem) -> None:
        edge = item.edge
        src, dst = self.nodes.get(edge.src), self.nodes.get(edge.dst)
        if src is None or dst is None:
            return
        start = src.port_scene_pos(edge.src_port, True)
        end = dst.port_scene_pos(edge.dst_port)
        end.setY(end.y() - self.canvas_style.port_radius - 1.0)  # the arrow stops at the port, not under it
        skip = edge in self._skips
        wrap = self._wrap(start, end, dst)
        item.set_ends(start, end, skip, self._shortcut_tag(edge) if skip else "", wrap=wrap)

    def _columns_changed(self) -> None:
        """A card moved, came or went: the columns it stands in may have changed, and with them the route of every
        connection into a later column. They are routed again once the edit is done (see _route_after_moves)."""
        self._columns = None
        self._route_timer.start(0)

    def _route_after_moves(self) -> None:
        """Route the connections again once an edit or a drag step is done. An edit's moves come one card at a
        time (exploding a block moves every column to its right), and each was routed against columns only partly
        moved: every connection when the columns changed, else those routed meanwhile."""
        columns = self._column_extents()
        again = self._routed_early
        self._routed_early = set()
        if columns != self._routed_columns:
            self._routed_columns = columns
            # Only a connection up and to the right can climb into another column (see _wrap): a drag step on a
            # network of hundreds of cards routes a few dozen again, not every one.
            nodes = self.graph.wiring().nodes
            again.update(e for e in self.edges if may_climb(nodes[e.src].position, nodes[e.dst].position))
        for edge in again:
            item = self.edges.get(edge)
            if item is not None:
                self._route(item)

    def _wrap(self, start: QPointF, end: QPointF, dst: NodeItem) -> Wrap | None:
        """For a connection up into a column further right (the next stage): how it climbs (see columns.py)."""
        position = dst.pos()
        return wrap_route(
            (start.x(), start.y()), (end.x(), end.y()), (position.x(), position.y()), self._column_extents
        )

    def _column_extents(self) -> list[Column]:
        """The columns the cards stand in, left to right, from the model's positions (kept until cards move)."""
        if self._columns is None:
            labels = {
                item.scenePos().x() + OVERHANG: item.scenePos().y() for item in self.stage_labels.values()
            }
            self._columns = find_columns([node.position for node in self.graph.nodes], labels)
        return self._columns

    def _shortcut_tag(self, edge: Edge) -> str:
        """'1x1, s2' on the edge into a projection, 'zero-pad, s2' into a zero-pad shortcut; '' otherwise."""
        node = self.graph.node(edge.dst)
        return get_spec(node.type).tag(node.params)

    def _label(self, item: EdgeItem) -> None:
        result = self.document.analysis.nodes.get(item.edge.src)
        shape = result.output_shape if result is not None else None
        settings = self.document.settings
        item.set_label(tensor_text(shape, settings), tensor_label(shape, settings), self.show_edge_labels)

    def _refresh_node(self, node_id: str) -> None:
        item = self.nodes.get(node_id)
        if item is None or node_id not in self.graph:
            return
        node = self.graph.node(node_id)
        ports = item.content.input_ports
        item.set_content(
            card_content(node, self.document.analysis.nodes.get(node_id), self.document.settings)
        )
        for edge in self.graph.edges_into(node_id):
            if edge in self.edges and (item.content.input_ports != ports or edge in self._skips):
                self._route(self.edges[edge])  # the ports moved, or a shortcut's tag changed
        plan = self.plans.get(node_id)
        if plan is not None:
            self._fill_plan(plan, node)

    def _update_stages(self) -> None:
        """Find the stages again and put one label above each stage's first card, captioned from the analysis."""
        nodes = self.document.analysis.nodes
        shapes = {node_id: result.output_shape for node_id, result in nodes.items() if node_id in self.graph}
        stages = find_stages(self.graph, shapes).stages
        self._stages = stages
        wanted = {stage.first: stage for stage in stages if stage.first in self.nodes}
        for first in [
            f for f in self.stage_labels if f not in wanted or self.stage_labels[f].name != wanted[f].name
        ]:
            self.removeItem(self.stage_labels.pop(first))
        for first, stage in wanted.items():
            label = self.stage_labels.get(first)
            if label is None:
                label = StageLabelItem(stage.name, self.canvas_style)
                self.addItem(label)
                self.stage_labels[first] = label
            result = nodes.get(stage.last)
            label.set_caption(stage.caption(result.output_shape if result is not None else None))
            label.place_above(self.nodes[first].pos())
        self._columns_changed()

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stages the labels show."""
        return self._stages

    def refresh_all(self) -> None:
        """Recompute every card and label (theme, settings or a whole new analysis)."""
        for node_id in self.nodes:
            self._refresh_node(node_id)
        for item in self.edges.values():
            self._label(item)

    def set_style(self, style: CanvasStyle) -> None:
        """Use other colours and fonts (palette change, presentation mode)."""
        if style == self.canvas_style:
            return  # the window applies its theme and scale once more as it starts: nothing to redraw
        self.canvas_style = style
        self.setBackgroundBrush(style.background)
        for node in self.nodes.values():
            node.set_style(style)
        for edge in self.edges.values():
            edge.set_style(style)
        for plan in self.plans.values():
            plan.set_style(style)
        for label in self.stage_labels.values():
            label.set_style(style)
        self.refresh_all()
        for item in self.edges.values():
            self._route(item)

    def set_palette(self, palette: QPalette) -> None:
        """Follow a light/dark palette change."""
        self.set_style(CanvasStyle.from_palette(palette, self.canvas_style.presentation))

    def set_show_edge_labels(self, on: bool) -> None:
        """Show what every edge carries, permanently (for class)."""
        self.show_edge_labels = on
        for item in self.edges.values():
            self._label(item)

    def flush(self) -> None:
        """Reclassify skip connections if the structure changed (deferred so a big edit does it once)."""
        if not self._skips_dirty:
            return
        self._skips_dirty = False
        skips = skip_edges(self.graph)
        changed = skips ^ self._skips
        self._skips = skips
        for edge in changed:
            if edge in self.edges:
                self._route(self.edges[edge])

    def _structure_changed(self) -> None:
        self._skips_dirty = True
        self._skip_timer.start(0)

    # --- graph signals ----------------------------------------------------------------------------------------

    def _on_node_added(self, node: Node) -> None:
        if node.id not in self.nodes:
            self._add_node_item(node)
        self._columns_changed()

    def _on_node_removed(self, node: Node) -> None:
        self._remove_node_item(node.id)
        self._columns_changed()
        label = self.stage_labels.pop(node.id, None)
        if label is not None:
            self.removeItem(label)  # its stage is found again when the analysis comes

    def _on_node_changed(self, old: Node, new: Node) -> None:
        item = self.nodes.get(new.id)
        if item is None:
            return
        if old.position != new.position:
            item.setPos(QPointF(*new.position))
            self._columns_changed()
            label = self.stage_labels.get(new.id)
            if label is not None:
                label.place_above(item.pos())
            plan = self.plans.get(new.id)
            if plan is not None:
                plan.setPos(item.pos())
            for edge in self.graph.edges_of(new.id):
                edge_item = self.edges.get(edge)
                if edge_item is not None:
                    self._route(edge_item)  # at once, so a dragged card keeps its connections
                    self._routed_early.add(edge)
        if old.params != new.params or old.name != new.name or old.expanded_from != new.expanded_from:
            # Refreshed once, from the analysis of this change (document.settled); a change made outside the
            # document's edits (no analysis follows) is caught by the next turn of the event loop.
            if not self._pending:
                QTimer.singleShot(0, self, self._refresh_pending)
            self._pending.add(new.id)
        if old.name != new.name:
            self._update_stages()  # names decide the stages

    def _on_edge_added(self, edge: Edge) -> None:
        if edge not in self.edges:
            self._add_edge_item(edge)
        self._touch_ends(edge)
        self._structure_changed()

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self.edges.pop(edge, None)
        if item is not None:
            self.removeItem(item)
        self._skips.discard(edge)
        self._touch_ends(edge)
        self._structure_changed()

    def _touch_ends(self, edge: Edge) -> None:
        for node_id in (edge.src, edge.dst):
            item = self.nodes.get(node_id)
            if item is not None:
                item.update()  # a port's fill shows whether it is connected

    def _on_analysis(self, analysis: Analysis) -> None:
        self.flush()
        self._update_stages()
        pending, self._pending = self._pending, set()
        for node_id in analysis.recomputed | pending:
            if node_id in self.nodes:
                self._refresh_node(node_id)
        for node_id in analysis.recomputed:
            if node_id in self.nodes:
                for edge in self.graph.edges_from(node_id):
                    edge_item = self.edges.get(edge)
                    if edge_item is not None:
                        self._label(edge_item)

    def _refresh_pending(self) -> None:
        pending, self._pending = self._pending, set()
        for node_id in pending:
            self._refresh_node(node_id)

    # --- selection --------------------------------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        """Ids of the selected nodes, in the order the document lists them first."""
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        known = [n for n in self.document.selection if n in chosen]
        return known + sorted(chosen.difference(known), key=list(self.nodes).index)

    def selected_edges(self) -> list[Edge]:
        """Edges the user selected (edges are not part of the document's selection)."""
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def _on_scene_selection(self) -> None:
        if self._syncing:
            return
        ids = self.selected_ids()
        if tuple(ids) != self.document.selection:
            self._syncing = True
            try:
                self.document.set_selection(ids)
            finally:
                self._syncing = False

    def _on_document_selection(self, ids: tuple[str, ...]) -> None:
        if self._syncing:
            return
        wanted = set(ids)
        current = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        if wanted == current:
            return
        self._syncing = True
        try:
            for node_id in current - wanted:
                self.nodes[node_id].setSelected(False)
            for node_id in wanted - current:
                item = self.nodes.get(node_id)
                if item is not None:
                    item.setSelected(True)
        finally:
            self._syncing = False

    # --- expanded view ----------------------------------------------------------------------------------------

    def is_expanded(self, node_id: str) -> bool:
        """True while a block shows its layers beside its card."""
        return node_id in self.plans

    def set_expanded(self, node_id: str, on: bool) -> None:
        """Show or hide a composite block's layers (a view only; explode is the editing version)."""
        if not on:
            plan = self.plans.pop(node_id, None)
            if plan is not None:
                self.removeItem(plan)
            return
        if node_id in self.plans or node_id not in self.graph:
            return
        node = self.graph.node(node_id)
        if not get_spec(node.type).is_composite:
            return
        plan = PlanItem(node_id, "", (), self.canvas_style)
        self._fill_plan(plan, node)
        plan.setPos(self.nodes[node_id].pos())
        self.addItem(plan)
        self.plans[node_id] = plan

    def _fill_plan(self, plan: PlanItem, node: Node) -> None:
        result = self.document.analysis.nodes.get(node.id)
        shape = result.input_shapes[0] if result is not None and result.input_shapes else None
        rows = plan_rows(node, shape)
        title = f"Inside {node.name}" if rows else f"{node.name}: connect its input to see its layers"
        plan.set_rows(title, rows)

    # --- hit testing ------------------------------------------------------------------------------------------

    def node_item_at(self, pos: QPointF) -> NodeItem | None:
        """The card under a scene point."""
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.contains(item.mapFromScene(pos)) and _on_card(item, pos):
                return item
        return None

    def port_at(self, pos: QPointF, reach: float) -> PortHit | None:
        """The port within `reach` scene units of a point."""
        area = QRectF(pos.x() - reach, pos.y() - reach, 2 * reach, 2 * reach)
        best: tuple[float, PortHit] | None = None
        for item in self.items(area):
            if not isinstance(item, NodeItem):
                continue
            hit = item.port_at(item.mapFromScene(pos), reach)
            if hit is None:
                continue
            centre = item.port_scene_pos(hit.port, hit.is_output)
            d = (centre.x() - pos.x()) ** 2 + (centre.y() - pos.y()) ** 2
            if best is None or d < best[0]:
                best = (d, hit)
        return best[1] if best else None

    def edge_item_at(self, pos: QPointF) -> EdgeItem | None:
        """The edge under a scene point (within its hover width)."""
        for item in self.items(pos):
            if isinstance(item, EdgeItem):
                return item
        return None

    def network_rect(self) -> QRectF:
        """The area the cards (with what hangs on them, such as activation thumbnails), edges, stage labels and
        open layer lists cover."""
        rect = QRectF()
        items = (
            *self.nodes.values(),
            *self.edges.values(),
            *self.plans.values(),
            *self.stage_labels.values(),
        )
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
            if item.childItems():
                rect = rect.united(item.mapRectToScene(item.childrenBoundingRect()))
        return rect


def _on_card(item: QGraphicsItem, pos: QPointF) -> bool:
    local = item.mapFromScene(pos)
    return 0.0 <= local.x() <= CARD_WIDTH and 0.0 <= local.y() <= CARD_HEIGHT
