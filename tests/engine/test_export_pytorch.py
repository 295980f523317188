"""The exported PyTorch source rebuilds the network on its own; names in it can never add code."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings

from resnet_studio.core import Graph, analyze, preset
from resnet_studio.engine import build, save_weights
from resnet_studio.engine.export import export_pytorch, pytorch_source

from .graphs import block_graphs, chain, small_cnn, two_branch

EVIL = "x\"); import os; os.system('touch pwned') #"


def evil_names() -> Graph:
    """A network whose node names hold quotes, newlines and Python code."""
    return chain(
        [
            (EVIL, "Conv2d", {"out_channels": 4}),
            ("'''\nimport os\nos.system('touch pwned')\n'''", "BatchNorm2d", {}),
            ('"""; __import__("os").system("touch pwned"); """', "ReLU", {}),
            ("line\r\nbreak\u2028sep\x00nul", "BasicBlock", {"out_channels": 4}),
            ("# comment\\", "Head", {"num_classes": 3}),
        ],
        (3, 9, 9),
    )


def load_source(source: str) -> torch.nn.Module:
    namespace: dict[str, object] = {}
    exec(compile(source, "exported.py", "exec"), namespace)  # our own generated code, checked below
    return namespace["build_model"]()  # type: ignore[operator]


def check_same_network(graph: Graph, batch: int = 2, input_shape: tuple[int, int, int] | None = None) -> None:
    net = build(graph, input_shape, seed=3).eval()
    exported = load_source(pytorch_source(graph, input_shape)).eval()
    assert list(exported.state_dict()) == list(net.state_dict())
    assert [v.shape for v in exported.state_dict().values()] == [v.shape for v in net.state_dict().values()]
    exported.load_state_dict(net.state_dict(), strict=True)
    inputs = [torch.randn(batch, *net.info.nodes[i].output_shape) for i in net.info.inputs]
    with torch.no_grad():
        expected, got = net(*inputs), exported(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    assert all(torch.equal(a, b) for a, b in zip(expected, got))


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet20", "resnext50_32x4d", "resnet34_plain"])
def test_presets_export_to_torchvision_style_code(name: str) -> None:
    graph = preset(name)
    source = pytorch_source(graph)
    assert "class Bottleneck(nn.Module)" in source and "def build_model() -> Network" in source
    assert "self.layer1 = nn.Sequential(" in source and "x = self.layer1(x)" in source
    assert "resnet_studio" not in source.replace("ResNet Studio", "")
    check_same_network(graph, batch=1, input_shape=(3, 32, 32))


def test_custom_graphs_with_branches_and_several_inputs_export() -> None:
    check_same_network(two_branch())
    check_same_network(small_cnn())
    check_same_network(
        chain([("Stem", {"style": "cifar", "out_channels": 4}), ("Stem", {"out_channels": 4})])
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
@given(block_graphs())
def test_every_block_option_exports_to_the_same_network(graph: Graph) -> None:
    assume(analyze(graph).ok)
    check_same_network(graph)


def test_names_with_code_only_reach_string_literals() -> None:
    source = pytorch_source(evil_names())
    tree = ast.parse(source)
    allowed = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef, ast.Assign, ast.Expr)
    assert all(isinstance(statement, allowed) for statement in tree.body)
    imported = {a.name for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom)) for a in s.names}
    assert imported <= {"annotations", "OrderedDict", "torch", "torch.nn", "Tensor"}
    expressions = [s for s in tree.body if isinstance(s, ast.Expr)]
    assert len(expressions) == 1 and isinstance(expressions[0].value, ast.Constant)  # the docstring
    for statement in tree.body:
        if isinstance(statement, ast.Assign):  # NODE_NAMES and INPUT_SHAPES: literals only
            ast.literal_eval(statement.value)
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not calls & {"system", "__import__", "exec", "eval", "popen", "open"}
    names = ast.literal_eval(next(s.value for s in tree.body if isinstance(s, ast.Assign)))
    assert EVIL in names.values()  # the original names survive, as data


SCRIPT = textwrap.dedent(
    """
    import importlib.abc, importlib.util, json, sys
    class NoStudio(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] == "resnet_studio":
                raise ImportError("the exported file must not need resnet_studio")
    sys.meta_path.insert(0, NoStudio())
    import torch
    results = {}
    for case in json.loads(sys.argv[1]):
        spec = importlib.util.spec_from_file_location(case, case + ".py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.build_model()
        model.load_state_dict(torch.load(case + ".pt", weights_only=True), strict=True)
        model.eval()
        inputs = torch.load(case + ".inputs.pt", weights_only=True)
        with torch.no_grad():
            out = model(*inputs)
        out = out if isinstance(out, tuple) else (out,)
        expected = torch.load(case + ".expected.pt", weights_only=True)
        results[case] = {
            "params": sum(p.numel() for p in model.parameters()),
            "equal": all(torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(out, expected)),
        }
    print(json.dumps(results))
    """
)


def test_exported_files_run_in_a_separate_process_without_resnet_studio(tmp_path: Path) -> None:
    cases = {
        "resnet20": preset("resnet20"),
        "branches": two_branch(),
        "evil": evil_names(),
        "cnn": small_cnn(),
    }
    expected_params = {}
    for case, graph in cases.items():
        net = build(graph, seed=5).eval()
        export_pytorch(graph, tmp_path / f"{case}.py")
        save_weights(net, tmp_path / f"{case}.pt")
        inputs = [torch.randn(2, *net.info.nodes[i].output_shape) for i in net.info.inputs]
        with torch.no_grad():
            out = net(*inputs)
        torch.save(inputs, tmp_path / f"{case}.inputs.pt")
        torch.save(list(out) if isinstance(out, tuple) else [out], tmp_path / f"{case}.expected.pt")
        expected_params[case] = sum(p.numel() for p in net.parameters())
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(list(cases))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout.strip().splitlines()[-1])
    for case in cases:
        assert results[case] == {"params": expected_params[case], "equal": True}
    assert not (tmp_path / "pwned").exists()
