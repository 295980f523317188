"""What a forward pass and a gradient-flow pass share before their first layer."""

from __future__ import annotations

import pytest
import torch.nn as nn

from resnet_studio.core.presets import preset
from resnet_studio.engine.assembly import build
from resnet_studio.engine.errors import BuildError, DeviceError, DTypeError, InputError, WeightsError
from resnet_studio.engine.gradflow import gradient_flow
from resnet_studio.engine.run.forward import run_forward
from resnet_studio.engine.run.prepare import prepared_network, run_error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (DTypeError("no float8 here"), "dtype"),
        (DeviceError("no cuda:3"), "device"),
        (BuildError("broken"), "build"),
        (InputError("bad image"), "input"),
        (WeightsError("wrong shape"), "weights"),
    ],
)
def test_each_failure_before_the_first_layer_keeps_its_kind(error: Exception, kind: str) -> None:
    assert run_error(error).kind == kind  # type: ignore[arg-type]
    assert run_error(error).message == str(error)  # type: ignore[arg-type]


def test_a_built_network_keeps_its_outputs_intact_when_asked() -> None:
    net = build(preset("resnet20"), (3, 32, 32))
    assert any(m.inplace for m in net.modules() if isinstance(m, nn.ReLU))
    same = prepared_network(
        net, input_shape=None, seed=0, batch_size=2, train=False, weights=None, inplace=False
    )
    assert same is net
    assert not any(m.inplace for m in net.modules() if isinstance(m, nn.ReLU))


@pytest.mark.parametrize("batch", [0, -3])
def test_a_batch_below_one_is_the_same_input_error_for_both_passes(batch: int) -> None:
    graph = preset("resnet20")
    forward = run_forward(graph, batch_size=batch)
    gradients = gradient_flow(graph, batch_size=batch)
    assert forward.error is not None and gradients.error is not None
    assert forward.error.kind == gradients.error.kind == "input"
    assert (
        forward.error.message == gradients.error.message == f"the batch size must be at least 1, not {batch}"
    )


def test_a_weights_file_that_does_not_exist_fails_both_passes_alike(tmp_path: object) -> None:
    graph = preset("resnet20")
    missing = f"{tmp_path}/missing.safetensors"
    forward = run_forward(graph, weights=missing)
    gradients = gradient_flow(graph, weights=missing)
    assert forward.error is not None and gradients.error is not None
    assert forward.error.kind == gradients.error.kind == "weights"
