"""One process of a distributed landscape for the tests, started with RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT set: `python -m tests.engine.landscape.distributed_worker OUT.npy [DIE_AFTER_POINTS]`.

Rank 0 saves the loss surface to OUT.npy; with DIE_AFTER_POINTS, rank 1 exits abruptly after that many points,
as a killed or crashed process would. Exit status 0, or 1 with the error on stderr."""

from __future__ import annotations

import os
import sys

import numpy as np
import torch

from resnet_studio.engine.landscape import DistributedError, LandscapeOptions, compute_landscape, join, leave
from resnet_studio.engine.landscape.batch import default_batch

from ..graphs import small_cnn


def main(out: str, die_after: int | None) -> int:
    processes, device = join(torch.device("cpu"), timeout_s=30)

    def on_point(point: object) -> None:
        if die_after is not None and processes.rank == 1 and point.done >= die_after:  # type: ignore[attr-defined]
            os._exit(3)

    try:
        landscape = compute_landscape(
            small_cnn(),
            default_batch((3, 20, 18), 4, 10, seed=1),
            LandscapeOptions(grid=5, timeout_s=30),
            processes=processes,
            device=device,
            on_point=on_point,
        )
    except DistributedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        leave()
    if processes.leader:
        np.save(out, landscape.loss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None))
