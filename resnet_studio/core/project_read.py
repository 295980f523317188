"""Reading a project: each node and connection is checked as soon as it is read, and reading stops after enough
problems, so that a huge malformed file is refused in a moment and without holding all of it in memory twice."""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from .analysis import RunSettings
from .catalogue import get_spec
from .errors import GraphError
from .graph import Graph
from .json_stream import Lines, NotAnObject, TooDeep, find_member, read_array, read_object
from .model import Edge, Node
from .params import Params
from .project_format import FORMAT, FORMAT_VERSION, FileProblem
from .project_schema import (
    MAX_EXPANSION_DEPTH,
    EdgeModel,
    HeaderModel,
    NodeModel,
    expansion_depth,
    field_name,
    problems_of,
)
from .quoting import quote

MAX_PROBLEMS = 50
"""Problems collected before reading stops."""

_STREAMED = frozenset({"nodes", "edges"})
_LISTS = ("nodes", "edges")
_FORMAT_MARK = re.compile(r'"format"\s*:\s*"resnet-studio"')


class _Stop(Exception):
    """Enough problems: stop reading."""


class ProjectReader:
    """Reads one project (text or parsed document), building its graph node by node; see `problems` afterwards."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        self.graph = Graph()
        self.settings = RunSettings()
        self.header: HeaderModel | None = None
        self.problems: list[FileProblem] = []
        self.more = 0
        """Problems found beyond those listed."""
        self.stopped_at: int | None = None
        """The line where reading stopped after MAX_PROBLEMS problems."""
        self._lines = Lines(text)
        self._members: dict[str, object] = {}
        self._where: dict[str, int | None] = {}
        self._failed: set[str] = set()
        self._edges: list[tuple[int, int | None, Edge]] = []
        self._identity_checked = False
        self._edges_later: int | None = None
        """Where the edges start when they come before the nodes and the nodes cannot be found ahead of them
        (they are read once the nodes are)."""
        self._read_ahead: dict[int, int] = {}
        """The nodes read ahead of the edges listed before them: where they start, and the offset after them."""

    # --- entry points -------------------------------------------------------------------------------------

    def read(self) -> None:
        """Read `text`."""
        text = self.text
        try:
            read_object(text, _STREAMED, self._member, self._array, self._element, self._read_ahead)
            if self._edges_later is not None:
                read_array(text, self._edges_later, "edges", self._element)
        except _Stop:
            self._stopped()
            return
        except json.JSONDecodeError as error:
            truncated = " (the file looks truncated)" if error.pos >= len(text.rstrip()) else ""
            self._only(FileProblem("", f"not valid JSON: {error.msg}{truncated}", error.lineno, error.colno))
            return
        except NotAnObject as error:
            self._only(FileProblem("", f"expected a JSON object at the top level, found {error.kind}"))
            return
        except TooDeep as error:
            line, column = self._lines.at(error.position)
            self._only(
                FileProblem(
                    "",
                    "a value here is nested hundreds of levels deep, too deep to read; "
                    f"a project file nests at most a few levels (a node inside {MAX_EXPANSION_DEPTH} others)",
                    line,
                    column,
                )
            )
            return
        self._finish()

    def read_document(self, document: object) -> None:
        """Read an already-parsed JSON document."""
        if not isinstance(document, dict):
            kind = "array" if isinstance(document, list) else quote(document)
            self._only(FileProblem("", f"expected a JSON object at the top level, found {kind}"))
            return
        try:
            for key, value in document.items():
                if key in _STREAMED and isinstance(value, list):
                    self._array(key, None)
                    for i, element in enumerate(value):
                        self._element(key, i, element, None)
                else:
                    self._member(key, value, None)
        except _Stop:
            self._stopped()
            return
        self._finish()

    # --- callbacks ----------------------------------------------------------------------------------------

    def _member(self, key: str, value: object, pos: int | None) -> None:
        if key in self._members or (key in _LISTS and key in self._where):
            self._add(FileProblem(key, "appears twice in the file"), pos)
        self._where[key] = pos
        if key in _LISTS:
            self._add(FileProblem(key, f"expected a list, found {quote(value)}"), pos)
            return
        self._members[key] = value

    def _array(self, key: str, pos: int | None) -> bool:
        if key in self._where:
            self._add(FileProblem(key, "appears twice in the file"), pos)
        self._where[key] = pos
        if key == "edges" and "nodes" not in self._where and pos is not None:
            # The nodes come later: read them first, so that each edge is checked as it is read and a flood of
            # bad edges stops reading early, as when the nodes come first.
            nodes = find_member(self.text, pos, "nodes")
            if nodes is None or not self.text.startswith("[", nodes):
                self._edges_later = pos
                return False
            self._array("nodes", nodes)
            self._read_ahead[nodes] = read_array(self.text, nodes, "nodes", self._element)
        if not self._identity_checked and "format" in self._members:
            # Saved files name their format first: a file that is not ours is refused before its nodes are read.
            self._identity_checked = True
            problem = self._identity(early=True)
            if problem is not None:
                self._only(problem)
                raise _Stop
        return True

    def _element(self, key: str, index: int, value: object, pos: int | None) -> None:
        if key == "nodes":
            self._node(index, value, pos)
        else:
            self._edge(index, value, pos)

    # --- nodes and edges ----------------------------------------------------------------------------------

    def _node(self, index: int, raw: object, pos: int | None) -> None:
        where = f"nodes[{index}]"
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if expansion_depth(raw) > MAX_EXPANSION_DEPTH:
            if isinstance(raw_id, str):
                self._failed.add(raw_id)
            message = f"is exploded from more than {MAX_EXPANSION_DEPTH} blocks, one inside the other"
            self._add(FileProblem(f"{where}.expanded_from", message), pos)
            return
        try:
            model = NodeModel.model_validate(raw)
        except ValidationError as error:
            if isinstance(raw_id, str):
                self._failed.add(raw_id)
            for problem in problems_of(error, where):
                self._add(problem, pos)
            return
        problems = _check_node(model, where)
        if not problems:
            try:
                self.graph.add_node(_node(model))
            except GraphError as error:
                problems.append(FileProblem(where, str(error)))
        if problems:
            self._failed.add(model.id)
            for problem in problems:
                self._add(problem, pos)

    def _edge(self, index: int, raw: object, pos: int | None) -> None:
        where = f"edges[{index}]"
        try:
            model = EdgeModel.model_validate(raw)
        except ValidationError as error:
            for problem in problems_of(error, where):
                self._add(problem, pos)
            return
        edge = Edge(model.src, model.src_port, model.dst, model.dst_port)
        if model.src in self._failed or model.dst in self._failed:
            return  # the node's own problem is already reported
        if "nodes" in self._where:  # arrays do not interleave, so the nodes are all read
            # The nodes are read: a missing one is reported now (so a flood of such edges stops reading early).
            for node_id in (model.src, model.dst):
                if node_id not in self.graph:
                    self._add(
                        FileProblem(where, f"{_edge_text(edge)}: there is no node {quote(node_id)}"), pos
                    )
                    return
        self._edges.append((index, pos, edge))

    # --- the end ------------------------------------------------------------------------------------------

    def _finish(self) -> None:
        problem = self._identity()
        if problem is not None:
            self._only(problem)
            return
        header = {k: v for k, v in self._members.items() if k not in _LISTS}
        try:
            self.header = HeaderModel.model_validate(header)
        except ValidationError as error:
            for problem in problems_of(error, ""):
                key = problem.location.split(".")[0].split("[")[0]
                self._add(problem, self._where.get(key), stop=False)
        if "nodes" not in self._where:
            self._add(FileProblem("nodes", "missing"), None, stop=False)
            self._edges = []  # each would only say that its nodes are missing
        self._drop_edges_to_missing_nodes()
        refused = self.graph.add_edges(edge for _, _, edge in self._edges)
        for n, (i, refusal) in enumerate(refused):
            index, pos, edge = self._edges[i]
            if len(self.problems) >= MAX_PROBLEMS:
                self.more += len(refused) - n
                break
            self._add(FileProblem(f"edges[{index}]", f"{_edge_text(edge)}: {refusal}"), pos, stop=False)
        if self.header is not None:
            s = self.header.settings
            shape = tuple(s.input_shape) if s.input_shape is not None else None
            try:
                self.settings = RunSettings(shape, s.batch_size, s.dtype)  # type: ignore[arg-type]
            except ValueError as error:
                self._add(FileProblem("settings", str(error)), self._where.get("settings"), stop=False)
        self.problems.sort(key=lambda p: p.line if p.line is not None else 0)

    def _drop_edges_to_missing_nodes(self) -> None:
        """Report (and leave out) the edges read before the nodes that name a node the file lacks."""
        graph, kept = self.graph, []
        for index, pos, edge in self._edges:
            missing = edge.src if edge.src not in graph else edge.dst if edge.dst not in graph else None
            if missing is None:
                kept.append((index, pos, edge))
            elif len(self.problems) < MAX_PROBLEMS:
                self._add(
                    FileProblem(f"edges[{index}]", f"{_edge_text(edge)}: there is no node {quote(missing)}"),
                    pos,
                    stop=False,
                )
            else:
                self.more += 1
        self._edges = kept

    def _identity(self, *, early: bool = False) -> FileProblem | None:
        """The problem that makes this no project of ours (wrong format, newer version), if any. `early`: while
        reading, before the last members are read: a version not read yet is no problem (yet)."""
        members = self._members
        found = members.get("format", "nothing")
        if found != FORMAT:
            return FileProblem(
                "format", f"expected {FORMAT!r}: this is not a ResNet Studio project (found {quote(found)})"
            )
        if early and "format_version" not in members:
            return None
        version = members.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            return FileProblem("format_version", f"expected a positive integer, found {quote(version)}")
        if version > FORMAT_VERSION:
            return FileProblem(
                "format_version",
                f"the file was written by a newer ResNet Studio (format {quote(version)}; this version reads up "
                f"to {FORMAT_VERSION}); update ResNet Studio to open it",
            )
        return None

    def _stopped(self) -> None:
        if self.stopped_at is None:
            return  # stopped because this is no project of ours: that one problem says it
        if "format" not in self._members and not _FORMAT_MARK.search(self.text):
            self._only(self._identity() or FileProblem("format", "missing"))
            return
        problem = self._identity(early=True) if "format" in self._members else None  # the rest is unread
        if problem is not None:
            self._only(problem)

    def _only(self, problem: FileProblem) -> None:
        self.problems = [problem]
        self.more = 0
        self.stopped_at = None

    def _add(self, problem: FileProblem, pos: int | None, *, stop: bool = True) -> None:
        if pos is not None and self.text:
            line, column = self._lines.at(pos)
            problem = FileProblem(problem.location, problem.message, line, column)
        self.problems.append(problem)
        if stop and len(self.problems) >= MAX_PROBLEMS:
            self.stopped_at = problem.line if problem.line is not None else 0
            raise _Stop


def _edge_text(edge: Edge) -> str:
    """'src.out -> dst.x', each part cut to a few dozen characters."""
    parts = (field_name(p) for p in (edge.src, edge.src_port, edge.dst, edge.dst_port))
    return "{}.{} -> {}.{}".format(*parts)


def _check_node(m: NodeModel, where: str) -> list[FileProblem]:
    """Problems with a node's type and parameters, each at its own location."""
    try:
        spec = get_spec(m.type)
    except GraphError as error:
        return [FileProblem(f"{where}.type", str(error))]
    problems = []
    for key, value in m.params.items():
        try:
            spec.param(key).validate(value)
        except GraphError as error:
            problems.append(FileProblem(f"{where}.params.{field_name(key)}", str(error)))
    if m.expanded_from is not None:
        problems += _check_node(m.expanded_from, f"{where}.expanded_from")
    return problems


def _node(m: NodeModel) -> Node:
    origin = _node(m.expanded_from) if m.expanded_from is not None else None
    return Node(m.id, m.type, m.name, Params(m.params), (m.position[0], m.position[1]), origin)
