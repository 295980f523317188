"""Why a training run was refused before it started."""

from __future__ import annotations

from typing import Literal

from ..errors import EngineError

SetupProblem = Literal["not_a_classifier", "classes", "input", "build", "device", "networks", "out_of_memory"]


class TrainingError(EngineError):
    """A network, device or data set that cannot be trained as asked; nothing was trained. `problem` names the
    kind, `network` the label of the network concerned (when one is)."""

    def __init__(self, message: str, problem: SetupProblem, network: str | None = None) -> None:
        super().__init__(message)
        self.problem: SetupProblem = problem
        self.network = network
