"""torch.export: the network as an ExportedProgram (.pt2), loadable with torch.export.load."""

from __future__ import annotations

from pathlib import Path

import torch

from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ..assembly import Network, build
from ..errors import ExportError
from .shapes import batch_free


def export_program(
    network: Graph | GraphSnapshot | Network,
    path: str | Path,
    input_shape: tuple[int, int, int] | None = None,
    *,
    seed: int = 0,
) -> Path:
    """Save the network (eval mode, batch size free) as a torch.export program; load it with torch.export.load."""
    net = network if isinstance(network, Network) else build(network, input_shape, seed=seed)
    net = net.eval()
    inputs = tuple(torch.randn((2, *(net.info.nodes[i].output_shape or ()))) for i in net.info.inputs)
    try:
        program = torch.export.export(net, inputs, dynamic_shapes=batch_free(len(inputs)))
        torch.export.save(program, str(path))
    except Exception as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
        raise ExportError(f"torch.export could not export the network: {first}") from None
    return Path(path)
