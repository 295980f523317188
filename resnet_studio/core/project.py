"""Project files: versioned JSON, validated on load with one precise message per problem, saved atomically."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analysis import RunSettings
from .filemode import output_mode
from .graph import Graph
from .model import Node
from .project_format import FORMAT, FORMAT_VERSION, FileProblem
from .quoting import one_line

if TYPE_CHECKING:
    from .project_read import ProjectReader

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest project file read (a 100,000-node network takes about 25 MiB)."""

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "FileProblem",
    "Project",
    "ProjectFileError",
    "ProjectSaveError",
    "from_bytes",
    "from_document",
    "load",
    "load_project",
    "save",
    "to_json",
]


class ProjectFileError(ValueError):
    """A project file that cannot be opened; lists the problems found (up to a few dozen), each with its place."""

    def __init__(
        self, path: str, problems: list[FileProblem], more: int = 0, stopped_at: int | None = None
    ) -> None:
        self.path = path
        self.problems = problems
        self.more = more
        """Problems found beyond those in `problems`."""
        self.stopped_at = stopped_at
        """The line where checking stopped after too many problems (None when the whole file was checked)."""
        where = one_line(path)
        super().__init__("\n".join(f"{where}: {line}" for line in self.listing().splitlines()))

    def first_problem(self) -> str:
        """The first problem on one line, with how many more there are (for a panel's one-line message)."""
        if not self.problems:
            return "the file could not be read"
        hidden = len(self.problems) - 1 + self.more
        at_least = "at least " if self.stopped_at is not None else ""  # reading stopped: there may be more
        more = f" (and {at_least}{hidden} more problem{'s' if hidden > 1 else ''})" if hidden else ""
        return one_line(str(self.problems[0])) + more

    def summary(self) -> str:
        """One line: the file, its first problem and how many more (for the command line)."""
        return f"{one_line(self.path)}: {self.first_problem()}"

    def listing(self, shown: int = 20) -> str:
        """The problems, one per line with its place in the file but without the file's name (for a window
        that names the file once), at most `shown` of them, and where checking stopped."""
        problems = self.problems
        lines = [one_line(str(p)) for p in problems[:shown]]
        hidden = len(problems) - len(lines) + self.more
        if hidden:
            lines.append(f"... and {hidden} more problems")
        if self.stopped_at is not None:
            lines.append(
                f"checking stopped at line {self.stopped_at} after {len(problems)} problems; "
                "fix these and open the file again to see any later ones"
            )
        return "\n".join(lines)


def why_not_opened(error: ProjectFileError | OSError) -> str:
    """One line saying why a project file could not be opened: its first problem (and how many more), or what
    the system said, without the file's name (the message around it names the file once)."""
    if isinstance(error, ProjectFileError):
        return error.first_problem()
    return one_line(error.strerror or str(error))


class ProjectSaveError(OSError):
    """Saving failed; the file on disk is the one that was there before."""


@dataclass
class Project:
    """A graph with its run settings and a title, as stored in one file."""

    graph: Graph
    settings: RunSettings = field(default_factory=RunSettings)
    name: str = ""
    description: str = ""


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


_dumps = partial(json.dumps, ensure_ascii=False, allow_nan=False)


def to_json(project: Project) -> str:
    """The project as the text of a file: standard JSON, one node and one connection per line.

    Raises ValueError for what standard JSON cannot hold (a position that is not a finite number).
    """
    s = project.settings
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": project.name,
        "description": project.description,
        "settings": {
            "input_shape": list(s.input_shape) if s.input_shape else None,
            "batch_size": s.batch_size,
            "dtype": s.dtype,
        },
    }
    lines = ["{"]
    lines += [f" {_dumps(key)}: {_dumps(value)}," for key, value in header.items()]
    lines.append(' "nodes": [')
    lines.append(",\n".join(f"  {_dumps(_node_json(n))}" for n in project.graph.nodes))
    lines.append(" ],")
    lines.append(' "edges": [')
    lines.append(
        ",\n".join(
            f"  {_dumps({'src': e.src, 'src_port': e.src_port, 'dst': e.dst, 'dst_port': e.dst_port})}"
            for e in project.graph.edges
        )
    )
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def save(target: Graph | Project, path: str | os.PathLike[str], settings: RunSettings | None = None) -> Path:
    """Write a project atomically: a crash or a full disk never leaves a truncated file."""
    project = target if isinstance(target, Project) else Project(target, settings or RunSettings())
    path = Path(path)
    try:
        text = to_json(project).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as error:  # a non-finite position, a lone surrogate in a name
        raise ProjectSaveError(f"cannot save {path}: {error}; the previous file is unchanged") from error
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
    """Read a project file and return its graph; raises ProjectFileError with the problems found."""
    return load_project(path).graph


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read a project file; raises ProjectFileError (never another exception) for any unusable file.

    Only regular files are read (a FIFO, a device such as /dev/zero or a socket is refused without waiting on
    it), and at most MAX_FILE_BYTES of them.
    """
    where = str(path)
    return from_bytes(_read_capped(Path(path), where), where)


def _read_capped(path: Path, where: str) -> bytes:
    try:
        # Non-blocking, so that opening a FIFO with no writer returns at once instead of waiting for one.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ProjectFileError(where, [FileProblem("", "no such file")]) from None
    except IsADirectoryError:
        raise ProjectFileError(where, [FileProblem("", "is a folder, not a project file")]) from None
    except PermissionError:
        if path.is_dir():
            raise ProjectFileError(where, [FileProblem("", "is a folder, not a project file")]) from None
        raise ProjectFileError(where, [FileProblem("", "permission denied")]) from None
    except OSError as error:
        raise ProjectFileError(
            where, [FileProblem("", f"cannot be read: {error.strerror or error}")]
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ProjectFileError(where, [FileProblem("", "is a folder, not a project file")])
        if not stat.S_ISREG(mode):
            raise ProjectFileError(
                where,
                [FileProblem("", f"is {_file_kind(mode)}, not a project file (only regular files are read)")],
            )
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise ProjectFileError(
            where, [FileProblem("", f"cannot be read: {error.strerror or error}")]
        ) from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise ProjectFileError(
            where,
            [
                FileProblem(
                    "",
                    f"is larger than {MAX_FILE_BYTES // 2**20} MiB, the most a project file may be "
                    "(a 100,000-node network takes about 25 MiB); is it a project file?",
                )
            ],
        )
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def from_bytes(data: bytes, source: str = "<project>") -> Project:
    """Parse and validate the bytes of a project file."""
    if len(data) > MAX_FILE_BYTES:
        raise ProjectFileError(
            source,
            [
                FileProblem(
                    "", f"is larger than {MAX_FILE_BYTES // 2**20} MiB, the most a project file may be"
                )
            ],
        )
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
    from .project_read import ProjectReader  # pydantic: loaded the first time a file is read

    reader = ProjectReader(text)
    reader.read()
    return _project(reader, source)


def from_document(document: object, source: str = "<project>") -> Project:
    """Validate an already-parsed JSON document and build the project."""
    from .project_read import ProjectReader

    reader = ProjectReader()
    reader.read_document(document)
    return _project(reader, source)


def _project(reader: ProjectReader, source: str) -> Project:
    if reader.problems:
        raise ProjectFileError(source, reader.problems, reader.more, reader.stopped_at)
    assert reader.header is not None
    h = reader.header
    return Project(reader.graph, reader.settings, h.name, h.description)
