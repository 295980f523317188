"""The fuzz profile (long; not part of the default run): 10,000 malformed files and 5,000 random edit sequences.

    .venv/bin/python -m pytest -m fuzz -n auto -q

Files: each is refused with the project's file error (short lines, starting with the file's name) or, when it
happens to be valid, saves and loads back to the same text. Edit sequences: after every edit the project saves
and loads back to the same text; undoing all restores every earlier file byte for byte, and redoing all does
too. A failure names its seed: `malformed_file(random.Random(seed))` or the sequence's seed reproduces it, and a
regression test for it goes into the default suite (test_malformed_files.py, test_commands.py).
"""

from __future__ import annotations

import random

import pytest

from resnet_studio.core import Analyzer, Graph, preset
from resnet_studio.core.commands import Command
from resnet_studio.core.project import Project, ProjectFileError, from_bytes, to_json

from .fuzzing import BASES, malformed_file, random_edits

pytestmark = pytest.mark.fuzz

FILES = 10_000
SEQUENCES = 5_000
CHUNKS = 20


def _seeds(total: int, chunk: int) -> range:
    per = total // CHUNKS
    return range(chunk * per, (chunk + 1) * per)


def check_file(data: bytes) -> None:
    """Refused with a short file error, or valid and stable through a save and a load."""
    try:
        project = from_bytes(data, "fuzz.json")
    except ProjectFileError as error:
        lines = str(error).splitlines()
        assert lines and all(line.startswith("fuzz.json: ") and len(line) < 1000 for line in lines)
        assert len(lines) <= 22
        return
    text = to_json(project)
    again = from_bytes(text.encode(), "again.json")
    assert again.graph == project.graph and to_json(again) == text


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_malformed_files_fail_only_with_the_file_error(chunk: int) -> None:
    failures = []
    for seed in _seeds(FILES, chunk):
        try:
            check_file(malformed_file(random.Random(seed)))
        except Exception as error:
            failures.append((seed, f"{type(error).__name__}: {str(error)[:200]}"))
    assert not failures, failures[:10]


def check_edit_sequence(seed: int) -> int:
    """Random edits with a save/load round trip after each, then undo all and redo all; returns the edits done."""
    rng = random.Random(seed)
    start = rng.choice(BASES)
    graph = Graph() if start == "empty" else preset(start)
    analyzer = Analyzer(graph)
    texts = [to_json(Project(graph))]
    done: list[Command] = []
    try:
        for command in random_edits(rng, graph, analyzer, rng.randint(1, 12)):
            done.append(command)
            analyzer.analyze()
            text = to_json(Project(graph))
            loaded = from_bytes(text.encode(), "step.json")
            assert loaded.graph == graph and to_json(loaded) == text
            texts.append(text)
        for command, before in zip(reversed(done), reversed(texts[:-1])):
            command.undo(graph)
            assert to_json(Project(graph)) == before
        for command, after in zip(done, texts[1:]):
            command.do(graph)
            assert to_json(Project(graph)) == after
    finally:
        analyzer.close()
    return len(done)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_edit_sequences_undo_redo_and_round_trip(chunk: int) -> None:
    failures = []
    for seed in _seeds(SEQUENCES, chunk):
        try:
            check_edit_sequence(seed)
        except Exception as error:
            failures.append((seed, f"{type(error).__name__}: {str(error)[:200]}"))
    assert not failures, failures[:10]
