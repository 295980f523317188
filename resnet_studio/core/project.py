"""Project files: versioned JSON, validated on load with one precise message per problem, saved atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .analysis import RunSettings
from .catalogue import get_spec
from .errors import GraphError
from .filemode import output_mode
from .graph import Graph
from .model import Edge, Node
from .params import Params
from .shapes import DTYPE_NAMES

FORMAT = "resnet-studio"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One thing wrong with a project file: where inside the document, and what."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ProjectFileError(ValueError):
    """A project file that cannot be opened; lists every problem found, each with its location."""

    def __init__(self, path: str, problems: list[FileProblem]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}: {p}" for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"{path}: ... and {len(problems) - MAX_PROBLEMS} more problems")
        super().__init__("\n".join(lines))


class ProjectSaveError(OSError):
    """Saving failed; the file on disk is the one that was there before."""


@dataclass
class Project:
    """A graph with its run settings and a title, as stored in one file."""

    graph: Graph
    settings: RunSettings = field(default_factory=RunSettings)
    name: str = ""
    description: str = ""


# --- schema ------------------------------------------------------------------------------------------------

ParamJSON = bool | int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NodeModel(_Strict):
    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    params: dict[str, ParamJSON] = Field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    expanded_from: NodeModel | None = None


class EdgeModel(_Strict):
    src: str
    src_port: str
    dst: str
    dst_port: str


class SettingsModel(_Strict):
    input_shape: tuple[int, int, int] | None = None
    batch_size: int = 1
    dtype: str = "float32"

    @field_validator("dtype")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in DTYPE_NAMES:
            raise ValueError(f"expected one of {', '.join(DTYPE_NAMES)}")
        return value


class ProjectModel(_Strict):
    format: Literal["resnet-studio"]
    format_version: int
    name: str = ""
    description: str = ""
    nodes: list[NodeModel]
    edges: list[EdgeModel] = Field(default_factory=list)
    settings: SettingsModel = Field(default_factory=SettingsModel)


# --- writing -----------------------------------------------------------------------------------------------


def _node_json(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": node.id,
        "type": node.type,
        "name": node.name,
        "params": dict(node.params),
        "position": [node.position[0], node.position[1]],
    }
    if node.expanded_from is not None:
        data["expanded_from"] = _node_json(node.expanded_from)
    return data


def to_json(project: Project) -> str:
    """The project as the text of a file."""
    s = project.settings
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": project.name,
        "description": project.description,
        "settings": {
            "input_shape": list(s.input_shape) if s.input_shape else None,
            "batch_size": s.batch_size,
            "dtype": s.dtype,
        },
        "nodes": [_node_json(n) for n in project.graph.nodes],
        "edges": [
            {"src": e.src, "src_port": e.src_port, "dst": e.dst, "dst_port": e.dst_port}
            for e in project.graph.edges
        ],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def save(target: Graph | Project, path: str | os.PathLike[str], settings: RunSettings | None = None) -> Path:
    """Write a project atomically: a crash or a full disk never leaves a truncated file."""
    project = target if isinstance(target, Project) else Project(target, settings or RunSettings())
    path = Path(path)
    text = to_json(project).encode("utf-8")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by the `with` below, after the error check
            "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise ProjectSaveError(f"cannot save {path}: {error.strerror or error}") from error
    temp = Path(handle.name)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # The temporary file is private (0600); give the project the permissions a plain save would.
        os.chmod(temp, output_mode(path))
        os.replace(temp, path)
        _fsync_folder(folder)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise ProjectSaveError(
            f"cannot save {path}: {error.strerror or error}; the previous file is unchanged"
        ) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the file itself is already synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading -----------------------------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Graph:
    """Read a project file and return its graph; raises ProjectFileError with every problem found."""
    return load_project(path).graph


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read a project file; raises ProjectFileError (never another exception) for any unusable file."""
    path = Path(path)
    where = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ProjectFileError(where, [FileProblem("", "is a folder, not a project file")])
        if size > MAX_FILE_BYTES:
            raise ProjectFileError(
                where, [FileProblem("", f"is {size // 2**20} MiB; a project file is at most 64 MiB")]
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError(where, [FileProblem("", "no such file")]) from None
    except PermissionError:
        raise ProjectFileError(where, [FileProblem("", "permission denied")]) from None
    except OSError as error:
        raise ProjectFileError(
            where, [FileProblem("", f"cannot be read: {error.strerror or error}")]
        ) from None
    return from_bytes(data, where)


def from_bytes(data: bytes, source: str = "<project>") -> Project:
    """Parse and validate the bytes of a project file."""
    if not data.strip():
        raise ProjectFileError(source, [FileProblem("", "the file is empty")])
    if b"\x00" in data[:4096]:
        raise ProjectFileError(
            source, [FileProblem("", "is a binary file, not a ResNet Studio project (JSON)")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectFileError(
            source, [FileProblem("", f"is not UTF-8 text (byte {error.start}); not a ResNet Studio project")]
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        truncated = " (the file looks truncated)" if error.pos >= len(text.rstrip()) else ""
        raise ProjectFileError(
            source,
            [
                FileProblem(
                    f"line {error.lineno}, column {error.colno}", f"not valid JSON: {error.msg}{truncated}"
                )
            ],
        ) from None
    except RecursionError:
        raise ProjectFileError(source, [FileProblem("", "is nested too deeply to be a project")]) from None
    return from_document(document, source)


def from_document(document: object, source: str = "<project>") -> Project:
    """Validate an already-parsed JSON document and build the project."""
    if not isinstance(document, dict):
        kind = type(document).__name__.replace("dict", "object").replace("list", "array")
        raise ProjectFileError(
            source, [FileProblem("", f"expected a JSON object at the top level, found {kind}")]
        )
    if document.get("format") != FORMAT:
        found = document.get("format", "nothing")
        raise ProjectFileError(
            source,
            [
                FileProblem(
                    "format", f"expected {FORMAT!r}: this is not a ResNet Studio project (found {found!r})"
                )
            ],
        )
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectFileError(
            source, [FileProblem("format_version", f"expected a positive integer, found {version!r}")]
        )
    if version > FORMAT_VERSION:
        raise ProjectFileError(
            source,
            [
                FileProblem(
                    "format_version",
                    f"the file was written by a newer ResNet Studio (format {version}; this version reads up to "
                    f"{FORMAT_VERSION}); update ResNet Studio to open it",
                )
            ],
        )
    try:
        # JSON mode: strict types, yet arrays are accepted where the schema has tuples
        model = ProjectModel.model_validate_json(json.dumps(document))
    except ValidationError as error:
        raise ProjectFileError(source, [_pydantic_problem(e) for e in error.errors()]) from None
    except RecursionError:
        raise ProjectFileError(source, [FileProblem("", "is nested too deeply to be a project")]) from None
    return _build(model, source)


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("tuple[float, float]", "tuple[int, int, int]", "NodeModel") or "[" in str(part):
            continue  # pydantic's union branch names say nothing to a user
        else:
            text += ("." if text else "") + str(part)
    return text


def _pydantic_problem(error: Any) -> FileProblem:
    message = str(error["msg"])
    context = error.get("ctx") or {}
    if error.get("type") in ("too_long", "too_short") and "actual_length" in context:
        wanted = context.get("max_length") if error["type"] == "too_long" else context.get("min_length")
        return FileProblem(
            _location(tuple(error["loc"])), f"expected {wanted} items, found {context['actual_length']}"
        )
    if message.startswith("Input should be "):
        message = "expected " + message[len("Input should be ") :]
    elif message == "Field required":
        message = "missing"
    elif message.startswith("Extra inputs are not permitted"):
        message = "unknown field"
    value = error.get("input")
    if error.get("type") not in ("missing",) and not isinstance(value, (dict, list)):
        message += f", found {value!r}"
    return FileProblem(_location(tuple(error["loc"])), message)


def _build(model: ProjectModel, source: str) -> Project:
    problems: list[FileProblem] = []
    graph = Graph()
    failed: set[str] = set()
    for i, node_model in enumerate(model.nodes):
        node_problems = _check_node(node_model, f"nodes[{i}]")
        if not node_problems:
            try:
                graph.add_node(_node(node_model))
            except GraphError as error:
                node_problems.append(FileProblem(f"nodes[{i}]", str(error)))
        if node_problems:
            problems += node_problems
            failed.add(node_model.id)
    for i, e in enumerate(model.edges):
        edge = Edge(e.src, e.src_port, e.dst, e.dst_port)
        if e.src in failed or e.dst in failed:
            continue  # the node's own problem is already reported
        try:
            graph.connect(edge)
        except GraphError as error:
            problems.append(FileProblem(f"edges[{i}]", f"{edge}: {error}"))
    settings = RunSettings()
    try:
        s = model.settings
        settings = RunSettings(s.input_shape, s.batch_size, s.dtype)
    except ValueError as error:
        problems.append(FileProblem("settings", str(error)))
    if problems:
        raise ProjectFileError(source, problems)
    return Project(graph, settings, model.name, model.description)


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
            problems.append(FileProblem(f"{where}.params.{key}", str(error)))
    if m.expanded_from is not None:
        problems += _check_node(m.expanded_from, f"{where}.expanded_from")
    return problems


def _node(m: NodeModel) -> Node:
    origin = _node(m.expanded_from) if m.expanded_from is not None else None
    return Node(m.id, m.type, m.name, Params(m.params), (m.position[0], m.position[1]), origin)
