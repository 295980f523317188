"""Small networks and batches for the landscape tests."""

from __future__ import annotations

import pytest
import torch

from resnet_studio.core import Graph
from resnet_studio.engine.landscape import default_batch

from ..graphs import small_cnn


@pytest.fixture
def network() -> Graph:
    """A tiny classifier (stem, basic block, bottleneck, head; 10 classes) on 3x20x18 images."""
    return small_cnn()


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    """Eight seeded images and labels for it."""
    return default_batch((3, 20, 18), 8, 10, seed=3)
