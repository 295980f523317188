"""The command line's core subcommands: summary and presets; bad input gives one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from resnet_studio.cli import main
from resnet_studio.core import preset
from resnet_studio.core.presets import PRESETS
from resnet_studio.core.project import save


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio", *args], capture_output=True, text=True, timeout=120
    )


def test_summary_json_has_integer_totals_and_layers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "resnet50", "--input", "3x224x224", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["params"] == 25_557_032
    assert data["totals"]["macs"] == 4_089_184_256
    assert [layer["name"] for layer in data["layers"]][:3] == ["input", "stem", "layer1.0"]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_summary_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "resnet18", "--format", fmt, "--batch", "8"]) == 0
    out = capsys.readouterr().out
    assert "layer4.1" in out
    if fmt != "csv":
        assert "11.69 M params" in out and "@ batch 8 float32" in out
    else:
        assert out.splitlines()[0].startswith("name,type,output_shape,params,macs")


def test_summary_of_expanded_network_lists_primitives(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "resnet18", "--expanded", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["params"] == 11_689_512
    assert "layer1.0.conv1" in [layer["name"] for layer in data["layers"]]


def test_summary_of_broken_project_prints_diagnostics_and_exits_1(tmp_path: Path) -> None:
    graph = preset("resnet18")
    graph.set_param("layer2.0", "shortcut", "identity")
    save(graph, tmp_path / "broken.json")
    result = run("summary", str(tmp_path / "broken.json"))
    assert result.returncode == 1
    assert "error: layer2.0: Basic block: the identity shortcut carries 64x56x56" in result.stderr
    assert "Traceback" not in result.stderr


def test_presets_lists_every_preset_with_a_line() -> None:
    result = run("presets")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == len(PRESETS)
    assert lines[0].startswith("resnet18 ") and "11.69 M params, 1.81 GMACs" in lines[0]


def test_an_unknown_command_lists_every_command() -> None:
    from resnet_studio.cli.dispatch import build_parser

    stderr = run("frobnicate").stderr
    listed = stderr.split("the commands are ", 1)[1].split(" (or give", 1)[0]
    assert listed.split(", ") == sorted(build_parser()[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("summary", "resnet9000"), "no preset or project file named 'resnet9000'"),
        (("summary", "missing.json"), "missing.json: no such file"),
        (
            ("summary", "resnet18", "--input", "3xfoo"),
            "expected an input size like 3x224x224 (CxHxW), found '3xfoo'",
        ),
        (("summary", "resnet18", "--input", "3x224"), "found '3x224': that is 2 numbers"),
        (("summary", "resnet18", "--input", "3x0x224"), "every part of an input size must be at least 1"),
        (("summary", "resnet18", "--batch", "1" + "0" * 200), "batch size must be between 1 and 65,536"),
        (("render", "resnet18", "-o", "x.png", "--input", "224"), "found '224': that is 1 number"),
        (
            ("frobnicate",),
            "unknown command 'frobnicate'; the commands are compare, export, gradflow, landscape",
        ),
        (("summary", "resnet18", "--batch", "0"), "expected a positive integer, found '0'"),
        (("summary",), "the following arguments are required: NAME_OR_FILE"),
    ],
)
def test_bad_input_is_one_clear_line(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "json"])
@pytest.mark.parametrize("size", ["1e200x1e200x1e200", "x".join(["1" + "0" * 200] * 3), "3x100000x100000"])
def test_huge_input_sizes_are_refused_in_one_line(
    size: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["summary", "resnet18", "--input", size, "--format", fmt])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "more than any device could hold" in err or "expected an input size like 3x224x224" in err


def test_the_largest_input_size_still_gives_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "resnet18", "--input", "2x32768x32768", "--format", "markdown"]) == 0
    assert "GiB @ batch 1 float32" in capsys.readouterr().out


def test_every_subcommand_names_the_input_size_input(capsys: pytest.CaptureFixture[str]) -> None:
    from resnet_studio.cli.dispatch import build_parser

    parser, commands = build_parser()
    for command in sorted(commands - {"presets"}):
        with pytest.raises(SystemExit):
            parser.parse_args([command, "--help"])
        text = capsys.readouterr().out
        assert "--input CxHxW" in text and "--input-size" not in text, command


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_preset_name_wins_over_a_file_or_folder_of_that_name(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    if kind == "folder":
        (tmp_path / "resnet18").mkdir()
    else:
        save(preset("resnet20"), tmp_path / "resnet18")
    assert main(["summary", "resnet18", "--format", "csv"]) == 0
    assert "layer4.1" in capsys.readouterr().out  # ResNet-18, not the file
    if kind == "file":
        assert main(["summary", "./resnet18", "--format", "csv"]) == 0
        assert "layer4.1" not in capsys.readouterr().out  # ResNet-20 from the file
    else:
        with pytest.raises(SystemExit) as caught:  # the folder, asked for as a path
            main(["summary", "./resnet18"])
        assert caught.value.code == 2


def test_malformed_project_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "resnet-studio", "format_version": 1, "nodes": [')
    result = run("summary", str(bad))
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("edges", "more"), [(2, "(and 1 more problem)"), (60, "(and at least 49 more problems)")]
)
def test_a_project_file_with_many_problems_says_how_many_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edges: int, more: str
) -> None:
    bad = tmp_path / "bad.json"
    listed = ",".join(
        f'{{"src": "a{i}", "src_port": "out", "dst": "b", "dst_port": "x"}}' for i in range(edges)
    )
    bad.write_text(f'{{"format": "resnet-studio", "format_version": 1, "nodes": [], "edges": [{listed}]}}')
    with pytest.raises(SystemExit) as exit:
        main(["summary", str(bad)])
    assert exit.value.code == 2
    error = capsys.readouterr().err.strip()
    expected = f"{bad}: line 1, column 73, edges[0]: a0.out -> b.x: there is no node 'a0' {more}"
    assert error == f"resnet-studio: error: {expected}"


def test_qt_options_with_values_reach_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from resnet_studio.cli import dispatch as cli_main

    seen: dict[str, object] = {}
    fake = types.SimpleNamespace(run=lambda **kwargs: seen.update(kwargs) or 0)
    monkeypatch.setattr(cli_main.importlib, "import_module", lambda name: fake)
    assert cli_main._open_app(["net.json", "-platform", "offscreen", "--preset=x"]) == 0
    assert seen["file"] == "net.json" and seen["qt_args"] == ["-platform", "offscreen"]


def test_a_stray_word_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["net.json", "typo"])
    assert caught.value.code == 2
    assert "unknown command 'typo'" in capsys.readouterr().err


def test_a_preset_name_alone_opens_the_app_on_that_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from resnet_studio.cli import dispatch as cli_main

    seen: dict[str, object] = {}
    fake = types.SimpleNamespace(run=lambda **kwargs: seen.update(kwargs) or 0)
    real = cli_main.importlib.import_module
    monkeypatch.setattr(
        cli_main.importlib,
        "import_module",
        lambda name: fake if name == "resnet_studio.ui.app" else real(name),
    )
    # Before, `resnet-studio resnet50` was refused as an unknown command.
    assert main(["resnet50", "-platform", "offscreen"]) == 0
    assert (
        seen["preset"] == "resnet50"
        and seen["file"] is None
        and seen["qt_args"] == ["-platform", "offscreen"]
    )
