"""The race shown in lectures: plain-20, plain-56 and ResNet-56 (the CIFAR presets) on shapes and textures."""

from __future__ import annotations

from ...core.graph import Graph
from ...core.presets import preset
from ...results.training import TrainingOptions

DEFAULT_RACE = (("plain-20", "resnet20_plain"), ("plain-56", "resnet56_plain"), ("ResNet-56", "resnet56"))
"""(label, preset) of each network of the default race, in the order they are shown."""

RACE_OPTIONS = TrainingOptions(steps=120)
"""The default race's options: TrainingOptions' defaults (batch 32, lr 0.01, momentum 0.9, weight decay 5e-4,
seed 0) and 120 steps, enough for plain-56 to fall clearly behind ResNet-56 and for plain-20 to pull ahead of
plain-56."""

GAP_CLEAR_AFTER = 45
"""With RACE_OPTIONS on the default data set, plain-56's loss stays clearly above ResNet-56's (gap_step) from
about this step on: what the app can announce ("the gap is clear after about 45 steps"). Measured with
`python bench/training_bench.py --race`: from step 44 (smoothed losses at step 50: plain-20 1.95, plain-56
2.21, ResNet-56 0.97; at step 100: 1.34, 2.11, 0.55)."""


def default_race() -> dict[str, Graph]:
    """The default race's networks by label."""
    return {label: preset(name) for label, name in DEFAULT_RACE}
