"""Typed errors raised by the model. Each carries a message a user can act on."""

from __future__ import annotations


class GraphError(ValueError):
    """Base class for every refused edit of a graph."""


class UnknownNodeError(GraphError, KeyError):
    """A node id that is not in the graph."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DuplicateNodeError(GraphError):
    """A node id or name that is already taken."""


class UnknownPortError(GraphError):
    """A port name that the node's block type does not have, or a port used in the wrong direction."""


class PortOccupiedError(GraphError):
    """An input port that already has an incoming connection."""


class CycleError(GraphError):
    """A connection that would make the network loop back on itself."""


class NotConnectedError(GraphError):
    """A connection that does not exist."""


class InputCountError(GraphError):
    """A block given a number of inputs it cannot take."""


class ParameterError(GraphError):
    """A parameter value of the wrong type or outside its valid range, or an unknown parameter."""


class UnknownBlockError(GraphError, KeyError):
    """A block type name that the catalogue does not declare."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownPresetError(KeyError):
    """A preset name that does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InputSizeError(ValueError):
    """Text that is not an input size CxHxW, or a size no device could hold."""
