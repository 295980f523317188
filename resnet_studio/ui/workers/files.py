"""Opening checkpoints and writing a block's code, on a worker thread (both import the engine)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from ...core.model import GraphSnapshot
from .thread import ENGINE_IMPORT, unexpected


class CheckpointWorker(QObject):
    """Opens a checkpoint file (reads it with torch, recognises its network) off the GUI thread."""

    finished = Signal(object)
    """An OpenedCheckpoint (graph snapshot, weights as numpy arrays by node), or an OpenFailure."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    @Slot()
    def run(self) -> None:
        """Read and recognise the checkpoint; every failure becomes an OpenFailure with its message."""
        from ...results.checkpoint import OpenFailure

        try:
            with ENGINE_IMPORT:
                from ...engine.checkpoint import open_checkpoint
                from ...engine.errors import WeightsError

            try:
                result: object = open_checkpoint(self.path)
            except WeightsError as error:
                result = OpenFailure(self.path, str(error), getattr(error, "key", None))
        except BaseException as error:
            result = OpenFailure(self.path, unexpected(error))
        self.finished.emit(result)


class CodeWorker(QObject):
    """Writes one block's code with the shapes it makes in its network (imports the engine: off the GUI thread)."""

    finished = Signal(object)
    """(node id, the code or '', why there is none or '')."""

    def __init__(
        self, network: GraphSnapshot, node_id: str, input_shape: tuple[int, int, int] | None, batch: int
    ) -> None:
        super().__init__()
        self.network, self.node_id, self.input_shape, self.batch = network, node_id, input_shape, batch

    @Slot()
    def run(self) -> None:
        """Ask the exporter for the block's code."""
        try:
            with ENGINE_IMPORT:
                from ...engine.errors import EngineError
                from ...engine.export.block_code import block_code

            try:
                result = (
                    self.node_id,
                    block_code(self.network, self.node_id, self.input_shape, self.batch),
                    "",
                )
            except EngineError as error:
                result = (self.node_id, "", str(error))
        except BaseException as error:
            result = (self.node_id, "", f"the code could not be written ({unexpected(error)})")
        self.finished.emit(result)
