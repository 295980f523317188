"""Incremental analysis: listens to a graph and, after an edit, recomputes only the nodes downstream of it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from operator import attrgetter, itemgetter

from ..catalogue import LayerCost, LayerProblem, Problem, Role, get_spec, role_of
from ..catalogue.registry import Placed, cost_on_shapes, memo_lookup, place
from ..frozen import builder
from ..graph import Graph
from ..model import Edge, Node
from ..params import Params, ParamValue
from ..shapes import Shape
from .results import Analysis, Diagnostic, RunSettings, Severity, Totals
from .rows import NodeResults, Row


class Analyzer:
    """Keeps the analysis of one graph up to date; `analyze()` returns an immutable Analysis."""

    def __init__(self, graph: Graph, settings: RunSettings | None = None, *, listen: bool = True) -> None:
        self.graph = graph
        self.settings = settings or RunSettings()
        self._infos: dict[str, Placed | None] = {}
        self._rows: dict[str, Row] = {}
        self._usual: dict[str, Usual | None] = {}
        # Not listening, the first analyze() sees a new structure version and invalidates everything itself.
        self._dirty: set[str] = set(graph.wiring().nodes) if listen else set()
        self._version = -1
        self._last: Analysis | None = None
        self._listening = listen
        if listen:
            graph.node_added.connect(self._on_node_added)
            graph.node_removed.connect(self._on_node_removed)
            graph.node_changed.connect(self._on_node_changed)
            graph.edge_added.connect(self._on_edge)
            graph.edge_removed.connect(self._on_edge)

    def close(self) -> None:
        """Stop listening to the graph."""
        if self._listening:
            self.graph.node_added.disconnect(self._on_node_added)
            self.graph.node_removed.disconnect(self._on_node_removed)
            self.graph.node_changed.disconnect(self._on_node_changed)
            self.graph.edge_added.disconnect(self._on_edge)
            self.graph.edge_removed.disconnect(self._on_edge)
            self._listening = False

    # --- change tracking ------------------------------------------------------------------------------------

    def _on_node_added(self, node: Node) -> None:
        self._usual.pop(node.id, None)  # an id may come back as another node
        self._dirty.add(node.id)
        if len(self.graph) <= 2:  # a lone node is not "disconnected"; its neighbour-to-be now is
            self._dirty.update(n.id for n in self.graph)

    def _on_node_removed(self, node: Node) -> None:
        self._usual.pop(node.id, None)
        self._dirty.discard(node.id)  # its former neighbours were marked when its edges went
        if len(self.graph) <= 1:
            self._dirty.update(n.id for n in self.graph)
        self._removed = True

    def _on_node_changed(self, old: Node, new: Node) -> None:
        self._usual.pop(new.id, None)
        if old.params != new.params:
            self._dirty.add(new.id)
        elif old.name != new.name and new.id in self._rows and self._rows[new.id][4]:
            self._dirty.add(new.id)  # diagnostics carry the name

    def _on_edge(self, edge: Edge) -> None:
        self._usual.pop(edge.src, None)
        self._usual.pop(edge.dst, None)
        self._dirty.add(edge.src)
        self._dirty.add(edge.dst)

    _removed = False

    def invalidate(self) -> None:
        """Recompute everything at the next analyze() (e.g. when not listening to the graph)."""
        self._dirty = set(self.graph.wiring().nodes)
        self._usual.clear()
        self._removed = True

    # --- analysis -------------------------------------------------------------------------------------------

    def analyze(self, settings: RunSettings | None = None) -> Analysis:
        """The analysis of the graph as it is now; cheap when little changed since the last call."""
        settings = settings or self.settings
        graph = self.graph
        if not self._listening and graph.structure_version != self._version:
            self.invalidate()
        bytes_changed = False
        if settings is not self.settings and settings != self.settings:
            old = self.settings
            if settings.input_shape != old.input_shape:
                self._dirty.update(n.id for n in graph if role_of(n.type) is Role.INPUT)
            bytes_changed = (settings.batch_size, settings.dtype) != (old.batch_size, old.dtype)
            if settings.training != old.training or (
                settings.training and settings.batch_size != old.batch_size
            ):
                self._dirty.update(n.id for n in graph)  # the BatchNorm check depends on both
            self.settings = settings
        if not self._dirty and not bytes_changed and not self._removed and self._last is not None:
            return self._last
        order = graph.topological_order()
        recomputed: Collection[str] = ()
        dirty = self._dirty
        if dirty:
            recomputed = self._recompute(order, dirty, settings)
        if self._removed:
            if len(self._rows) > len(order):  # every node in order has its row: the others are gone
                for node_id in set(self._rows) - set(order):
                    del self._rows[node_id]
                    self._infos.pop(node_id, None)
            self._removed = False
        if bytes_changed:  # every node's memory figures: NodeResults applies the new bytes per element
            recomputed = order
        self._dirty = set()
        self._version = graph.structure_version
        self._last = self._assemble(order, settings, frozenset(recomputed))
        return self._last

    def _recompute(self, order: tuple[str, ...], dirty: set[str], settings: RunSettings) -> Collection[str]:
        """Recompute the dirty nodes and, downstream of them, every node whose inputs changed; returns them."""
        # Every node dirty (a cold analysis): nothing to track, which saves two big sets on a large network.
        track = len(dirty) < len(order)
        if not track:
            start = 0
        elif len(dirty) == 1:
            start = order.index(next(iter(dirty)))
        else:
            position = {node_id: i for i, node_id in enumerate(order)}
            start = min(position[d] for d in dirty)
        nodes, into, out_of = self.graph.wiring()
        infos, rows, compute, kinds, usual = self._infos, self._rows, self._compute, _KINDS, self._usual
        memoised, unseen, layer_cost = memo_lookup, _UNSEEN, LayerCost  # locals: read once per node
        training = settings.training
        changed_outputs: set[str] = set()
        visited: list[str] = []
        several = len(nodes) > 1
        keep = self._listening  # a one-off analysis never reads the facts again: it does not keep them
        # The last usual node's block on its input shape, and what that gives: the next node, when it is the same
        # block on the same shape (a deep network's run of equal blocks), takes them without the memo's lookup.
        last_key: object = None
        last_type: str | None = None
        last_shape: Shape | None = None
        last_shapes: tuple[Shape, ...] = ()
        last_cost: LayerCost | None = None
        out_shape: Shape = ()
        grow = out_jump = 1
        for node_id in order[start:]:
            known = usual.get(node_id, unseen)
            # Not seen yet: the node as a Usual, or None (inline: a cold analysis does this for every node).
            if known is unseen:
                node = nodes[node_id]
                port, _, _, has_output, keeps_output = kinds.get(node.type) or _kind(node.type)
                edge = into[node_id].get(port) if port else None
                if edge is not None and (out_of[node_id] or not has_output or not several):
                    known = (node.type, node.params, node.params.memo_key, edge.src, keeps_output)
                else:
                    known = None
                if keep:
                    usual[node_id] = known
            if known is not None:
                # The usual node, kept cheap: one input, connected, with known figures, an output that is used
                # (or none), no problem and no warning. Anything else takes _compute, which handles every case.
                type_name, params, key, source, keeps_output = known
                if node_id not in dirty and source not in changed_outputs:
                    continue
                x = infos.get(source)
                if x is not None:
                    shape, rf, jump = x
                    usual_cost: LayerCost | None
                    if key is last_key and shape == last_shape and type_name == last_type:
                        shapes, usual_cost = last_shapes, last_cost
                    else:
                        shapes = (shape,)
                        hit = memoised((type_name, key, shapes)) or cost_on_shapes(type_name, params, shapes)
                        usual_cost = None
                        if (
                            hit.__class__ is layer_cost
                            and not hit.warnings
                            and not (training and hit.norm_values is not None)
                        ):
                            usual_cost = last_cost = hit
                            last_key, last_type, last_shape, last_shapes = key, type_name, shape, shapes
                            output = hit.output
                            out_shape, grow, out_jump = output.shape, output.rf - 1, output.jump
                    if usual_cost is not None:
                        info = (out_shape, rf + grow * jump, jump * out_jump)
                        if track:
                            visited.append(node_id)
                            if info != infos.get(node_id):
                                changed_outputs.add(node_id)
                        infos[node_id] = info
                        rows[node_id] = (type_name, shapes, usual_cost, info, (), keeps_output)
                        continue
                incoming = into[node_id]
            else:
                incoming = into[node_id]
                if node_id not in dirty:
                    for e in incoming.values():  # a loop, not any(): no generator made per node
                        if e.src in changed_outputs:
                            break
                    else:
                        continue
            if track:
                visited.append(node_id)
            node = nodes[node_id]
            # Several inputs, all connected with known figures: the same cheap path.
            port, ports, variadic, has_output, keeps_output = kinds.get(node.type) or _kind(node.type)
            if (
                not port
                and incoming
                and len(incoming) == (node.params.get(variadic, 2) if variadic else ports)
                and (out_of[node_id] or not has_output or not several)
            ):
                found = [infos.get(e.src) for e in incoming.values()]  # in port order
                if None not in found:
                    inputs: tuple[Placed, ...] = tuple(found)  # type: ignore[arg-type]  # no None left
                    shapes = tuple([i[0] for i in inputs])
                    cost = memoised((node.type, node.params.memo_key, shapes)) or cost_on_shapes(
                        node.type, node.params, shapes
                    )
                    if (
                        type(cost) is LayerCost
                        and not cost.warnings
                        and not (training and cost.norm_values is not None)
                    ):
                        info = (cost.output.shape, *place(cost.output, inputs))
                        if info != infos.get(node_id):
                            infos[node_id] = info
                            if track:
                                changed_outputs.add(node_id)
                        rows[node_id] = (node.type, shapes, cost, info, (), keeps_output)
                        continue
            before = infos.get(node_id, False)
            if compute(node, incoming, bool(out_of[node_id]), several, settings) != before:
                changed_outputs.add(node_id)
        return visited if track else order

    def _assemble(
        self, order: tuple[str, ...], settings: RunSettings, recomputed: frozenset[str]
    ) -> Analysis:
        rows = self._rows  # one row per node in `order`, no other
        # Sums over every node in C (map, attrgetter, sum): no Python step per node.
        # A LayerCost is true, None false: filter(None) keeps the known ones without an == (a Python call) each.
        known: list[LayerCost] = list(filter(None, map(_COST, rows.values())))
        unknown = len(rows) - len(known)
        params = sum(map(_PARAMS, known))
        diagnostics: tuple[Diagnostic, ...] = ()
        if any(map(_DIAGNOSTICS, rows.values())):
            diagnostics = tuple([d for node_id in order for d in rows[node_id][4]])
        errors = sum(1 for d in diagnostics if d.is_error) if diagnostics else 0
        scale = settings.batch_size * settings.dtype_bytes
        totals = _totals(
            params,
            sum(map(_BUFFERS, known)),
            sum(map(_MACS, known)),
            sum(map(_KEPT, known)) * scale,
            params * settings.dtype_bytes,
            errors,
            len(diagnostics) - errors,
            unknown,
            len(order),
        )
        return _analysis(settings, order, NodeResults(dict(rows), scale), diagnostics, totals, recomputed)

    def _compute(
        self,
        node: Node,
        incoming: Mapping[str, Edge],
        used: bool,
        several: bool,
        settings: RunSettings,
    ) -> Placed | None:
        """Analyse one node from its inputs' results; returns what its output carries (None when unknown).

        Runs for every node of a cold analysis, so it asks the graph nothing and allocates little: the memoised
        cost of the block on its input shapes, placed on the inputs' receptive fields."""
        spec = get_spec(node.type)
        params = node.params
        ports = spec.inputs if spec.variadic_inputs is None else spec.input_ports(params)
        infos = self._infos
        inputs: tuple[Placed | None, ...]
        missing: tuple[str, ...] = ()
        if len(ports) == 1:
            edge = incoming.get(ports[0])
            if edge is None:
                missing, inputs = ports, (None,)
            else:
                inputs = (infos.get(edge.src),)
        else:
            found: list[Placed | None] = []
            for port in ports:
                edge = incoming.get(port)
                if edge is None:
                    missing += (port,)
                    found.append(None)
                else:
                    found.append(infos.get(edge.src))
            inputs = tuple(found)
        problems: list[tuple[Severity, Problem]] | None = None
        connected = len(missing) < len(ports)
        if spec.outputs and not used and several:
            if connected:
                problems = [(Severity.WARNING, _UNUSED)]
            else:
                problems = [(Severity.WARNING, Problem(f"{node.name} is not connected to anything"))]
        if missing and (connected or used or not spec.outputs):
            problems = problems or []
            for port in missing:
                label = f"input {port!r}" if len(ports) > 1 else "the input"
                problems.append(
                    (Severity.ERROR, Problem(f"{label} is not connected", port, "a connection", "none"))
                )
        cost: LayerCost | None = None
        known: tuple[Placed, ...] = ()
        if not missing and None not in inputs:
            known = inputs  # type: ignore[assignment]  # no None left
            if spec.role is Role.INPUT and settings.input_shape is not None:
                c, h, w = settings.input_shape
                params = params.replace(channels=c, height=h, width=w)
            hit = cost_on_shapes(node.type, params, tuple([i[0] for i in known]))
            if isinstance(hit, LayerProblem):
                problems = problems or []
                problems.append((Severity.ERROR, hit.problem))
            else:
                cost = hit
                if cost.warnings:
                    problems = problems or []
                    problems.extend((Severity.WARNING, w) for w in cost.warnings)
                if (
                    settings.training
                    and cost.norm_values is not None
                    and settings.batch_size * cost.norm_values < 2
                ):
                    problems = problems or []
                    problems.append((Severity.ERROR, _one_value_per_channel(settings.batch_size)))
        diagnostics = (
            tuple(
                Diagnostic(severity, node.id, node.name, p.message, p.port, p.expected, p.actual, p.fix)
                for severity, p in problems
            )
            if problems
            else ()
        )
        in_shapes = tuple([None if i is None else i[0] for i in inputs])
        keeps_output = spec.role not in _NO_OUTPUT
        if cost is None:
            infos[node.id] = None
            self._rows[node.id] = (node.type, in_shapes, None, None, diagnostics, keeps_output)
            return None
        output = cost.output
        if len(known) == 1:
            _, in_rf, in_jump = known[0]
            rf, jump = in_rf + (output.rf - 1) * in_jump, in_jump * output.jump
        else:
            rf, jump = place(output, known)
        infos[node.id] = info = (output.shape, rf, jump)
        self._rows[node.id] = (node.type, in_shapes, cost, info, diagnostics, keeps_output)
        return info


_COST, _DIAGNOSTICS = itemgetter(2), itemgetter(4)  # of a Row
_totals, _analysis = builder(Totals), builder(Analysis)
_PARAMS, _BUFFERS, _MACS, _KEPT = (attrgetter(name) for name in ("params", "buffers", "macs", "kept"))

_NO_OUTPUT = (Role.INPUT, Role.OUTPUT)
"""Nodes whose output is not a tensor of their own (the input batch is given; an Output passes its input on)."""

_UNUSED = Problem(
    "the output is not used; connect it to an Output or another block",
    None,
    expected="a connection from the output",
    actual="none",
)


def _one_value_per_channel(batch_size: int) -> Problem:
    return Problem(
        f"in training, BatchNorm needs more than one value per channel, but here it normalises 1x1 maps at "
        f"batch {batch_size}; train with a batch of 2 or more, or a larger input",
        None,
        expected="more than 1 value per channel",
        actual=f"{batch_size} (batch {batch_size} x 1x1)",
    )


def analyze(
    graph: Graph,
    input_shape: tuple[int, int, int] | None = None,
    batch_size: int = 1,
    dtype: str = "float32",
    *,
    training: bool = False,
    settings: RunSettings | None = None,
) -> Analysis:
    """Analyse a network once: shapes, parameters, MACs, memory, receptive fields and diagnostics.

    `training`: also check what a training pass needs (BatchNorm with more than one value per channel).
    """
    settings = settings or RunSettings(input_shape, batch_size, dtype, training)
    return Analyzer(graph, settings, listen=False).analyze()


Usual = tuple[str, Params, frozenset[tuple[str, ParamValue]], str, bool]
"""A node with one input, connected, whose output is used (or that has none), as the analysis loop reads it:
(block type, params, their memo key, the node feeding its input, whether its output is a tensor of its own).
Kept per node until the node or one of its edges changes (a node with an input edge is never alone, so the
number of nodes cannot change it)."""


_UNSEEN: Usual = ("", Params(), frozenset(), "", False)
"""Marks a node not looked at yet, where None (not a usual node) is a value."""


_KINDS: dict[str, tuple[str, int, str, bool, bool]] = {}
"""Per block type: its input port when it has exactly one (else ''), how many input ports it has (0: as many as
its `variadic` parameter says), whether it has an output port, and whether its output is a tensor of its own (not
for Input and Output nodes)."""


def _kind(type_name: str) -> tuple[str, int, str, bool, bool]:
    spec = get_spec(type_name)
    variadic = spec.variadic_inputs or ""
    ports = 0 if variadic else len(spec.inputs)
    port = spec.inputs[0] if ports == 1 else ""
    _KINDS[type_name] = kind = (port, ports, variadic, bool(spec.outputs), spec.role not in _NO_OUTPUT)
    return kind
