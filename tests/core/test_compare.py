"""Comparing two networks: totals and stages side by side, B - A and B / A, and the blocks that differ."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from resnet_studio.cli import main
from resnet_studio.core import analyze, preset
from resnet_studio.core.compare import METRICS, compare, compare_networks
from resnet_studio.core.compare_report import render
from resnet_studio.core.project import save

MACS = METRICS[1]
PARAMS = METRICS[0]


def test_resnet34_against_resnet50_part_by_part() -> None:
    c = compare_networks(preset("resnet34"), preset("resnet50"), "resnet34", "resnet50")
    assert [p.name for p in c.parts] == ["total", "stem", "layer1", "layer2", "layer3", "layer4", "head"]
    total = c.total
    assert total.a is not None and total.b is not None
    assert (total.a.params, total.b.params) == (21_797_672, 25_557_032)
    assert total.difference(PARAMS) == 25_557_032 - 21_797_672
    ratio = total.ratio(MACS)
    assert ratio is not None and 1.10 < ratio < 1.13  # fifty layers for about 12% more MACs than thirty-four
    stages = {p.name: p for p in c.parts}
    assert stages["stem"].difference(MACS) == 0  # the same stem
    layer3 = stages["layer3"]
    assert layer3.a is not None and layer3.b is not None
    assert sum(p.a.params for p in c.parts[1:] if p.a) == total.a.params  # the parts add up to the whole
    assert layer3.a.output_shape == (256, 14, 14) and layer3.b.output_shape == (1024, 14, 14)
    assert {d.name for d in c.differences} >= {"layer1.0", "layer3.5", "layer4.2", "head"}
    assert "Bottleneck there, BasicBlock here" in next(
        d.reason for d in c.differences if d.name == "layer1.0"
    )


def test_the_network_before_and_after_an_edit() -> None:
    before = preset("resnet18")
    after = before.copy()
    after.set_param("layer2.0", "shortcut", "zero-pad")
    c = compare(before, analyze(before), after, analyze(after), "before", "after")
    assert [d.name for d in c.differences] == ["layer2.0"]
    assert "shortcut auto there, zero-pad here" not in c.differences[0].reason
    assert "shortcut zero-pad there, auto here" in c.differences[0].reason
    assert c.total.difference(PARAMS) == -(64 * 128 + 2 * 128)  # the 1x1 projection and its BatchNorm
    assert {p.name: p.difference(PARAMS) for p in c.parts}["layer3"] == 0


def test_identical_networks_differ_nowhere() -> None:
    c = compare_networks(preset("resnet20"), preset("resnet20"))
    assert not c.differences
    assert all(p.difference(m) in (0, None) for p in c.parts for m in METRICS)
    assert "every block of A is the same in B" in render(c)


def test_a_stage_only_one_network_has_is_shown_with_none() -> None:
    c = compare_networks(preset("resnet20"), preset("resnet18"), "resnet20", "resnet18")
    layer4 = {p.name: p for p in c.parts}["layer4"]
    assert layer4.a is None and layer4.b is not None and layer4.difference(PARAMS) is None
    assert "(none)" in render(c)


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_cli_compare_in_every_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "resnet34", "resnet50", "--format", fmt, "--batch", "2"]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        total = data["parts"][0]
        assert total["name"] == "total" and total["b"]["params"] == 25_557_032
        assert total["difference"]["params"] == 25_557_032 - 21_797_672
        assert data["settings"]["batch_size"] == 2
    else:
        assert "layer3" in out and "resnet50 against resnet34" in out and "25.56 M" in out
        assert ("| total | Parameters |" in out) == (fmt == "markdown")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["resnet18", "resnet99"], "unknown preset 'resnet99'"),
        (["resnet18"], "the following arguments are required: B"),
        (["resnet18", "resnet34", "--format", "xml"], "invalid choice: 'xml'"),
        (["resnet18", "resnet34", "--input", "3x224"], "3x224"),
        (["resnet18", "missing.json"], "missing.json"),
    ],
)
def test_cli_compare_bad_input_is_one_line_and_status_2(args: list[str], says: str) -> None:
    result = run("compare", *args)
    assert result.returncode == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cli_compare_of_a_broken_network_says_so_and_exits_1(tmp_path: Path) -> None:
    graph = preset("resnet18")
    graph.set_param("layer2.0", "shortcut", "identity")
    save(graph, tmp_path / "broken.json")
    result = run("compare", str(tmp_path / "broken.json"), "resnet18")
    assert result.returncode == 1 and "has 1 error(s)" in result.stderr and "layer2.0" in result.stdout
