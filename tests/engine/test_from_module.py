"""from_module(): torchvision-style ResNets, CIFAR ResNets and plain chains of layers become graphs whose built
network takes the module's state_dict as it is and gives the module's outputs; anything else is refused with
one error naming the first submodule the catalogue cannot express, and its type."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from resnet_studio.core import preset
from resnet_studio.engine import build
from resnet_studio.engine.importer import ModuleImportError, UnsupportedModuleError, from_module

from .reference_resnet import BasicBlock, Bottleneck, CifarResNet, ResNet, randomise, reference


def round_trip(model: nn.Module, shape: tuple[int, int, int]) -> None:
    """The graph's network loads the module's state_dict strictly, gives it back unchanged, and agrees."""
    graph = from_module(model, shape)
    net = build(graph, shape).eval()
    net.load_state_dict(model.state_dict(), strict=True)
    assert set(net.state_dict()) == set(model.state_dict())
    x = torch.randn(2, *shape)
    with torch.no_grad():
        assert torch.allclose(net(x), model.eval()(x), rtol=1e-4, atol=1e-5)


def test_a_torchvision_resnet_becomes_its_preset() -> None:
    model = randomise(reference("resnet18"), seed=1).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    graph = from_module(model, (3, 224, 224))
    assert graph == preset("resnet18")
    assert model.training  # left as it was, statistics untouched
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("resnet50", marks=pytest.mark.slow),
        pytest.param("resnext50_32x4d", marks=pytest.mark.slow),
    ],
)
def test_bottleneck_resnets_round_trip_their_state_dict(name: str) -> None:
    model = randomise(reference(name, num_classes=7), seed=2)
    graph = from_module(model, (3, 64, 64))
    assert [n.type for n in graph.nodes][:3] == ["Input", "Stem", "Bottleneck"]
    assert graph.node("head").params["num_classes"] == 7
    round_trip(model, (3, 64, 64))


@pytest.mark.parametrize(("groups", "width"), [(1, 64), (8, 8)])
def test_one_bottleneck_per_stage_round_trips(groups: int, width: int) -> None:
    model = randomise(
        ResNet(Bottleneck, [1, 1, 1, 1], num_classes=5, groups=groups, width_per_group=width), seed=5
    )
    graph = from_module(model, (3, 32, 32))
    assert graph.node("layer3.0").params["groups"] == groups
    round_trip(model, (3, 32, 32))


def test_cifar_resnets_round_trip_with_either_shortcut() -> None:
    option_a = randomise(CifarResNet(20, "A"), seed=3)
    graph = from_module(option_a, (3, 32, 32))
    assert graph.node("layer2.0").params["shortcut"] == "zero-pad"
    round_trip(option_a, (3, 32, 32))
    # 'shortcut' rather than torchvision's 'downsample': the blocks stay as their layers, under their own names.
    option_b = randomise(CifarResNet(20, "B", shortcut_name="shortcut", classifier_name="linear"), seed=4)
    graph = from_module(option_b, (3, 32, 32))
    assert graph.node("layer2.0.shortcut.0").type == "Conv2d" and graph.node("linear").type == "Linear"
    round_trip(option_b, (3, 32, 32))


def test_a_plain_chain_of_layers_imports() -> None:
    model = Chain(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 14 * 14, 10),
    )
    round_trip(randomise(model), (1, 28, 28))
    bare = randomise(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU()))  # top-level numbers: n0, n1 in the graph
    assert [n.name for n in from_module(bare, (1, 8, 8)).nodes] == ["input", "0", "1", "output"]


class Chain(nn.Module):
    def __init__(self, *layers: nn.Module) -> None:
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.fc(x.mean((2, 3), keepdim=True)))


class SEBlock(BasicBlock):
    def __init__(self, planes: int) -> None:
        super().__init__(planes, planes)
        self.se = SqueezeExcite(planes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(self.se(out) + x)


class Wrapped(nn.Module):
    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(self.stem(x))


@pytest.mark.parametrize(
    ("body", "path", "kind"),
    [
        (SEBlock(16), "body.se", "SqueezeExcite"),
        (nn.Sequential(nn.Conv2d(16, 16, (3, 1))), "body.0", "Conv2d"),
        (nn.Sequential(nn.Conv2d(16, 16, 3), nn.SiLU()), "body.1", "SiLU"),
        (nn.Sequential(nn.GroupNorm(4, 16)), "body.0", "GroupNorm"),
    ],
)
def test_what_the_catalogue_cannot_express_is_named_with_its_type(
    body: nn.Module, path: str, kind: str
) -> None:
    with pytest.raises(UnsupportedModuleError) as caught:
        from_module(Wrapped(body), (3, 16, 16))
    assert (caught.value.path, caught.value.module_type) == (path, kind)
    assert f"{path} ({kind})" in str(caught.value)


class Branching(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return self.conv(x)
        return F.relu(self.conv(x))


def test_forward_code_that_branches_on_values_is_refused() -> None:
    with pytest.raises(
        ModuleImportError, match=r"could not be traced.*\(Branching\)|\(Branching\) could not"
    ):
        from_module(Branching(), (3, 8, 8))
