"""Hostile and broken project files: each is the project's one file error, short, pointing into the file.

Every case here once crashed, hung or grew without bound: a 50 MB text quoted whole, a 5,000-digit integer,
NaN positions saved as non-standard JSON, /dev/zero and FIFOs read for ever, millions of bad nodes collected,
deep nesting quoted back, lone surrogates misreported, hundreds of thousands of edges to missing nodes.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
from pathlib import Path

import pytest

from resnet_studio.core import Graph, ParameterError, preset
from resnet_studio.core.project import (
    MAX_FILE_BYTES,
    Project,
    ProjectFileError,
    ProjectSaveError,
    from_bytes,
    load_project,
    save,
    to_json,
    why_not_opened,
)
from resnet_studio.core.project_read import MAX_PROBLEMS

BIG = 50_000_000


def base() -> dict:  # type: ignore[type-arg]
    return json.loads(to_json(Project(preset("resnet18"))))


def first_position(text: str, x: str) -> str:
    """The text with the first node's position's x written as `x` (any JSON text)."""
    return re.sub(r'"position": \[[^\]]*\]', f'"position": [{x}, 0.0]', text, count=1)


def refusal(data: bytes | str, source: str = "net.json") -> ProjectFileError:
    with pytest.raises(ProjectFileError) as caught:
        from_bytes(data.encode() if isinstance(data, str) else data, source)
    return caught.value


def short(error: ProjectFileError, limit: int = 300) -> str:
    """The message, checked to be a few short lines."""
    text = str(error)
    assert all(len(line) < limit for line in text.splitlines()), text[:1000]
    return text


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("param", "nodes[3].params.stride: Stride: expected an integer from 1 to 4, found 'xxxxx"),
        ("name", "nodes[3].name: expected at most 200 characters, found 'xxxxx"),
        ("description", "description: expected at most 100000 characters, found 'xxxxx"),
        ("edge", "edges[2].src: expected at most 200 characters, found 'xxxxx"),
        ("key", "nodes[3].params.'xxxxx"),
    ],
)
def test_a_50_mb_text_is_quoted_in_a_few_dozen_characters(place: str, expected: str) -> None:
    d = base()
    huge = "x" * BIG
    if place == "param":
        d["nodes"][3]["params"]["stride"] = huge
    elif place == "name":
        d["nodes"][3]["name"] = huge
    elif place == "description":
        d["description"] = huge
    elif place == "edge":
        d["edges"][2]["src"] = huge
    else:
        d["nodes"][3]["params"][huge] = 1
    text = short(refusal(json.dumps(d)))
    assert expected[:40] in text and "(50,000,000 characters)" in text


@pytest.mark.parametrize("where", ["param", "version", "position", "batch"])
def test_a_5000_digit_integer_is_the_file_error(where: str) -> None:
    digits = "9" * 5000
    text = to_json(Project(preset("resnet18")))
    if where == "param":
        text = text.replace('"out_channels": 64', f'"out_channels": {digits}', 1)
    elif where == "version":
        text = text.replace('"format_version": 1', f'"format_version": {digits}', 1)
    elif where == "position":
        text = first_position(text, digits)
    else:
        text = text.replace('"batch_size": 1', f'"batch_size": {digits}', 1)
    message = short(refusal(text))
    assert "a 5,000-digit number" in message


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_positions_are_refused(value: str) -> None:
    text = first_position(to_json(Project(preset("resnet18"))), value)
    message = short(refusal(text))
    assert "line 8, column 3, nodes[0].position[0]: expected a finite number" in message


def test_non_finite_numbers_are_never_written(tmp_path: Path) -> None:
    graph = preset("resnet18")
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ParameterError, match="two finite numbers"):
            graph.move("stem", (bad, 0.0))
        with pytest.raises(ParameterError, match="two finite numbers"):
            graph.add_node(graph.make_node("ReLU", position=(0.0, bad)))
    assert "NaN" not in to_json(Project(graph)) and "Infinity" not in to_json(Project(graph))
    broken = Graph()
    node = broken.make_node("ReLU")
    broken.add_node(node)
    object.__setattr__(broken.node(node.id), "position", (math.nan, 0.0))  # as a bug elsewhere might
    with pytest.raises(ValueError):
        to_json(Project(broken))
    with pytest.raises(ProjectSaveError, match="previous file is unchanged"):
        save(broken, tmp_path / "net.json")


def test_a_file_above_the_size_cap_is_refused_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "huge.json"
    with big.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 4096)  # sparse: no disk used
    with pytest.raises(ProjectFileError, match="larger than 64 MiB, the most a project file may be"):
        load_project(big)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading() -> None:
    with pytest.raises(ProjectFileError, match="is a device, not a project file"):
        load_project("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_with_no_writer_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome: list[str] = []

    def open_it() -> None:
        try:
            load_project(fifo)
        except ProjectFileError as error:
            outcome.append(str(error))

    reader = threading.Thread(target=open_it, daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # unblock the reader before failing, so the test run goes on
        with open(fifo, "wb"):
            pass
        pytest.fail("loading a FIFO blocked")
    assert outcome and "is a pipe (FIFO), not a project file" in outcome[0]


def test_millions_of_malformed_nodes_stop_after_a_few_dozen_problems() -> None:
    count = 1_000_000
    data = (
        '{"format": "resnet-studio", "format_version": 1, "nodes": [' + ",".join(['{"id":1}'] * count) + "]}"
    )
    error = refusal(data)
    assert len(error.problems) == MAX_PROBLEMS and error.stopped_at == 1
    message = short(error)
    assert "nodes[0].id: expected a valid string, found 1" in message
    assert "... and 30 more problems" in message and "checking stopped at line 1 after 50 problems" in message
    assert "nodes[17]" not in message  # 20 problems listed, the first 17 nodes give 3 each (id, type, name)


@pytest.mark.parametrize("depth", [300, 900, 5000, 100_000])
@pytest.mark.parametrize("where", ["node", "description", "top"])
def test_deep_nesting_gets_a_short_message_pointing_into_the_file(depth: int, where: str) -> None:
    nested = "[" * depth + "]" * depth
    head = '{"format": "resnet-studio", "format_version": 1'
    data = {
        "node": f'{head}, "nodes": [{nested}]}}',
        "description": f'{head}, "description": {nested}, "nodes": []}}',
        "top": nested,
    }[where]
    message = short(refusal(data))
    assert message.count("\n") == 0
    if where == "top":
        assert "expected a JSON object at the top level" in message or "nested hundreds of levels" in message
    else:
        assert "line 1, column " in message


def test_a_deep_chain_of_exploded_blocks_is_refused() -> None:
    node: dict[str, object] = {"id": "a", "type": "ReLU", "name": "a"}
    inner = node
    for i in range(200):
        inner["expanded_from"] = {"id": f"e{i}", "type": "ReLU", "name": f"e{i}"}
        inner = inner["expanded_from"]  # type: ignore[assignment]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2000))
    data = json.dumps({"format": "resnet-studio", "format_version": 1, "nodes": [node]})
    message = short(refusal(data))
    assert "nodes[0].expanded_from: is exploded from more than 8 blocks" in message


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\udc00x"])
def test_a_lone_surrogate_is_reported_as_such(escape: str) -> None:
    text = to_json(Project(preset("resnet18"))).replace('"name": "stem"', f'"name": "st{escape}em"', 1)
    message = short(refusal(text))
    assert f"nodes[1].name: contains {escape[:6]}, half of a character pair (a lone surrogate)" in message
    assert "hex escape" not in message


def test_a_lone_surrogate_cannot_enter_a_graph() -> None:
    graph = preset("resnet18")
    with pytest.raises(ParameterError, match="lone surrogate"):
        graph.rename("stem", "st\ud800em")
    with pytest.raises(ParameterError, match="lone surrogate"):
        graph.add_node(graph.make_node("ReLU", name="x\udc00"))


@pytest.mark.parametrize("nodes_first", [True, False])
def test_hundreds_of_thousands_of_edges_to_missing_nodes_stop_early(nodes_first: bool) -> None:
    edges = ",".join(
        f'{{"src": "a{i}", "src_port": "out", "dst": "b{i}", "dst_port": "x"}}' for i in range(200_000)
    )
    head = '{"format": "resnet-studio", "format_version": 1'
    data = (
        f'{head}, "nodes": [], "edges": [{edges}]}}'
        if nodes_first
        else f'{head}, "edges": [{edges}], "nodes": []}}'
    )
    error = refusal(data)
    assert len(error.problems) == MAX_PROBLEMS
    message = short(error)
    assert "edges[0]: a0.out -> b0.x: there is no node 'a0'" in message
    assert error.stopped_at == 1  # stopped after 50 problems (edges listed first are read once the nodes are)


def edges_first(text: str) -> str:
    """A saved project's text with its edges moved before its nodes (as a hand-written file may list them)."""
    document = json.loads(text)
    edges, nodes = document.pop("edges"), document.pop("nodes")
    document["edges"], document["nodes"] = edges, nodes
    return json.dumps(document, indent=1)


def test_a_file_listing_its_edges_before_its_nodes_opens_as_the_same_project() -> None:
    text = to_json(Project(preset("resnet18")))
    assert from_bytes(edges_first(text).encode()).graph == from_bytes(text.encode()).graph


def test_edges_listed_before_the_nodes_are_checked_as_they_are_read() -> None:
    """The nodes after them are read first: 200 edges to missing nodes stop the reading at the 50th, before the
    broken text further on in the edges is reached (as when the nodes come first)."""
    bad = ",".join(
        f'{{"src": "a{i}", "src_port": "out", "dst": "b{i}", "dst_port": "x"}}' for i in range(200)
    )
    data = f'{{"format": "resnet-studio", "format_version": 1, "edges": [{bad}, ]]], "nodes": [{{"id": 1}}]}}'
    error = refusal(data)
    assert len(error.problems) == MAX_PROBLEMS, error.problems[:3]
    assert "nodes[0].id" in str(error.problems[0])  # the node's own problem, then the edges'
    assert "edges[0]: a0.out -> b0.x: there is no node 'a0'" in str(error)
    assert "not valid JSON" not in str(error)


def test_a_nodes_key_inside_an_edge_is_not_taken_for_the_nodes() -> None:
    text = to_json(Project(preset("resnet18")))
    document = json.loads(edges_first(text))
    document["edges"][-1]["nodes"] = []
    error = refusal(json.dumps(document))
    assert [p.location for p in error.problems] == [f"edges[{len(document['edges']) - 1}].nodes"]
    del document["nodes"]
    error = refusal(json.dumps(document))
    assert "nodes: missing" in str(error)


def test_nodes_listed_twice_after_the_edges_are_reported() -> None:
    document = json.loads(edges_first(to_json(Project(preset("resnet18")))))
    text = json.dumps(document)
    text = text[:-1] + ', "nodes": []}'
    assert "nodes: appears twice in the file" in str(refusal(text))


def test_the_listing_names_each_problem_once_without_the_file() -> None:
    """The command line prints each problem after the file's name; a window names the file once and lists them."""
    bad = ",".join(f'{{"src": "a{i}", "src_port": "out", "dst": "b{i}", "dst_port": "x"}}' for i in range(60))
    error = refusal(
        f'{{"format": "resnet-studio", "format_version": 1, "nodes": [], "edges": [{bad}]}}', "x.json"
    )
    lines = str(error).splitlines()
    assert all(line.startswith("x.json: ") for line in lines)
    listing = error.listing(12).splitlines()
    assert listing[0].startswith("line 1, column ") and "edges[0]: a0.out -> b0.x" in listing[0]
    assert listing[12:] == [
        f"... and {MAX_PROBLEMS - 12} more problems",
        f"checking stopped at line 1 after {MAX_PROBLEMS} problems; fix these and open the file again to see any "
        "later ones",
    ]
    assert [f"x.json: {line}" for line in error.listing().splitlines()] == lines


def test_why_a_file_was_not_opened_fits_on_one_line(tmp_path: Path) -> None:
    error = refusal(
        '{"format": "resnet-studio", "format_version": 1, "nodes": [{"id": "a\\nb"}, 7]}', "x.json"
    )
    why = why_not_opened(error)
    assert why.startswith("line 1, column ") and "\n" not in why and "x.json" not in why
    assert why.endswith(f"(and {len(error.problems) - 1 + error.more} more problems)")
    assert (
        why_not_opened(FileNotFoundError(2, "No such file or directory", str(tmp_path)))
        == "No such file or directory"
    )


@pytest.mark.parametrize("version", [1, 99, "one"])
def test_a_version_after_the_nodes_is_checked_once_it_is_read(version: object) -> None:
    """Members come in any order: a version listed after the nodes is no reason to refuse them before it is read."""
    saved = json.loads(to_json(Project(preset("resnet18"))))
    document = {"format": "resnet-studio", "nodes": saved["nodes"], "edges": saved["edges"]}
    text = json.dumps({**document, "format_version": version})
    if version == 1:
        assert len(from_bytes(text.encode()).graph) == 12
    else:
        assert [p.location for p in refusal(text).problems] == ["format_version"]
    bad = ",".join(['{"id": 1}'] * 60)  # reading stops at the 50th problem, before the version
    error = refusal(f'{{"format": "resnet-studio", "nodes": [{bad}], "format_version": 1}}')
    assert len(error.problems) == MAX_PROBLEMS and error.problems[0].location == "nodes[0].id"


def test_a_file_that_is_not_ours_says_so_before_reading_its_nodes() -> None:
    nodes = ",".join(["{}"] * 100_000)
    error = refusal(f'{{"format": "keras", "format_version": 1, "nodes": [{nodes}]}}')
    assert [str(p) for p in error.problems] == [
        "format: expected 'resnet-studio': this is not a ResNet Studio project (found 'keras')"
    ]
    error = refusal(f'{{"nodes": [{nodes}], "what": 1}}')
    assert "this is not a ResNet Studio project (found 'nothing')" in str(error)


def test_problems_point_at_the_line_of_their_node_in_a_saved_file() -> None:
    text = to_json(Project(preset("resnet18")))
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if '"id": "layer3.0"' in line)
    bad = text.replace('"stride": 2', '"stride": 9')
    message = str(refusal(bad))
    assert (
        f"line {row + 1}, column 3, nodes[" in message
        and "Stride: expected an integer from 1 to 4" in message
    )


# --- findings of the fuzz profile (tests/core/test_fuzz.py), kept here so the default run repeats them -----------


@pytest.mark.parametrize("text", ["a\nb", "x\u2028y", "tab\there", "nul\x00", "cr\r", "é\x85"])
@pytest.mark.parametrize("field", ["src_port", "dst_port", "src", "dst"])
def test_line_breaks_in_a_connection_stay_on_one_line(text: str, field: str) -> None:
    d = base()
    d["edges"][3][field] = text
    error = refusal(json.dumps(d), "net\n.json")
    lines = str(error).splitlines()
    assert lines and all(line.startswith("net\\n.json: ") for line in lines)


def test_line_breaks_in_node_names_stay_on_one_line() -> None:
    d = base()
    d["nodes"][2]["name"] = "first\nsecond\u2029third"
    d["nodes"][3]["name"] = "first\nsecond\u2029third"  # the same name twice
    lines = str(refusal(json.dumps(d))).splitlines()
    assert len(lines) == 1 and "first\\nsecond\\u2029third" in lines[0]


@pytest.mark.parametrize("seed", [1538, 2218, 3086, 3888, 4177, 4994, 6364, 7249, 8041])
def test_fuzz_findings_stay_fixed(seed: int) -> None:
    import random

    from .fuzzing import malformed_file
    from .test_fuzz import check_file

    check_file(malformed_file(random.Random(seed)))
