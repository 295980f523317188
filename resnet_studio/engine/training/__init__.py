"""Training networks on a labelled data set with SGD, alone or side by side (the degradation race).

result = race(default_race(), procedural_dataset(), TrainingOptions(steps=100), on_update=print)
result.curve("plain-56").final_loss, result.curve("ResNet-56").weights   # numpy state dict
"""

from ...results.training import (
    CurveUpdate,
    OptionsError,
    RaceResult,
    TrainedWeights,
    TrainingCurve,
    TrainingOptions,
    TrainingPoint,
    TrainingStop,
    gap_step,
)
from .control import PauseToken
from .defaults import DEFAULT_RACE, GAP_CLEAR_AFTER, RACE_OPTIONS, default_race
from .errors import TrainingError
from .kept import load_trained_weights, save_trained_weights, state_dict
from .race import TrainingFault, iter_race, race, train

__all__ = [
    "DEFAULT_RACE",
    "GAP_CLEAR_AFTER",
    "RACE_OPTIONS",
    "CurveUpdate",
    "OptionsError",
    "PauseToken",
    "RaceResult",
    "TrainedWeights",
    "TrainingCurve",
    "TrainingError",
    "TrainingFault",
    "TrainingOptions",
    "TrainingPoint",
    "TrainingStop",
    "default_race",
    "gap_step",
    "iter_race",
    "load_trained_weights",
    "race",
    "save_trained_weights",
    "state_dict",
    "train",
]
