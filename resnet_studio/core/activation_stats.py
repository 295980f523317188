"""What a node's output looked like in a run: plain numbers shared by the engine (which measures them) and the
app (which plots them), so neither has to import the other."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationStats:
    """Statistics of a node's whole output (every sample, channel and position). NaN/Inf are counted, and
    the other figures are over the finite values."""

    count: int
    mean: float
    std: float
    min: float
    max: float
    zero_fraction: float
    nan_count: int = 0
    inf_count: int = 0

    @property
    def finite(self) -> bool:
        """True when there is no NaN or Inf."""
        return self.nan_count == 0 and self.inf_count == 0

    @property
    def signed(self) -> bool:
        """True when the output has negative values (a diverging colour map then suits it)."""
        return math.isfinite(self.min) and self.min < 0.0
