"""Module names from node names: torchvision's dotted paths where possible, safe identifiers always.

'layer1.0' becomes the nested path ('layer1', '0'), so a preset's state_dict keys are torchvision's. A name that
is not a valid identifier is cleaned deterministically ('conv 1' -> 'conv_1', 'x"); import os' ->
'x_import_os'), and a name that collides with another (or with an nn.Module attribute) gets a suffix.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

import torch.nn as nn

from .network import Network

_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]+")
# Names a child module cannot take: the attributes of a module instance ('training', '_modules', ...), of the
# containers nested paths create (nn.Sequential's 'append', ...) and of the network class ('iterate', 'info'),
# Python keywords, and the names exported source uses.
RESERVED = (
    frozenset(dir(nn.Module()))
    | frozenset(dir(nn.Sequential()))
    | frozenset(dir(Network))
    | frozenset(keyword.kwlist)
    | {"info", "_program", "self", "torch", "nn", "F"}
)


def clean_segment(text: str, *, first: bool) -> str:
    """One path segment as a safe, readable identifier (a later segment may be all digits, like '0')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _NOT_IDENTIFIER.sub("_", ascii_text).strip("_")
    cleaned = re.sub(r"_+", "_", cleaned)
    if not cleaned:
        return "node"
    if cleaned.isdigit() and not first:
        return cleaned
    if cleaned[0].isdigit():
        cleaned = "n" + cleaned
    if cleaned in RESERVED:
        cleaned += "_"
    return cleaned


def module_path(name: str) -> tuple[str, ...]:
    """The dotted module path a node name asks for, each segment cleaned."""
    parts = [p for p in name.split(".") if p.strip()] or ["node"]
    return tuple(clean_segment(p, first=i == 0) for i, p in enumerate(parts))


class NameTable:
    """Hands out module paths so that none collides with another and no leaf is also a container."""

    def __init__(self) -> None:
        self._leaves: set[tuple[str, ...]] = set()
        self._containers: set[tuple[str, ...]] = set()

    def _free(self, path: tuple[str, ...]) -> bool:
        if path in self._leaves or path in self._containers:
            return False
        return not any(path[:i] in self._leaves for i in range(1, len(path)))

    def claim(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """`path` if it is free, else a flat variant ('layer1_0', then 'layer1_0_2', ...); records it."""
        chosen = path
        if not self._free(chosen):
            flat = "_".join(path)
            chosen = (flat,)
            n = 2
            while not self._free(chosen):
                chosen = (f"{flat}_{n}",)
                n += 1
        self._leaves.add(chosen)
        for i in range(1, len(chosen)):
            self._containers.add(chosen[:i])
        return chosen

    def is_free(self, path: tuple[str, ...]) -> bool:
        """True when `path` could be claimed as it is."""
        return self._free(path)
