"""The race shown in lectures: plain-20, plain-56 and ResNet-56 (the CIFAR presets) on shapes and textures.

The constants are plain data, declared with the result types (the app reads them without loading the engine).
"""

from __future__ import annotations

from ...core.graph import Graph
from ...core.presets import preset
from ...results.training import DEFAULT_RACE, GAP_CLEAR_AFTER, RACE_OPTIONS

__all__ = ["DEFAULT_RACE", "GAP_CLEAR_AFTER", "RACE_OPTIONS", "default_race"]


def default_race() -> dict[str, Graph]:
    """The default race's networks by label."""
    return {label: preset(name) for label, name in DEFAULT_RACE}
