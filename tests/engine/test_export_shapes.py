"""The exported source teaches: every statement of forward() says the shapes it takes and makes, truly, and
shortcuts are named by what they do at their block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from resnet_studio.cli import main
from resnet_studio.core import Graph, preset
from resnet_studio.core.catalogue import get_spec
from resnet_studio.core.expansion import plan_for
from resnet_studio.engine.errors import ExportError
from resnet_studio.engine.export import pytorch_source
from resnet_studio.engine.export.block_code import block_code

from .graphs import small_cnn, two_branch

STATEMENT = re.compile(r"^(\s+)(\w+) = .*  # (.*) -> \[([\d, ]+)\]$")


def forward_body(source: str) -> list[str]:
    start = source.index("    def forward(self", source.index("class Network"))
    end = source.index("\n\n\ndef build_model")
    return source[start:end].splitlines()


def checked(source: str) -> str:
    """The source with an assertion after every forward() statement that its output has the commented shape."""
    lines = []
    for line in source.splitlines():
        lines.append(line)
        match = STATEMENT.match(line)
        if match and line in source[source.index("class Network") :]:
            indent, target, _ins, out = match.groups()
            lines.append(f"{indent}assert list({target}.shape) == [{out}], ({target}.shape, {out!r})")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("graph", "input_shape", "batch"),
    [
        (preset("resnet18"), (3, 64, 64), 2),
        (preset("resnet20"), None, 3),
        (two_branch(), None, 2),
        (small_cnn(), None, 1),
    ],
    ids=["resnet18", "resnet20", "branches", "cnn"],
)
def test_every_forward_statement_has_the_shapes_it_really_makes(
    graph: Graph, input_shape: tuple[int, int, int] | None, batch: int
) -> None:
    source = pytorch_source(graph, input_shape, batch)
    body = forward_body(source)
    statements = [line for line in body[1:] if line.strip() and not line.strip().startswith("#")]
    assert statements and all(re.search(r"  # .*\[\d+(, \d+)*\]$", line) for line in statements), body
    assert all(f"[{batch}, " in line for line in statements)
    assert body[0].endswith("]")  # the inputs' shapes on the def line
    namespace: dict[str, object] = {}
    exec(compile(checked(source), "exported.py", "exec"), namespace)  # our own generated code
    model = namespace["build_model"]().eval()  # type: ignore[operator]
    shapes = namespace["INPUT_SHAPES"]
    inputs = [torch.randn(batch, *s) for s in shapes]  # type: ignore[attr-defined]
    with torch.no_grad():
        model(*inputs)  # every assertion holds


def test_a_zero_pad_shortcut_that_changes_nothing_is_the_identity() -> None:
    graph = preset("resnet20")
    spec = get_spec("BasicBlock")
    unchanged, striding = graph.node("layer1.1"), graph.node("layer2.0")
    assert unchanged.params["shortcut"] == striding.params["shortcut"] == "zero-pad"
    skip = spec.skip_of(unchanged.params, (16, 32, 32))
    assert skip is not None and skip.kind == "identity"
    assert not any(s.name == "shortcut" for s in plan_for(unchanged, (16, 32, 32)))
    skip = spec.skip_of(striding.params, (16, 32, 32))
    assert skip is not None and skip.kind == "zero-pad"
    source = pytorch_source(graph)
    assert source.count("shortcut='zero-pad'") == 2  # layer2.0 and layer3.0, which stride and add channels
    assert "self.layer1 = nn.Sequential(BasicBlock(16, 16), BasicBlock(16, 16), BasicBlock(16, 16))" in source


def test_block_code_writes_the_blocks_own_shapes_into_its_class() -> None:
    code = block_code(preset("resnet50").snapshot(), "layer2.0", batch=2)
    assert code.startswith("# layer2.0 = Bottleneck(256, 128, stride=2, shortcut='projection'), at batch 2")
    assert "def forward(self, x: Tensor) -> Tensor:  # x: [2, 256, 56, 56]" in code
    assert "out = self.relu1(self.bn1(self.conv1(x)))  # [2, 128, 56, 56]" in code
    assert "out = self.relu2(self.bn2(self.conv2(out)))  # [2, 128, 28, 28]" in code
    assert "return self.relu3(add_skip(self, out, x))  # [2, 512, 28, 28]" in code
    assert "projection" in code.split("add_skip(self, out, x))")[-1]
    plain = block_code(preset("resnet20_plain").snapshot(), "layer1.1")
    assert "the skip connection is off" in plain and "skip=False" in plain


def test_block_code_of_a_layer_is_its_own_little_network() -> None:
    code = block_code(preset("resnet18").snapshot(), "stem", batch=1)
    assert "class Network(nn.Module):" in code
    assert "x = self.maxpool(x)  # [1, 64, 112, 112] -> [1, 64, 56, 56]" in code


def test_block_code_of_the_input_and_output_says_what_they_are() -> None:
    network = preset("resnet18").snapshot()
    with pytest.raises(ExportError, match="where the data comes in"):
        block_code(network, "input")
    with pytest.raises(ExportError, match="marks what forward"):
        block_code(network, "output")


def test_block_code_of_a_broken_block_says_why() -> None:
    graph = preset("resnet18")
    graph.set_param("layer2.0", "shortcut", "identity")
    with pytest.raises(ExportError, match=r"layer2\.0 has no code to show"):
        block_code(graph.snapshot(), "layer2.0")


def test_cli_export_writes_the_comments_for_the_batch_asked(tmp_path: Path) -> None:
    target = tmp_path / "net.py"
    assert main(["export", "resnet20", "--to", "pytorch", "-o", str(target), "--batch", "4"]) == 0
    assert "x = self.layer2(x)  # [4, 16, 32, 32] -> [4, 32, 16, 16]" in target.read_text()
