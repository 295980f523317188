"""Loss landscapes (Li et al. 2018): the loss on a fixed batch along seeded, filter-normalised random directions
around a network's weights, streamed as a coarse grid refines; the surface's non-convexity within the slice; the
full Hessian's principal curvatures at the centre; the grid shared between torch.distributed processes.

    images, labels = default_batch((3, 32, 32), 128, classes=10)
    landscape = compute_landscape(snapshot, (images, labels), LandscapeOptions(grid=21), on_point=print)
    landscape.nonconvexity.fraction
"""

from ...results.landscape import (
    Curvature,
    Landscape,
    LandscapeOptions,
    LandscapeOptionsError,
    LandscapePoint,
    NonConvexity,
)
from .batch import default_batch
from .compute import PointCallback, compute_landscape
from .curvature import principal_curvatures
from .directions import random_directions
from .distributed import DistributedError, Processes, in_distributed_run, join, leave
from .nonconvexity import nonconvexity

__all__ = [
    "Curvature",
    "DistributedError",
    "Landscape",
    "LandscapeOptions",
    "LandscapeOptionsError",
    "LandscapePoint",
    "NonConvexity",
    "PointCallback",
    "Processes",
    "compute_landscape",
    "default_batch",
    "in_distributed_run",
    "join",
    "leave",
    "nonconvexity",
    "principal_curvatures",
    "random_directions",
]
