"""Project files: precise messages for every malformed file, never another exception; atomic saves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_studio.core import preset
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.project import (
    FORMAT_VERSION,
    Project,
    ProjectFileError,
    ProjectSaveError,
    from_bytes,
    load,
    load_project,
    save,
    to_json,
)


@pytest.fixture
def valid_text() -> str:
    return to_json(Project(preset("resnet18"), RunSettings((3, 64, 64), 4, "bfloat16"), "demo", "a test"))


def doc(text: str) -> dict:  # type: ignore[type-arg]
    return json.loads(text)


def _set_position(text: str, value: list[object]) -> str:
    d = json.loads(text)
    d["nodes"][0]["position"] = value
    return json.dumps(d)


def error_for(data: bytes) -> str:
    with pytest.raises(ProjectFileError) as caught:
        from_bytes(data, "net.json")
    return str(caught.value)


def test_round_trip_keeps_graph_settings_and_names(tmp_path: Path, valid_text: str) -> None:
    project = from_bytes(valid_text.encode())
    path = save(project, tmp_path / "net.json")
    again = load_project(path)
    assert again.graph == project.graph
    assert again.settings == RunSettings((3, 64, 64), 4, "bfloat16")
    assert (again.name, again.description) == ("demo", "a test")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda t: t[: len(t) // 2], "not valid JSON"),
        (
            lambda t: t.replace('"stride": 2', '"stride": "two"', 1),
            "nodes[4].params.stride: Stride: expected an integer from 1 to 4, found 'two'",
        ),
        (lambda t: t.replace('"Stem"', '"Conv3d"'), "nodes[1].type: unknown block type 'Conv3d'"),
        (
            lambda t: t.replace('"dst": "layer1.0"', '"dst": "ghost"'),
            "edges[1]: stem.out -> ghost.x: there is no node 'ghost'",
        ),
        (
            lambda t: t.replace(f'"format_version": {FORMAT_VERSION}', '"format_version": 99'),
            "newer ResNet Studio (format 99",
        ),
        (lambda t: _set_position(t, ["x", 0, 0]), "nodes[0].position: expected 2 items, found 3"),
        (lambda t: _set_position(t, ["x", 0]), "nodes[0].position[0]: expected a valid number, found 'x'"),
        (
            lambda t: t.replace('"format": "resnet-studio"', '"format": "keras"'),
            "not a ResNet Studio project",
        ),
        (lambda t: "[1, 2, 3]", "expected a JSON object at the top level, found array"),
        (lambda t: "", "the file is empty"),
        (lambda t: t.replace('"batch_size": 4', '"batch_size": 0'), "batch size must be a positive integer"),
        (lambda t: t.replace('"name": "stem"', '"name": "input"'), "the name 'input' is already used"),
        (lambda t: t.replace('"nodes"', '"knots"'), "nodes: missing"),
    ],
)
def test_each_malformed_file_gives_one_precise_error(valid_text: str, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert expected in error_for(mutate(valid_text).encode())


def test_cycle_in_file_is_reported_at_the_edge(valid_text: str) -> None:
    d = doc(valid_text)
    d["edges"].append({"src": "layer4.1", "src_port": "out", "dst": "stem", "dst_port": "x"})
    d["edges"] = [e for e in d["edges"] if e["dst"] != "stem"] + d["edges"][-1:]
    message = error_for(json.dumps(d).encode())
    assert "would make a loop" in message and "edges[" in message


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    assert "binary file" in error_for(bytes(range(256)))
    assert "not UTF-8" in error_for(b'{"format": "\xff\xfe"}')
    with pytest.raises(ProjectFileError, match="no such file"):
        load(tmp_path / "missing.json")
    with pytest.raises(ProjectFileError, match="is a folder"):
        load(tmp_path)


def test_every_problem_is_listed_with_its_location(valid_text: str) -> None:
    bad = valid_text.replace('"stride": 2', '"stride": 0').replace('"num_classes": 1000', '"num_classes": -1')
    message = error_for(bad.encode())
    assert message.count("net.json: ") >= 4  # three strided blocks and the head


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_files_fail_only_with_project_file_errors(data: st.DataObject) -> None:
    text = to_json(Project(preset("resnet20")))
    raw = bytearray(text.encode())
    for _ in range(data.draw(st.integers(1, 6))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "json"]))
        if action == "flip" and raw:
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
        elif action == "cut" and raw:
            raw = raw[: data.draw(st.integers(0, len(raw)))]
        elif action == "insert":
            i = data.draw(st.integers(0, len(raw)))
            raw[i:i] = data.draw(st.binary(max_size=8))
        elif action == "json":
            try:
                d = json.loads(raw.decode())
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            value = data.draw(
                st.recursive(
                    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda c: st.lists(c) | st.dictionaries(st.text(), c),
                    max_leaves=5,
                )
            )
            if isinstance(d, dict) and d.get("nodes"):
                node = data.draw(st.sampled_from(d["nodes"]))
                key = data.draw(st.sampled_from([*node.keys(), "params"]))
                node[key] = value
            raw = bytearray(json.dumps(d).encode())
    try:
        from_bytes(bytes(raw), "fuzz.json")
    except ProjectFileError as error:
        assert str(error).startswith("fuzz.json: ")


def test_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "net.json"
    save(preset("resnet18"), target)
    before = target.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ProjectSaveError, match="No space left on device; the previous file is unchanged"):
        save(preset("resnet50"), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temporary file left behind


def test_save_into_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectSaveError, match="cannot save"):
        save(preset("resnet18"), tmp_path / "no" / "such" / "net.json")


def test_examples_ship_and_load_cleanly() -> None:
    from resnet_studio.core import analyze
    from resnet_studio.core.resources import resource

    examples = sorted(p.name for p in resource("examples").iterdir() if p.name.endswith(".json"))
    assert {"resnet18.json", "resnet50.json", "custom_skip.json"} <= set(examples)
    for name in examples:
        project = from_bytes(resource("examples", name).read_bytes(), name)
        assert analyze(project.graph).ok, name
    custom = from_bytes(resource("examples", "custom_skip.json").read_bytes()).graph
    assert any(n.type == "Add" for n in custom.nodes)


def test_new_project_file_is_readable_like_any_saved_file(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        path = save(preset("resnet18"), tmp_path / "shared.json")
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    save(preset("resnet18"), path)
    assert path.stat().st_mode & 0o777 == 0o600  # an existing file keeps its permissions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(7)), name=st.sampled_from(["resnet18", "resnet20", "resnet50_plain"]))
def test_a_file_opens_the_same_whatever_the_order_of_its_members(order: list[int], name: str) -> None:
    """Hand-written files list their members in any order (the edges before the nodes, say): the same project."""
    project = Project(preset(name), RunSettings(input_shape=(3, 64, 64), batch_size=2))
    text = to_json(project)
    document = json.loads(text)
    members = list(document.items())
    assert len(members) <= len(order)
    shuffled = dict(members[i] for i in order if i < len(members))
    again = from_bytes(json.dumps(shuffled, indent=1).encode())
    assert again.graph == project.graph and again.settings == project.settings
    assert to_json(again) == text
