"""A landscape as JSON data or an .npz archive, written atomically (a failed write keeps the old file)."""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np

from ...results.landscape import Landscape

Format = Literal["json", "npz"]


def landscape_json(landscape: Landscape, network: str = "") -> dict[str, object]:
    """Everything about a landscape as plain JSON data (null where a number is NaN or infinite)."""
    options = landscape.options
    convexity = landscape.nonconvexity
    curvature = landscape.curvature
    return {
        "network": network,
        "label": landscape.label,
        "status": landscape.status,
        "error": None
        if landscape.error is None
        else {"kind": landscape.error.kind, "message": str(landscape.error)},
        "options": {
            "grid": options.grid,
            "range": options.range,
            "dimensions": options.dimensions,
            "seed": options.seed,
            "include_norm": options.include_norm,
            "statistics": options.statistics,
        },
        "batch_size": landscape.batch_size,
        "device": landscape.device,
        "precision": landscape.precision,
        "processes": landscape.processes,
        "seconds": _number(landscape.seconds),
        "notes": list(landscape.notes),
        "coordinates": _numbers(landscape.coordinates),
        "loss": _numbers(np.where(landscape.computed, landscape.loss, np.nan)),
        "accuracy": _numbers(np.where(landscape.computed, landscape.accuracy, np.nan)),
        "centre_loss": _number(landscape.centre_loss),
        "nonconvexity": None
        if convexity is None
        else {
            "fraction": _number(convexity.fraction),
            "mean_ratio": _number(convexity.mean_ratio),
            "points": convexity.points,
            "roughness": _number(convexity.roughness),
            "ratio": _numbers(convexity.ratio),
        },
        "curvature": None
        if curvature is None
        else {
            "max_eigenvalue": _number(curvature.max_eigenvalue),
            "min_eigenvalue": _number(curvature.min_eigenvalue),
            "ratio": _number(curvature.ratio),
            "iterations": curvature.iterations,
        },
    }


def save_landscape(landscape: Landscape, path: str | Path, format: Format, network: str = "") -> Path:
    """Write the landscape as JSON or .npz (arrays, plus the JSON data without them under 'meta')."""
    data = landscape_json(landscape, network)
    if format == "json":
        payload = (json.dumps(data, indent=1) + "\n").encode()
    else:
        arrays = {
            "coordinates": landscape.coordinates,
            "loss": landscape.loss,
            "accuracy": landscape.accuracy,
            "computed": landscape.computed,
        }
        if landscape.nonconvexity is not None:
            arrays["nonconvexity_ratio"] = landscape.nonconvexity.ratio
        meta = {k: v for k, v in data.items() if k not in ("coordinates", "loss", "accuracy")}
        convexity = meta.get("nonconvexity")
        if isinstance(convexity, dict):
            meta["nonconvexity"] = {k: v for k, v in convexity.items() if k != "ratio"}
        arrays["meta"] = np.array(json.dumps(meta))
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        payload = buffer.getvalue()
    return _write_atomically(Path(path), payload)


def _write_atomically(path: Path, payload: bytes) -> Path:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _numbers(array: np.ndarray) -> list[object]:
    return [_numbers(row) if isinstance(row, np.ndarray) else _number(float(row)) for row in array]
