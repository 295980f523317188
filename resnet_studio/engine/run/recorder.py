"""What one forward pass records of each node: statistics, a bounded copy and a finite flag, read back eagerly
(after every node) or deferred (once, at the end of the pass).

Eager mode queues a node's reductions and copies and reads them back at once: on a GPU the host then waits for the
device at every node. Deferred mode reads everything back with one wait at the end, and queues as little as it can
while the pass runs, because on a GPU every kernel launch costs host time that a launch-bound pass (small batches)
does not have:

- outputs that fit the held budget are only held (a reference; no kernel) and reduced at the end, where outputs of
  equal size become the rows of one tensor: three reductions for all of them instead of three per node, and the
  kept values and finite flags come from the same tensors. An output that a later layer overwrites in place (a
  ReLU working on its input) is not held; the version counter catches any other, and the pass is then repeated;
- the others (too large to hold, overwritten later, layers inside blocks) are reduced at once, as in eager mode,
  and only read back at the end. Large outputs keep the GPU busy anyway, so their launches cost nothing extra.

Figures over values with NaN or Inf (and, under the CPU's recipe, nearly constant ones) need the exact path over the
tensor itself, which deferred mode no longer has: such a pass reports `exact_needed`, and the runner repeats it
eagerly. Both modes use the same reductions per recipe, so on the CPU they give identical figures; on a GPU the
row-wise reductions of held outputs may differ from per-node ones in the last bits of the mean and deviation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from ...results.run import Activation, NodeRecord
from ..assembly.network import NodeInfo
from .capture import CaptureOptions, finite_flag, kept_view
from .readback import Readback, host_copy
from .stats import (
    CHUNK_ELEMENTS,
    MOMENTS,
    PendingStats,
    accumulation_dtype,
    exact_statistics,
    memory_order,
    recipe_for,
    reduce,
    reduce_rows,
    zero_counter_for,
)
from .timing import NodeTimer

MAX_OUTPUT_SAMPLES = 64
"""Samples of each network output copied back."""
HELD_ELEMENTS = CHUNK_ELEMENTS
"""Outputs up to this size may be held for the end of a deferred pass (rows within a chunk keep counts exact)."""
HELD_BYTES = 2**28
"""At most this much output memory is held by one deferred pass (256 MiB)."""


@dataclass(eq=False, slots=True)
class _Entry:
    """One node or layer output as recorded: what to read back for it, then what was read."""

    shape: tuple[int, ...]
    captured: bool
    held: Tensor | None = None
    version: int = 0
    wants_output: bool = False
    stats: PendingStats | None = None
    at: Sequence[int] = ()
    """Positions of its numbers in the read-back: the statistics', or the one finite flag."""
    kept_at: int = -1
    stride: int = 1
    output_at: int = -1
    overwritten: bool = False
    activation: Activation | None = None
    finite: bool = True
    output: np.ndarray | None = None
    exact_needed: bool = False


@dataclass
class Recorded:
    """What a finished (or stopped) pass recorded, read back."""

    nodes: list[NodeRecord] = field(default_factory=list)
    layers: dict[str, Activation] = field(default_factory=dict)
    outputs: dict[int, np.ndarray] = field(default_factory=dict)
    exact_needed: bool = False
    """A deferred pass met outputs whose figures need the exact path: repeat it eagerly."""


class PassRecorder:
    """Records the nodes (and inner layers) of one pass; `deferred` reads everything back at the end.

    `overwritten`: slots whose output a later node overwrites in place (never held)."""

    def __init__(
        self,
        device: torch.device,
        options: CaptureOptions,
        *,
        deferred: bool,
        overwritten: frozenset[int] = frozenset(),
    ) -> None:
        self.device, self.options, self.deferred, self.overwritten = device, options, deferred, overwritten
        self.recipe = recipe_for(device)
        self.zeros = zero_counter_for(device)
        self.readback = Readback(device)
        self.on_cpu_now = not deferred and self.readback.cpu
        """Eager on the CPU: values are read as they are made, without the read-back's bookkeeping (the same
        reductions and copies, so the same figures)."""
        self._nodes: list[tuple[NodeInfo, _Entry]] = []
        self._layers: list[tuple[str, _Entry]] = []
        self._held: dict[int, Tensor] = {}
        self._held_bytes = 0

    def node(self, node: NodeInfo, value: Tensor, *, captured: bool, output: bool) -> bool:
        """Record a node's output the moment it is made (before a later in-place layer can change it); returns
        True when that queued work on the device."""
        entry = _Entry(tuple(value.shape), captured, wants_output=output)
        self._nodes.append((node, entry))
        if self.deferred and node.index not in self.overwritten and self._hold(entry, value):
            return False
        if self.on_cpu_now:
            self._record_now(entry, value)
            return True
        self._queue(entry, value)
        if output:
            entry.output_at = self.readback.add_copy(value[:MAX_OUTPUT_SAMPLES])
        if not self.deferred:
            self._settle([entry], value)
        return True

    def layer(self, name: str, value: Tensor) -> None:
        """Record the output of a layer inside a block (from a forward hook; never held: the block's next layer
        often works in place on it)."""
        entry = _Entry(tuple(value.shape), captured=True)
        self._layers.append((name, entry))
        if self.on_cpu_now:
            self._record_now(entry, value.detach())
            return
        self._queue(entry, value.detach())
        if not self.deferred:
            self._settle([entry], value)

    def finish(self, timer: NodeTimer, *, complete: bool = True) -> Recorded:
        """Reduce what is held, read back what is pending (one wait) and build the records with the nodes' times.

        For a pass that stopped early (`complete` False), figures that need the exact path are left out: the
        record keeps no activation (and finite=False when NaN or Inf showed)."""
        if self.deferred:
            self._reduce_held()
            self._settle([e for _, e in self._nodes] + [e for _, e in self._layers], None, complete=complete)
        times = timer.times()
        done = Recorded()
        for node, entry in self._nodes:
            done.nodes.append(
                NodeRecord(
                    node.node_id,
                    node.name,
                    node.type,
                    entry.shape[1:],
                    node.output_shape,
                    times.get(node.index),
                    entry.activation,
                    entry.finite,
                )
            )
            if entry.output is not None:
                done.outputs[node.index] = entry.output
            done.exact_needed |= entry.exact_needed
        for name, entry in self._layers:
            done.exact_needed |= entry.exact_needed
            if entry.activation is not None:
                done.layers[name] = entry.activation
        return done

    def unread(self) -> Recorded:
        """The records without anything from the device (shapes only): when reading back failed."""
        done = Recorded()
        for node, entry in self._nodes:
            done.nodes.append(
                NodeRecord(node.node_id, node.name, node.type, entry.shape[1:], node.output_shape, None)
            )
        return done

    def _record_now(self, entry: _Entry, value: Tensor) -> None:
        """Reduce, copy and read one output at once (eager mode on the CPU: nothing to wait for)."""
        if entry.captured:
            pending, tensors = reduce(value, self.recipe, self.zeros)
            stats = pending.resolve([t.item() for t in tensors]) or exact_statistics(value)
            kept, entry.stride = kept_view(value, self.options)
            values = host_copy(kept)
            entry.activation = Activation(entry.shape, stats, values, entry.stride, self.options.bins)
            entry.finite = stats.finite
        else:
            flag = finite_flag(value)
            entry.finite = flag is None or math.isfinite(flag.item())
        if entry.wants_output:
            entry.output = host_copy(value[:MAX_OUTPUT_SAMPLES])

    def _hold(self, entry: _Entry, value: Tensor) -> bool:
        """Keep a reference to a small output for the end of the pass, within the budget."""
        n = value.numel()
        if n == 0 or n > HELD_ELEMENTS or not value.is_floating_point():
            return False
        if id(value) not in self._held:  # an Output node passes its producer's tensor on: held once
            size = n * value.element_size()
            if self._held_bytes + size > HELD_BYTES:
                return False
            self._held_bytes += size
            self._held[id(value)] = value
        entry.held, entry.version = value, value._version
        return True

    def _queue(self, entry: _Entry, value: Tensor) -> None:
        """Queue one output's reductions and kept copy (or its finite flag); nothing waits for the device."""
        if entry.captured:
            entry.stats, tensors = reduce(value, self.recipe, self.zeros)
            start = self.readback.add_numbers(tensors)
            entry.at = range(start, start + entry.stats.width)
            kept, entry.stride = kept_view(value, self.options)
            entry.kept_at = self.readback.add_copy(kept)
        else:
            flag = finite_flag(value)
            if flag is not None:
                entry.at = (self.readback.add_numbers((flag,)),)

    def _reduce_held(self) -> None:
        """Queue the reductions and copies of every held output, now that the pass is over."""
        held: list[_Entry] = []
        for _, entry in self._nodes:
            if entry.held is None:
                continue
            if entry.held._version != entry.version:  # changed in place after all: only a repeat can tell
                entry.held, entry.overwritten = None, True
                continue
            held.append(entry)
        if self.recipe == "moments":
            self._reduce_rows(held)
        else:  # the CPU: no launches to save, the same per-output reductions as eager mode
            for entry in held:
                assert entry.held is not None
                self._queue(entry, entry.held)
        for entry in held:
            assert entry.held is not None
            if entry.captured and entry.kept_at < 0:
                kept, entry.stride = kept_view(entry.held, self.options)
                entry.kept_at = self.readback.add_copy(kept, now=False)
            if entry.wants_output:
                entry.output_at = self.readback.add_copy(entry.held[:MAX_OUTPUT_SAMPLES], now=False)
        self._held.clear()

    def _reduce_rows(self, held: list[_Entry]) -> None:
        """Held outputs of equal size (and dtype) as the rows of one tensor: one concatenation for all of them,
        then three reductions per size (one, the sums for finite flags, when none of them is captured)."""
        tensors: dict[int, Tensor] = {}
        users: dict[int, list[_Entry]] = {}
        for entry in held:
            assert entry.held is not None
            tensors.setdefault(id(entry.held), entry.held)
            users.setdefault(id(entry.held), []).append(entry)
        by_dtype: dict[torch.dtype, list[int]] = {}
        for key, t in tensors.items():
            by_dtype.setdefault(t.dtype, []).append(key)
        for dtype, keys in by_dtype.items():
            keys.sort(key=lambda k: tensors[k].numel())
            flats = [memory_order(tensors[k]) for k in keys]
            values = flats[0] if len(flats) == 1 else torch.cat(flats)
            if values.dtype != accumulation_dtype(dtype):
                values = values.to(accumulation_dtype(dtype))
            at = 0
            for size, group in _runs(keys, [f.numel() for f in flats]):
                rows = values[at : at + size * len(group)].view(len(group), size)
                at += size * len(group)
                self._reduce_group(rows, [users[k] for k in group])

    def _reduce_group(self, rows: Tensor, users: list[list[_Entry]]) -> None:
        """Queue the reductions of one group of equal-size rows and note where each entry's numbers will be."""
        k, size = rows.shape
        if any(e.captured for entries in users for e in entries):
            start = self.readback.add_numbers(reduce_rows(rows))
            layout = PendingStats(size, "moments", ((size, MOMENTS),))
            for j, entries in enumerate(users):
                for entry in entries:
                    entry.stats, entry.at = layout, range(start + j, start + MOMENTS * k, k)
        else:
            start = self.readback.add_numbers((rows.sum(dim=1),))
            for j, entries in enumerate(users):
                for entry in entries:
                    entry.at = (start + j,)

    def _settle(self, entries: list[_Entry], value: Tensor | None, *, complete: bool = True) -> None:
        """Read back and turn numbers into figures; `value` (eager mode) allows the exact path right away."""
        self.readback.fetch()
        numbers, arrays = self.readback.numbers, self.readback.arrays
        for entry in entries:
            entry.held = None
            if entry.output_at >= 0:
                entry.output = arrays[entry.output_at]
            if entry.overwritten:
                entry.exact_needed = complete
                continue
            got = [numbers[i] for i in entry.at]
            pending, entry.stats = entry.stats, None
            if pending is None:
                entry.finite = not got or math.isfinite(got[0])
                continue
            if not entry.captured:
                entry.finite = pending.finite(got)
                continue
            stats = pending.resolve(got)
            if stats is None and value is not None:
                stats = exact_statistics(value)
            if stats is None:  # deferred: the tensor is gone; a complete pass is repeated eagerly
                entry.exact_needed, entry.finite = complete, pending.finite(got)
                continue
            entry.finite = stats.finite
            entry.activation = Activation(
                entry.shape, stats, arrays[entry.kept_at], entry.stride, self.options.bins
            )


def _runs(keys: list[int], sizes: list[int]) -> list[tuple[int, list[int]]]:
    """Consecutive keys of equal size, grouped: [(size, keys), ...]."""
    runs: list[tuple[int, list[int]]] = []
    for key, size in zip(keys, sizes):
        if runs and runs[-1][0] == size:
            runs[-1][1].append(key)
        else:
            runs.append((size, [key]))
    return runs
