"""The core's signals: connect, disconnect, emit, listener counts, and weakly held bound methods."""

from __future__ import annotations

import gc

import pytest

from resnet_studio.core import edits
from resnet_studio.core.graph import Graph
from resnet_studio.core.signals import Signal, SignalInstance


class Model:
    changed = Signal(int, str)


class Listener:
    def __init__(self) -> None:
        self.heard: list[tuple[int, str]] = []

    def hear(self, number: int, text: str) -> None:
        self.heard.append((number, text))


def test_each_instance_has_its_own_listeners() -> None:
    a, b = Model(), Model()
    heard: list[object] = []
    a.changed.connect(lambda *args: heard.append(("a", *args)))
    b.changed.emit(1, "b")
    a.changed.emit(2, "a")
    assert heard == [("a", 2, "a")]
    assert isinstance(a.changed, SignalInstance) and a.changed is a.changed
    assert isinstance(Model.changed, Signal) and Model.changed.types == (int, str)


def test_listeners_run_in_order_and_len_counts_them() -> None:
    model, order = Model(), []
    assert not model.changed and len(model.changed) == 0
    model.changed.connect(lambda n, t: order.append(f"first {n}{t}"))
    model.changed.connect(lambda n, t: order.append(f"second {n}{t}"))
    model.changed.emit(1, "x")
    assert order == ["first 1x", "second 1x"] and len(model.changed) == 2


def test_disconnect_a_bound_method_a_function_or_one_not_connected() -> None:
    model, listener = Model(), Listener()
    seen: list[int] = []

    def note(number: int, _text: str) -> None:
        seen.append(number)

    model.changed.connect(listener.hear)
    model.changed.connect(note)
    model.changed.disconnect(
        listener.hear
    )  # a new bound-method object each time: matched by object and function
    model.changed.emit(3, "y")
    assert listener.heard == [] and seen == [3]
    model.changed.disconnect(note)
    with pytest.raises(ValueError, match="not connected to signal 'changed'"):
        model.changed.disconnect(note)
    model.changed.disconnect(note, missing_ok=True)
    assert len(model.changed) == 0


def test_a_bound_method_does_not_keep_its_object_alive() -> None:
    model, listener = Model(), Listener()
    model.changed.connect(listener.hear)
    model.changed.emit(1, "a")
    assert listener.heard == [(1, "a")]
    del listener
    gc.collect()
    model.changed.emit(2, "b")  # the dead listener is dropped, nothing raised
    assert len(model.changed) == 0


def test_a_lambda_is_held_and_an_exception_reaches_the_emitter() -> None:
    model = Model()

    def fail(_number: int, _text: str) -> None:
        raise RuntimeError("listener failed")

    model.changed.connect(fail)
    gc.collect()
    with pytest.raises(RuntimeError, match="listener failed"):
        model.changed.emit(1, "a")
    with pytest.raises(TypeError, match="callable"):
        model.changed.connect(42)  # type: ignore[arg-type]


def test_a_listener_connected_or_disconnected_while_emitting_counts_from_the_next_emit() -> None:
    model, heard = Model(), []

    def late(number: int, _text: str) -> None:
        heard.append(("late", number))

    def first(number: int, _text: str) -> None:
        heard.append(("first", number))
        model.changed.disconnect(first)
        model.changed.connect(late)

    model.changed.connect(first)
    model.changed.emit(1, "a")
    model.changed.emit(2, "b")
    assert heard == [("first", 1), ("late", 2)]


def test_the_graph_announces_its_changes_and_skips_emits_with_no_listener() -> None:
    graph = Graph()
    assert not graph.node_added  # nobody listens: the graph skips making the emit
    seen: list[str] = []
    graph.node_added.connect(lambda node: seen.append(node.id))
    edits.add_node(graph, "ReLU", (0.0, 0.0)).do(graph)
    assert seen == [node.id for node in graph.nodes]
