"""The fast builder of frozen dataclass values makes exactly the values the class itself makes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from resnet_studio.core.analysis import NodeAnalysis
from resnet_studio.core.catalogue import LayerCost, Step
from resnet_studio.core.frozen import builder
from resnet_studio.core.params import Params
from resnet_studio.core.shapes import TensorInfo


@dataclass(frozen=True, slots=True)
class _WithFactory:
    name: str
    tags: list[str] = field(default_factory=list)


def test_built_values_equal_the_class_own_and_stay_frozen() -> None:
    make = builder(NodeAnalysis)
    built = make("conv1", "Conv2d", ((3, 224, 224),), (64, 112, 112), 9408, macs=118013952)
    plain = NodeAnalysis("conv1", "Conv2d", ((3, 224, 224),), (64, 112, 112), 9408, macs=118013952)
    assert type(built) is NodeAnalysis
    assert built == plain and hash(built) == hash(plain) and repr(built) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.params = 0  # type: ignore[misc]
    assert dataclasses.replace(built, params=1).params == 1


def test_defaults_and_factories_are_the_class_own() -> None:
    assert builder(TensorInfo)((8, 4, 4)) == TensorInfo((8, 4, 4))
    assert builder(Step)("relu", "ReLU", Params()) == Step("relu", "ReLU", Params())
    assert builder(LayerCost)(TensorInfo((3,)), kept=3) == LayerCost(TensorInfo((3,)), kept=3)
    first, second = builder(_WithFactory)("a"), builder(_WithFactory)("b")
    assert first.tags == [] and first.tags is not second.tags


def test_refuses_classes_it_cannot_build() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclass(slots=True)
    class NotFrozen:
        x: int

    for cls in (NoSlots, NotFrozen, int):
        with pytest.raises(TypeError, match="frozen dataclass with slots"):
            builder(cls)
