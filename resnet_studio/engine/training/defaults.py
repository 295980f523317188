"""The race shown in lectures: plain-20, plain-56 and ResNet-56 (the CIFAR presets) on shapes and textures."""

from __future__ import annotations

from ...core.graph import Graph
from ...core.presets import preset
from ...results.training import TrainingOptions

DEFAULT_RACE = (("plain-20", "resnet20_plain"), ("plain-56", "resnet56_plain"), ("ResNet-56", "resnet56"))
"""(label, preset) of each network of the default race, in the order they are shown."""

RACE_OPTIONS = TrainingOptions()
"""The default race's options (see TrainingOptions for the values)."""

GAP_CLEAR_AFTER = 60
"""With RACE_OPTIONS on the default data set, plain-56's loss stays clearly above ResNet-56's (gap_step) from
about this step on: what the app can announce ("the gap is clear after about N steps"). Measured with
`python bench/training_bench.py --race`."""


def default_race() -> dict[str, Graph]:
    """The default race's networks by label."""
    return {label: preset(name) for label, name in DEFAULT_RACE}
