"""Giving a structure-only (meta) network real, initialised weights: fast, parallel and repeatable.

torchvision's ResNet initialisation: He-normal convolutions (fan-out, ReLU gain), BatchNorm weight 1 and bias 0,
PyTorch's default Linear. Every tensor draws from its own generator seeded from (seed, position), so the result
does not depend on how many threads did the work.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn as nn


def materialise(module: nn.Module, device: torch.device) -> None:
    """Replace every meta parameter and buffer with uninitialised storage on `device`."""
    for m in module.modules():
        for name, p in m._parameters.items():
            if p is not None:
                fresh = torch.empty(p.shape, dtype=p.dtype, device=device)
                m._parameters[name] = nn.Parameter(fresh, requires_grad=p.requires_grad)
        for name, b in m._buffers.items():
            if b is not None:
                m._buffers[name] = torch.empty(b.shape, dtype=b.dtype, device=device)


def initialise(module: nn.Module, seed: int | None = 0) -> None:
    """Initialise every layer as torchvision does; the same seed always gives the same weights."""
    if seed is None:
        seed = int(torch.randint(0, 2**62, (1,)).item())  # follows torch.manual_seed of the caller
    jobs: list[Callable[[], None]] = []
    for position, m in enumerate(module.modules()):
        if isinstance(m, nn.Conv2d):
            jobs.append(_conv_job(m, seed, position))
        elif isinstance(m, nn.Linear):
            jobs.append(_linear_job(m, seed, position))
        elif callable(reset := getattr(m, "reset_parameters", None)) and (m._parameters or m._buffers):
            reset()  # BatchNorm: weight 1, bias 0, fresh running statistics; no randomness
    device = next((p.device for p in module.parameters()), torch.device("cpu"))
    with torch.no_grad():
        if device.type == "cpu" and len(jobs) > 1 and torch.get_num_threads() > 1:
            # Random number generation runs on one core per tensor; spread the tensors over the cores.
            with ThreadPoolExecutor(max_workers=min(torch.get_num_threads(), 8)) as pool:
                for future in [pool.submit(job) for job in jobs]:
                    future.result()
        else:
            for job in jobs:
                job()


def _generator(tensor: torch.Tensor, seed: int, position: int) -> torch.Generator:
    generator = torch.Generator(device=tensor.device)
    generator.manual_seed((seed * 1_000_003 + position) % (2**63))
    return generator


def _conv_job(m: nn.Conv2d, seed: int, position: int) -> Callable[[], None]:
    def run() -> None:
        generator = _generator(m.weight, seed, position)
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu", generator=generator)
        if m.bias is not None:
            _uniform_bias(m.bias, m.weight[0].numel(), generator)

    return run


def _linear_job(m: nn.Linear, seed: int, position: int) -> Callable[[], None]:
    def run() -> None:
        generator = _generator(m.weight, seed, position)
        nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
        if m.bias is not None:
            _uniform_bias(m.bias, m.weight.shape[1], generator)

    return run


def _uniform_bias(bias: torch.Tensor, fan_in: int, generator: torch.Generator) -> None:
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    nn.init.uniform_(bias, -bound, bound, generator=generator)


def initialise_as_pytorch(module: nn.Module, seed: int = 0) -> None:
    """Re-initialise every convolution and linear layer with PyTorch's own defaults (uniform, a = sqrt 5), seeded,
    as many reference implementations start: deep plain networks without BatchNorm lose their gradient then,
    where He initialisation keeps it."""
    generator_seed = seed * 1_000_003 + 7
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(generator_seed % (2**63))
        for m in module.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.reset_parameters()
