"""The example projects load, analyse without errors and match the code that generates them."""

from __future__ import annotations

import pytest

from resnet_studio.core.analysis import analyze
from resnet_studio.core.project import from_bytes
from resnet_studio.ui.resources import example_files

from .example_projects import example_projects


def test_every_generated_example_is_shipped() -> None:
    assert set(example_files()) == set(example_projects()) == {"resnet18", "resnet50", "custom_skip"}


@pytest.mark.parametrize("stem", sorted(example_projects()))
def test_example_loads_and_analyses_without_problems(stem: str) -> None:
    file = example_files()[stem]
    project = from_bytes(file.read_bytes(), file.name)
    analysis = analyze(project.graph, project.settings.input_shape)
    assert analysis.ok, [str(d) for d in analysis.diagnostics]
    assert not analysis.diagnostics
    assert project.name
    expected = example_projects()[stem]
    assert project.graph == expected.graph, f"resources/examples/{stem}.json is stale: regenerate it"


def test_custom_example_has_an_explicit_skip_edge() -> None:
    file = example_files()["custom_skip"]
    graph = from_bytes(file.read_bytes(), file.name).graph
    add = graph.node_by_name("block.add")
    sources = [graph.node(e.src).name for e in graph.edges_into(add.id)]
    assert sources == ["block.bn2", "relu1"]
    analysis = analyze(graph)
    assert analysis.nodes[add.id].output_shape == (32, 32, 32)
    assert analysis.totals.params == 19_818
