"""Numbers as people read them: '11.69 M', '1.81 GMACs', '9.6 MiB'; exact integers with thin spaces."""

from __future__ import annotations

THIN_SPACE = "\u2009"


def si(value: float, digits: int = 2) -> str:
    """A count with an SI suffix: 11689512 -> '11.69 M', 950 -> '950'."""
    for threshold, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:.{digits}f} {suffix}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"


def params_text(count: int) -> str:
    """A parameter count: '11.69 M'."""
    return si(count)


def macs_text(macs: int) -> str:
    """MACs in G: '1.81 GMACs' (or M/k for small layers)."""
    return f"{si(macs)}MACs" if macs >= 1000 else f"{macs} MACs"


def flops_text(flops: int) -> str:
    """FLOPs as macs_text writes MACs: '3.63 GFLOPs'."""
    return macs_text(flops).replace("MACs", "FLOPs")


def bytes_text(count: int) -> str:
    """A memory size in binary units: '9.6 MiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


def exact(count: int) -> str:
    """The exact integer grouped with thin spaces: '11 689 512'."""
    return f"{count:,}".replace(",", THIN_SPACE)
