"""Sharing a landscape's grid between processes with torch.distributed (gloo on CPUs, NCCL on GPUs): each
process computes its batches of points, and after every round all of them hold every result.

A process that dies or stops answering makes the others stop at the next exchange with a DistributedError (the
process group's timeout bounds the wait), instead of waiting for ever.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta

import torch
import torch.distributed as dist

from ..errors import EngineError

ENVIRONMENT = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
"""What torchrun (or srun with these set) gives each process."""


class DistributedError(EngineError):
    """The processes of a distributed run lost each other (one died, was killed or stopped answering)."""


@dataclass(frozen=True)
class Processes:
    """This process's place in a run: its rank among `count` processes."""

    rank: int = 0
    count: int = 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    """Where exchanged tensors live: the CPU for gloo, this process's GPU for NCCL."""
    timeout_s: float = 600.0

    @property
    def leader(self) -> bool:
        """True for the process that writes the results (rank 0)."""
        return self.rank == 0

    def exchange(self, values: torch.Tensor, what: str) -> torch.Tensor:
        """The sum over every process of `values` (each fills only its own slots, zeros elsewhere)."""
        if self.count == 1:
            return values
        shared = values.to(self.device)
        try:
            dist.all_reduce(shared, op=dist.ReduceOp.SUM)
        except Exception as error:  # gloo and NCCL raise RuntimeError subclasses that vary by version
            raise DistributedError(
                f"process {self.rank} of {self.count} lost the others while exchanging {what} "
                f"({_first_line(error)}); another process died or stopped answering within "
                f"{self.timeout_s:g} s - see its own message; nothing was written"
            ) from None
        return shared.to(values.device)


def in_distributed_run() -> bool:
    """True when torchrun (or a launcher setting the same variables) started this process as one of several."""
    return all(name in os.environ for name in ENVIRONMENT) and int(os.environ["WORLD_SIZE"]) > 1


def join(device: torch.device, timeout_s: float = 600.0) -> tuple[Processes, torch.device]:
    """Join the distributed run this process belongs to; gives its place and the device it should compute on
    (cuda:LOCAL_RANK for a GPU run). Without a distributed run, a single process on `device`."""
    if not in_distributed_run():
        return Processes(device=torch.device("cpu"), timeout_s=timeout_s), device
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
        os.environ.setdefault("TORCH_NCCL_BLOCKING_WAIT", "1")  # a timeout raises here, not in a watchdog
        backend, exchange_device = "nccl", device
    else:
        backend, exchange_device = "gloo", torch.device("cpu")
    try:
        if not dist.is_initialized():
            dist.init_process_group(backend, timeout=timedelta(seconds=timeout_s))
    except Exception as error:
        raise DistributedError(
            f"could not join the distributed run ({_first_line(error)}); check MASTER_ADDR, MASTER_PORT and "
            "that every process was started"
        ) from None
    return Processes(dist.get_rank(), dist.get_world_size(), exchange_device, timeout_s), device


def leave() -> None:
    """Leave the distributed run, if this process joined one."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def _first_line(error: BaseException) -> str:
    """The first sentence of PyTorch's message, without the source location gloo puts in front."""
    line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    line = re.sub(r"^\[[^\]]*\]\s*", "", line)
    return line.split(". ")[0][:200]
