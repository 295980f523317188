"""Signals for plain Python objects: a model announces its changes, views and analyzers listen.

Declared on a class (`changed = Signal(Node)`), each instance gets its own list of listeners on first use. A bound
method is held weakly, so an object that listens does not live longer for it: once it is gone its connection is
dropped at the next emit. Anything else (a function, a lambda) is held as given. Listeners run in the order they
connected, on the thread that emits; an exception in one propagates to the emitter and the rest do not run.

The standard library suffices here: a third-party signal package cost the app's start-up tens of milliseconds of
imports for the four operations the core needs (connect, disconnect, emit, and "is anyone listening").
"""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import Any, overload
from weakref import ref

_Slot = tuple["ref[Any] | None", Callable[..., object]]
"""(weak reference to a bound method's object, or None; the function to call, with the object first if any)."""


class SignalInstance:
    """One object's signal: connect listeners, emit to them."""

    __slots__ = ("_slots", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._slots: tuple[_Slot, ...] = ()

    def __len__(self) -> int:
        """How many listeners are connected (so an emitter can skip making arguments nobody hears)."""
        return len(self._slots)

    def __repr__(self) -> str:
        return f"<signal {self.name!r}: {len(self._slots)} listener(s)>"

    def connect(self, callback: Callable[..., object]) -> Callable[..., object]:
        """Call `callback(*args)` on every emit (a bound method is held weakly); returns the callback."""
        if not callable(callback):
            raise TypeError(f"signal {self.name!r} can only connect something callable, not {callback!r}")
        self._slots = (*self._slots, _slot(callback))
        return callback

    def disconnect(self, callback: Callable[..., object], *, missing_ok: bool = False) -> None:
        """Stop calling `callback`; ValueError when it is not connected, unless `missing_ok`."""
        kept = tuple(slot for slot in self._slots if not _is(slot, callback))
        if len(kept) == len(self._slots) and not missing_ok:
            raise ValueError(f"{callback!r} is not connected to signal {self.name!r}")
        self._slots = kept

    def disconnect_all(self) -> None:
        """Drop every listener."""
        self._slots = ()

    def emit(self, *args: object) -> None:
        """Call every listener with these arguments, in the order they connected."""
        dead = False
        # A tuple: listeners connected meanwhile wait for the next emit.
        for owner_ref, function in self._slots:
            if owner_ref is None:
                function(*args)
                continue
            owner = owner_ref()
            if owner is None:
                dead = True
            else:
                function(owner, *args)
        if dead:
            self._slots = tuple(slot for slot in self._slots if slot[0] is None or slot[0]() is not None)


class Signal:
    """A signal declared on a class; reading it from an instance gives that instance's SignalInstance."""

    __slots__ = ("name", "types")

    def __init__(self, *types: type) -> None:
        self.types = types
        """What each emit passes, in order (documentation: emit does not check it)."""
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Signal: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> SignalInstance: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Signal | SignalInstance:
        if instance is None:
            return self
        signal = SignalInstance(self.name)
        # Kept in the instance's __dict__: this non-data descriptor is not consulted again for this object.
        instance.__dict__[self.name] = signal
        return signal


def _slot(callback: Callable[..., object]) -> _Slot:
    if isinstance(callback, MethodType):
        return ref(callback.__self__), callback.__func__
    return None, callback


def _is(slot: _Slot, callback: Callable[..., object]) -> bool:
    owner_ref, function = slot
    if isinstance(callback, MethodType):
        return owner_ref is not None and function is callback.__func__ and owner_ref() is callback.__self__
    return owner_ref is None and (function is callback or function == callback)
