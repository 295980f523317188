"""The gradient-flow numbers a lecture relies on, at initialisation (CIFAR ResNet-56 and its plain twin, the first
32 images of the procedural data set; the first and last convolution's weight gradient).

Measured here (seed 0; the engine's torchvision initialisation, He normal fan-out for convolutions):
  BatchNorm:    ResNet-56 first 2.9, last 0.73 (3.9x); plain-56 first 592, last 0.41 (1,438x: explosion).
  No BatchNorm: ResNet-56 first 4,204, last 44,530 (1/10.6); plain-56 first 0.0069, last 0.016 (1/2.3).
  No BatchNorm with PyTorch's default initialisation (uniform, a = sqrt 5), as in the reference measurement the
  lecture quotes: ResNet-56 first 0.084, last 0.13 (1/1.5); plain-56 first exactly 0, last 0.0049 (vanishing).
He initialisation was designed to keep plain ReLU networks from vanishing, and it does: without BatchNorm
plain-56 is not the vanishing case unless its weights start as PyTorch's defaults.
"""

from __future__ import annotations

import torch

from resnet_studio.core import Graph
from resnet_studio.core.catalogue import get_spec
from resnet_studio.core.presets import plain_twin, preset
from resnet_studio.engine import build
from resnet_studio.engine.gradflow import compare_gradient_flow
from resnet_studio.engine.landscape.batch import procedural_batch


def without_normalisation(graph: Graph) -> Graph:
    """The same network with every block that has a normalisation parameter set to none."""
    copy = graph.copy()
    for node in copy.nodes:
        if any(p.name == "norm" for p in get_spec(node.type).params):
            copy.set_param(node.id, "norm", "none")
    return copy


def _ratios(network: object, other: object | None = None) -> tuple[float, float]:
    images, labels = procedural_batch(32, 32, seed=0)
    comparison = compare_gradient_flow(network, other, input=images, labels=labels.tolist(), seed=0)  # type: ignore[arg-type]
    assert comparison.ok
    return comparison.network.first_to_last(), comparison.other.first_to_last()


def test_with_batchnorm_resnet56_stays_within_30x_and_plain56_explodes() -> None:
    residual, plain = _ratios(preset("resnet56"))
    assert 1 / 30 < residual < 30
    assert plain > 100


def test_without_batchnorm_resnet56_stays_within_30x_and_he_initialisation_keeps_plain56_alive() -> None:
    residual, plain = _ratios(without_normalisation(preset("resnet56")))
    assert 1 / 30 < residual < 30
    assert 1 / 100 < plain < 100  # not vanishing: see the module's docstring


def test_without_batchnorm_and_pytorch_default_weights_plain56_vanishes() -> None:
    networks = []
    for graph in (preset("resnet56"), plain_twin(preset("resnet56"))):
        net = build(without_normalisation(graph), seed=0, inplace=False)
        torch.manual_seed(0)
        for module in net.modules():
            if isinstance(module, torch.nn.Conv2d):
                module.reset_parameters()
        networks.append(net)
    residual, plain = _ratios(*networks)
    assert 1 / 30 < residual < 30
    assert plain < 1 / 100  # the first layer's gradient vanishes (0 here)
