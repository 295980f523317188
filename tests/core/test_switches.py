"""Whole-network switches: every skip (or every block's normalisation) set in one step, undone exactly."""

from __future__ import annotations

import pytest

from resnet_studio.core.commands import Macro
from resnet_studio.core.errors import ParameterError
from resnet_studio.core.presets import plain_twin, preset
from resnet_studio.core.switches import set_everywhere, switch_values


def test_skips_off_everywhere_is_the_plain_twin_and_undoes_exactly() -> None:
    graph = preset("resnet20")
    before = graph.snapshot()
    command = set_everywhere(graph, "skip", False)
    assert isinstance(command, Macro)
    assert command.describe(graph) == "Set skip connection to off in 9 blocks"
    command.do(graph)
    assert switch_values(graph, "skip") == {False}
    assert {n.params for n in graph.nodes} == {n.params for n in plain_twin(preset("resnet20")).nodes}
    command.undo(graph)
    assert graph.snapshot() == before


def test_normalisation_reaches_the_stem_and_every_block() -> None:
    graph = preset("resnet20")
    command = set_everywhere(graph, "norm", "none")
    assert command is not None and command.describe(graph) == "Set normalisation to none in 10 blocks"
    command.do(graph)
    assert switch_values(graph, "norm") == {"none"}
    assert set_everywhere(graph, "norm", "none") is None  # nothing left to change


def test_mixed_values_show_and_bad_values_are_refused() -> None:
    graph = preset("resnet20")
    block = graph.node_by_name("layer2.1")
    graph.set_param(block.id, "skip", False)
    assert switch_values(graph, "skip") == {True, False}
    with pytest.raises(ParameterError):
        set_everywhere(graph, "norm", "groupnorm")
    with pytest.raises(ParameterError, match="no block"):
        set_everywhere(graph, "dropout_rate", 0.5)
