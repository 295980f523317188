"""Hand-written references for the families after ResNet, with the names of their reference code: timm's
resnet50d (deep stem, average-pool shortcuts) and seresnet50 (SE blocks), and the pre-activation ResNets of
He et al. 2016 (BN-ReLU-conv, a projection shortcut on the pre-activated input, a last BN-ReLU)."""

from __future__ import annotations

import torch.nn as nn
from torch import Tensor

from .reference_resnet import Bottleneck, conv1x1, conv3x3


class SEModule(nn.Module):
    """timm's SEModule: mean over H and W, 1x1 conv down (bias), ReLU, 1x1 conv up (bias), sigmoid gate."""

    def __init__(self, channels: int, reduced: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, reduced, 1)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(reduced, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        return x * self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True)))).sigmoid()


class SEBottleneck(Bottleneck):
    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None
    ) -> None:
        super().__init__(inplanes, planes, stride, downsample)
        channels = planes * self.expansion
        self.se = SEModule(channels, max(8, int(channels / 16 + 4) // 8 * 8))

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.se(self.bn3(self.conv3(out)))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TimmStyleResNet(nn.Module):
    """ResNet-50 as timm builds resnet50d (deep=True) or seresnet50 (se=True)."""

    def __init__(
        self, layers: list[int], deep: bool = False, se: bool = False, num_classes: int = 1000
    ) -> None:
        super().__init__()
        if deep:
            self.conv1: nn.Module = nn.Sequential(
                conv3x3(3, 32, 2), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
                conv3x3(32, 32), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
                conv3x3(32, 64),
            )  # fmt: skip
        else:
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.act1 = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        block = SEBottleneck if se else Bottleneck
        inplanes, stages = 64, []
        for i, (count, planes) in enumerate(zip(layers, (64, 128, 256, 512))):
            stride = 2 if i else 1
            out = planes * 4
            blocks = []
            for j in range(count):
                downsample = None
                if j == 0:
                    if deep:
                        pool = (
                            nn.AvgPool2d(2, stride, ceil_mode=True, count_include_pad=False)
                            if stride > 1
                            else nn.Identity()
                        )
                        downsample = nn.Sequential(pool, conv1x1(inplanes, out), nn.BatchNorm2d(out))
                    else:
                        downsample = nn.Sequential(conv1x1(inplanes, out, stride), nn.BatchNorm2d(out))
                blocks.append(block(inplanes, planes, stride if j == 0 else 1, downsample))
                inplanes = out
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.act1(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(x.mean((2, 3)))


class PreActUnit(nn.Module):
    """A pre-activation unit, basic (two 3x3) or bottleneck (1x1, 3x3, 1x1 x4)."""

    def __init__(self, inplanes: int, width: int, stride: int, bottleneck: bool) -> None:
        super().__init__()
        out = width * 4 if bottleneck else width
        if bottleneck:
            convs = [conv1x1(inplanes, width), conv3x3(width, width, stride), conv1x1(width, out)]
        else:
            convs = [conv3x3(inplanes, width, stride), conv3x3(width, out)]
        channels = [inplanes, *(c.out_channels for c in convs[:-1])]
        for i, (conv, c) in enumerate(zip(convs, channels), start=1):
            self.add_module(f"bn{i}", nn.BatchNorm2d(c))
            self.add_module(f"conv{i}", conv)
        self.count = len(convs)
        self.downsample = (
            nn.Sequential(conv1x1(inplanes, out, stride)) if stride != 1 or inplanes != out else None
        )

    def forward(self, x: Tensor) -> Tensor:
        activated = self.bn1(x).relu()
        shortcut = x if self.downsample is None else self.downsample(activated)
        out = self.conv1(activated)
        for i in range(2, self.count + 1):
            out = getattr(self, f"conv{i}")(getattr(self, f"bn{i}")(out).relu())
        return out + shortcut


class PreActResNet(nn.Module):
    """He et al. 2016: a bare conv stem (+ max-pool on ImageNet), pre-activation units, BN-ReLU, pool, fc."""

    def __init__(self, imagenet: bool, bottleneck: bool, layers: list[int]) -> None:
        super().__init__()
        widths, classes = ((64, 128, 256, 512), 1000) if imagenet else ((16, 32, 64), 10)
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False) if imagenet else conv3x3(3, widths[0])
        self.maxpool = nn.MaxPool2d(3, 2, 1) if imagenet else nn.Identity()
        inplanes = widths[0]
        for i, (count, width) in enumerate(zip(layers, widths), start=1):
            units = []
            for j in range(count):
                units.append(PreActUnit(inplanes, width, 2 if i > 1 and j == 0 else 1, bottleneck))
                inplanes = width * 4 if bottleneck else width
            self.add_module(f"layer{i}", nn.Sequential(*units))
        self.stages = len(layers)
        self.bn_final = nn.BatchNorm2d(inplanes)
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.conv1(x))
        for i in range(1, self.stages + 1):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(self.bn_final(x).relu().mean((2, 3)))
