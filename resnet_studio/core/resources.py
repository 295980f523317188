"""Where the shipped data lives: resources/ (installed as the resnet_studio.resources package)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def _folders(package: Path) -> tuple[Path, ...]:
    """Where the folder can be on disk: inside the installed package, or beside it in a source checkout (never
    some other distribution's resources/ beside an installed package)."""
    checkout = package.parent
    beside = (checkout / "resources",) if (checkout / "pyproject.toml").is_file() else ()
    return (package / "resources", *beside)


_FOLDERS = _folders(Path(__file__).resolve().parents[1])


def resource_root() -> Traversable:
    """The resources folder: icons, examples, sample images, class names (data only)."""
    # A folder on disk needs no importlib.resources, whose import costs the window's start-up about 5 ms.
    for folder in _FOLDERS:
        if folder.is_dir():
            return folder
    import importlib.resources  # installed where the package is not a folder (a zip archive, say)

    try:
        return importlib.resources.files("resnet_studio.resources")
    except ModuleNotFoundError:
        return _FOLDERS[-1]  # nowhere: reading a file then says which one is missing


def resource(*parts: str) -> Traversable:
    """One file or folder inside resources/, e.g. resource('examples', 'resnet18.json')."""
    node = resource_root()
    for part in parts:
        node = node.joinpath(part)
    return node
