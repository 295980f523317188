"""What every project file says about itself, and its problems: kept free of the validation machinery
(pydantic), so that code which only writes files or names problems does not load it."""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = "resnet-studio"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One thing wrong with a project file: where (line and column in the file, path inside the document), and what."""

    location: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = [f"line {self.line}, column {self.column}"] if self.line is not None else []
        if self.location:
            where.append(self.location)
        return f"{', '.join(where)}: {self.message}" if where else self.message
