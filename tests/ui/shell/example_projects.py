"""The example projects shipped in resources/examples, built with the core API.

Regenerate them with `python -m tests.ui.shell.example_projects` (from the repository root).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.graph import Graph
from resnet_studio.core.layout import layered_layout
from resnet_studio.core.model import Edge
from resnet_studio.core.presets import PRESETS, preset
from resnet_studio.core.project import Project, save

EXAMPLES_FOLDER = Path(__file__).resolve().parents[3] / "resources" / "examples"


def custom_skip() -> Graph:
    """A hand-wired residual network for CIFAR-sized images, with an explicit Add and its skip edge."""
    graph = Graph()

    def add(block_type: str, name: str, **params: object) -> str:
        return graph.add_node(graph.make_node(block_type, params, name=name, node_id=name)).id

    chain = [
        add("Input", "input", channels=3, height=32, width=32),
        add("Conv2d", "conv1", out_channels=32, kernel_size=3, stride=1, padding=1, bias=False),
        add("BatchNorm2d", "bn1"),
        add("ReLU", "relu1"),
    ]
    branch = [
        add("Conv2d", "block.conv1", out_channels=32, kernel_size=3, stride=1, padding=1, bias=False),
        add("BatchNorm2d", "block.bn1"),
        add("ReLU", "block.relu"),
        add("Conv2d", "block.conv2", out_channels=32, kernel_size=3, stride=1, padding=1, bias=False),
        add("BatchNorm2d", "block.bn2"),
    ]
    merge = add("Add", "block.add", inputs=2)
    tail = [
        add("ReLU", "relu2"),
        add("GlobalAvgPool", "avgpool"),
        add("Flatten", "flatten"),
        add("Linear", "fc", out_features=10),
        add("Output", "output"),
    ]
    for src, dst in zip([*chain, *branch], [*chain[1:], *branch]):
        graph.connect(Edge(src, "out", dst, "x"))
    graph.connect(Edge(branch[-1], "out", merge, "in1"))
    graph.connect(Edge(chain[-1], "out", merge, "in2"))  # the skip connection: x goes around F(x)
    graph.connect(Edge(merge, "out", tail[0], "x"))
    for src, dst in itertools.pairwise(tail):
        graph.connect(Edge(src, "out", dst, "x"))
    for node_id, position in layered_layout(graph).items():
        graph.move(node_id, position)
    return graph


def example_projects() -> dict[str, Project]:
    """File stem -> project, for every example."""
    return {
        "resnet18": Project(
            preset("resnet18"), RunSettings(), PRESETS["resnet18"].title, PRESETS["resnet18"].description
        ),
        "resnet50": Project(
            preset("resnet50"), RunSettings(), PRESETS["resnet50"].title, PRESETS["resnet50"].description
        ),
        "custom_skip": Project(
            custom_skip(),
            RunSettings(),
            "Custom residual network",
            "One hand-wired residual block: two 3x3 convolutions and an explicit Add with its skip connection.",
        ),
    }


def main() -> int:
    """Write every example project into resources/examples."""
    EXAMPLES_FOLDER.mkdir(parents=True, exist_ok=True)
    for stem, project in example_projects().items():
        path = save(project, EXAMPLES_FOLDER / f"{stem}.json")
        print(path.relative_to(EXAMPLES_FOLDER.parents[1]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
