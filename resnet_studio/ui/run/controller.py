"""The run controller: builds a request from the document, runs it on a worker thread, keeps the results,
knows when they went stale, and says why Run is unavailable.

One run at a time. Every result arrives as plain data (ui.run.results) through a queued signal, so the GUI
thread never waits on torch; cancel reaches the engine between layers; shutdown() cancels and waits, so closing
the window mid-run never leaves a thread behind.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from ...core.analysis import Analysis
from ...core.model import Edge, GraphSnapshot, Node
from ...results.run_request import (
    CPU,
    DEFAULT_MAX_CHANNELS,
    DEFAULT_MAX_SIZE,
    DeviceInfo,
    InputChoice,
    RunOptions,
    RunRequest,
    run_key,
)
from ..collector import collector
from ..document import Document
from .changes import affected_nodes, describe_change

if TYPE_CHECKING:
    from ...results.run import ForwardResult, RunError  # annotations only: results load after the first paint
    from ...results.training import TrainedNetwork
    from ..workers.thread import WorkerThread

CAPTURE_BUDGET_BYTES = 256 * 1024 * 1024
"""At most this much kept activation data per run; larger networks keep fewer pixels, then fewer channels."""
STALE_CHECK_DELAY_MS = 40
"""An edit's stale check (which greys pictures of the panels) waits this long: the edit's own repaint of the canvas
comes first, in a turn of the event loop of its own, and the edits of a quick burst (undo, undo, undo) are
checked once."""
MIN_MAX_SIZE = 16
MIN_MAX_CHANNELS = 256


def capture_limits(analysis: Analysis) -> tuple[int, int]:
    """(max_channels, max_size) that keep every channel of a ResNet while the kept data fits the budget."""
    shapes = [n.output_shape for n in analysis if n.output_shape is not None and len(n.output_shape) == 3]
    channels, size = DEFAULT_MAX_CHANNELS, DEFAULT_MAX_SIZE

    def kept(channels: int, size: int) -> int:
        total = 0
        for c, h, w in shapes:
            stride = max(1, math.ceil(max(h, w) / size))
            total += min(c, channels) * math.ceil(h / stride) * math.ceil(w / stride) * 4
        return total

    while kept(channels, size) > CAPTURE_BUDGET_BYTES and size > MIN_MAX_SIZE:
        size //= 2
    while kept(channels, size) > CAPTURE_BUDGET_BYTES and channels > MIN_MAX_CHANNELS:
        channels //= 2
    return channels, size


def blocked_reason(analysis: Analysis) -> str | None:
    """Why the network cannot run now (its errors), or None."""
    if not analysis.order:
        return "The network is empty: add an Input block and some layers first."
    if analysis.ok:
        return None
    errors = [d for d in analysis.diagnostics if d.is_error]
    count = analysis.totals.errors
    first = f" First: {errors[0].node_name}: {errors[0].message}" if errors else ""
    return f"Fix the {count} error{'s' if count != 1 else ''} in the network first (see Problems).{first}"


class RunController(QObject):
    """Starts, cancels and remembers forward runs of one document."""

    running_changed = Signal(bool)
    progress = Signal(float, str)
    """(fraction done, node just finished)."""
    result_changed = Signal(object)
    """The ForwardResult the panels should show now (or None when cleared)."""
    finished = Signal(object)
    """Every run that ended: the ForwardResult, whatever its status."""
    problem_changed = Signal(object)
    """The last run's RunError, or None after a clean run."""
    stale_changed = Signal(bool)
    """True when some result no longer matches the network or the settings."""
    affected_changed = Signal(frozenset)
    """The ids of the nodes whose results an edit since the run can have changed (empty: nothing is stale)."""
    availability_changed = Signal(object)
    """Why Run is unavailable (str), or None when it can run."""
    options_changed = Signal(object)
    """The new RunOptions."""
    devices_changed = Signal(tuple)
    """The devices found (tuple of DeviceInfo)."""
    race_weights_changed = Signal(tuple)
    """The networks of the last race with the weights they reached (tuple of TrainedNetwork)."""

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.options = RunOptions()
        self.devices: tuple[DeviceInfo, ...] = (CPU,)
        self.devices_known = False
        self.current: ForwardResult | None = None
        """The result the panels show."""
        self.previous: ForwardResult | None = None
        """The result before it (the dashed reference in the depth plot)."""
        self.problem: RunError | None = None
        self.race_weights: tuple[TrainedNetwork, ...] = ()
        """The weights kept from the last race: what runs, gradient flow and other views may use instead of
        random weights (options.trained is the one runs use now)."""
        self.stale = False
        self.affected: frozenset[str] = frozenset()
        """Nodes whose shown results may no longer hold (see affected_nodes)."""
        self._job: WorkerThread | None = None
        self._running_request: RunRequest | None = None
        self._probe: WorkerThread | None = None
        self._closing = False
        self._reason = blocked_reason(document.analysis)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.timeout.connect(self._check_stale)
        graph = document.graph
        graph.node_added.connect(self._structure_changed)
        graph.node_removed.connect(self._structure_changed)
        graph.edge_added.connect(self._structure_changed)
        graph.edge_removed.connect(self._structure_changed)
        graph.node_changed.connect(self._node_changed)
        document.settings_changed.connect(self._settings_changed)
        document.reloaded.connect(self._schedule_check)
        document.analysis_changed.connect(self._analysis_changed)

    # --- state ------------------------------------------------------------------------------------------------

    def _settings_changed(self, _settings: object) -> None:
        self._schedule_check()

    @property
    def running(self) -> bool:
        """True while a forward pass is on its way."""
        return self._job is not None

    @property
    def blocked_reason(self) -> str | None:
        """Why Run is unavailable now (errors in the graph), or None."""
        return self._reason

    @property
    def can_run(self) -> bool:
        """True when Run would start a pass."""
        return self._reason is None and not self.running and not self._closing

    @property
    def comparison(self) -> str:
        """What changed from the previous run to the current one ('' without two runs)."""
        if self.current is None or self.previous is None:
            return ""
        before, after = self.previous.request, self.current.request
        return describe_change(before, after) if before is not None and after is not None else ""

    def request(self) -> RunRequest:
        """The request Run would send now."""
        channels, size = capture_limits(self.document.analysis)
        return RunRequest(
            self.document.graph.snapshot(),
            self.document.settings,
            self.options,
            channels,
            size,
            weights=self.document.weights,
        )

    # --- options ----------------------------------------------------------------------------------------------

    def set_device(self, name: str) -> None:
        """Run on this device ('cpu', 'cuda:0', 'mps')."""
        self._set_options(replace(self.options, device=name))

    def set_input(self, choice: InputChoice) -> None:
        """Use this input for the next runs."""
        self._set_options(replace(self.options, input=choice))

    def set_weights(self, path: str | None) -> None:
        """Load these weights before running (None: seeded random weights)."""
        self._set_options(replace(self.options, weights=path, trained=None))

    def use_trained(self, trained: TrainedNetwork | None) -> None:
        """Run with weights kept from a race (None: seeded random weights)."""
        self._set_options(replace(self.options, weights=None, trained=trained))

    def keep_race_weights(self, networks: tuple[TrainedNetwork, ...]) -> None:
        """Remember the weights a race reached (replacing those of the race before)."""
        self.race_weights = networks
        if self.options.trained is not None and self.options.trained not in networks:
            self.use_trained(None)  # the weights in use came from the race before: they are gone now
        self.race_weights_changed.emit(networks)

    def trained_for(self, snapshot: GraphSnapshot) -> TrainedNetwork | None:
        """The weights of the last race's network that is this very network (same blocks and links), if any."""
        structure = snapshot.structure()
        return next((t for t in self.race_weights if t.snapshot.structure() == structure), None)

    def _set_options(self, options: RunOptions) -> None:
        if options == self.options:
            return
        self.options = options
        self.options_changed.emit(options)
        self._schedule_check()

    # --- devices ----------------------------------------------------------------------------------------------

    def probe_devices(self) -> None:
        """Find the devices on a worker thread (torch loads there); devices_changed reports them."""
        if self._probe is not None or self.devices_known or self._closing:
            return
        from ..workers.forward import DeviceWorker  # after the first paint: its result types are many
        from ..workers.thread import WorkerThread

        worker = DeviceWorker()
        worker.finished.connect(self._devices_found)
        self._probe = WorkerThread(worker, self)
        self._probe.done.connect(self._probe_done)
        self._probe.start()

    def _devices_found(self, devices: tuple[DeviceInfo, ...]) -> None:
        collector().settle("engine")  # torch has loaded: what it made lives as long as the app
        self.devices = devices or (CPU,)
        self.devices_known = True
        self.devices_changed.emit(self.devices)

    def _probe_done(self) -> None:
        self._probe = None

    # --- running ----------------------------------------------------------------------------------------------

    def run(self) -> bool:
        """Start a forward pass of the network as it is now; False (nothing started) when it cannot run."""
        if not self.can_run:
            return False
        from ..workers.forward import ForwardWorker
        from ..workers.thread import WorkerThread

        request = self.request()
        worker = ForwardWorker(request)
        worker.progressed.connect(self.progress)
        worker.finished.connect(self._finished)
        self._running_request = request
        self._job = WorkerThread(worker, self)
        self._job.done.connect(self._job_done)
        self._job.start()
        self.running_changed.emit(True)
        self.availability_changed.emit(self._reason)
        return True

    def cancel(self) -> None:
        """Stop the running pass at the next layer boundary (the result arrives with status 'cancelled')."""
        if self._job is not None:
            from ..workers.forward import ForwardWorker  # imported already: a run is on its way

            worker = self._job.worker
            assert isinstance(worker, ForwardWorker)
            worker.cancel()

    def _finished(self, result: ForwardResult) -> None:
        self._running_request = None
        collector().settle("engine")
        if self._closing:
            return
        # A cancelled pass is half a picture: the results before it stay. A failed one shows what it got
        # (every node up to an out-of-memory, every node after a NaN), so the failure can be looked at.
        shown = result.has_nodes and result.status != "cancelled"
        if shown:
            if self.current is not None and self.current.has_nodes:
                self.previous = self.current
            self.current = result
        # What is stale holds before the panels draw the result: a panel that drew it while the run before was
        # stale would take a greyed picture of it, only to show it live again a moment later.
        heard = self._take_affected(self._affected_now())
        if result.status != "cancelled":
            self.problem = result.error
            self.problem_changed.emit(result.error)
        if shown:
            self.result_changed.emit(result)
        self._announce_affected(*heard)
        self.finished.emit(result)

    def _job_done(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if not self._closing:
            self.running_changed.emit(False)
            self.availability_changed.emit(self._reason)

    def clear(self) -> None:
        """Forget every result (a new network was opened)."""
        self.current = self.previous = None
        self.problem = None
        self.result_changed.emit(None)
        self.problem_changed.emit(None)
        self._set_affected(frozenset())

    def shutdown(self) -> None:
        """Cancel any work and wait for its threads to end (the window is closing)."""
        self._closing = True
        self._check_timer.stop()
        for job in (self._job, self._probe):
            if job is not None:
                job.stop()
        graph = self.document.graph
        for signal in (graph.node_added, graph.node_removed, graph.edge_added, graph.edge_removed):
            signal.disconnect(self._structure_changed, missing_ok=True)
        graph.node_changed.disconnect(self._node_changed, missing_ok=True)

    # --- stale results ----------------------------------------------------------------------------------------

    def _structure_changed(self, _item: Node | Edge) -> None:
        self._schedule_check()

    def _node_changed(self, old: Node, new: Node) -> None:
        # Dragging a card changes only its position: the results still hold.
        if old.params != new.params or old.name != new.name or old.type != new.type:
            self._schedule_check()

    def _schedule_check(self) -> None:
        if not self._closing and not self._check_timer.isActive():
            self._check_timer.start(STALE_CHECK_DELAY_MS)

    def _check_stale(self) -> None:
        self._set_affected(self._affected_now())

    def _affected_now(self) -> frozenset[str]:
        """The nodes whose shown results the edits since the current run can have changed."""
        request = self.current.request if self.current is not None else None
        if request is None:
            return frozenset()
        graph = self.document.graph
        key = run_key(graph.nodes, graph.edges, self.document.settings, self.options)
        if key == request.key:
            return frozenset()
        affected = affected_nodes(request, graph, self.document.settings, self.options)
        return affected or frozenset(n.id for n in request.snapshot.nodes)

    def _set_affected(self, affected: frozenset[str]) -> None:
        self._announce_affected(*self._take_affected(affected))

    def _take_affected(self, affected: frozenset[str]) -> tuple[bool, bool]:
        """Hold the new affected set (and stale with it); (whether it changed, whether stale changed)."""
        changed, was_stale = affected != self.affected, self.stale
        self.affected, self.stale = affected, bool(affected)  # both hold before anyone hears of either
        return changed, self.stale != was_stale

    def _announce_affected(self, changed: bool, stale_changed: bool) -> None:
        if changed:
            self.affected_changed.emit(self.affected)
        if stale_changed:
            self.stale_changed.emit(self.stale)

    def _analysis_changed(self, analysis: Analysis) -> None:
        reason = blocked_reason(analysis)
        if reason != self._reason:
            self._reason = reason
            self.availability_changed.emit(reason)
