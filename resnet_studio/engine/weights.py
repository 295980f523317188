"""Weights in and out: .pt/.pth through torch.load(weights_only=True), .safetensors when installed.

A file that would need arbitrary Python objects to load (a pickle of classes or functions) is refused before
any of it runs: torch's weights-only unpickler rejects it, and the refusal says why and what to do.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
from torch import Tensor

from ..core.filemode import output_mode
from .errors import UnsafeWeightsError, WeightsError

_WRAPPERS = ("state_dict", "model_state_dict", "model", "net", "weights")
"""Keys under which training scripts commonly nest the state dict inside a checkpoint."""


@dataclass(frozen=True)
class WeightsReport:
    """How a weights file fits a network: what was loaded, missing, unexpected, or of the wrong shape."""

    path: str
    loaded: int
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    mismatched: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = ()
    """(key, shape in the network, shape in the file)."""

    @property
    def ok(self) -> bool:
        """True when every tensor of the network was loaded and nothing was left over."""
        return not (self.missing or self.unexpected or self.mismatched)

    def describe(self, limit: int = 3) -> str:
        """One line: 'loaded 320 tensors' or what does not fit, with the first few keys."""
        if self.ok:
            return f"loaded {self.loaded} tensors from {self.path}"
        parts = []
        if self.missing:
            parts.append(f"{len(self.missing)} missing ({_first(self.missing, limit)})")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected ({_first(self.unexpected, limit)})")
        if self.mismatched:
            shown = ", ".join(
                f"{k}: network {_shape(a)}, file {_shape(b)}" for k, a, b in self.mismatched[:limit]
            )
            more = f", and {len(self.mismatched) - limit} more" if len(self.mismatched) > limit else ""
            parts.append(f"{len(self.mismatched)} of another shape ({shown}{more})")
        return f"the weights in {self.path} do not fit the network: " + "; ".join(parts)


def _first(keys: tuple[str, ...], limit: int) -> str:
    return ", ".join(keys[:limit]) + (", ..." if len(keys) > limit else "")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def read_state_dict(path: str | Path) -> dict[str, Tensor]:
    """The tensors of a weights file, by key (a checkpoint's nested state dict and 'module.' prefixes undone)."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"there is no weights file {str(path)!r}")
    state = _read_safetensors(path) if path.suffix.lower() == ".safetensors" else _read_torch(path)
    return _unwrap(state, path)


def _read_safetensors(path: Path) -> dict[str, Tensor]:
    try:
        from safetensors import SafetensorError
        from safetensors.torch import load_file
    except ImportError:
        raise WeightsError(
            f"{path.name} is a .safetensors file; install the safetensors package to read it"
        ) from None
    try:
        return dict(load_file(str(path), device="cpu"))
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"{path.name} is not a readable .safetensors file ({error})") from None


def _read_torch(path: Path) -> object:
    _check_looks_like_torch(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. about the pickle protocol of a file it then refuses
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "weights only" in str(error).lower() or "weights_only" in str(error).lower():
            found = _what_it_needs(str(error))
            raise UnsafeWeightsError(
                f"{path.name} was refused: loading it would need Python objects{found}, and unpickling them "
                "can run any code on this computer. Only plain tensors are read. If you trust the file, "
                "re-save just its tensors in Python: torch.save(model.state_dict(), 'weights.pt')"
            ) from None
        raise WeightsError(f"{path.name} is not a PyTorch weights file ({_first_line(error)})") from None
    except Exception as error:  # torch.load raises many kinds on a file that is not a checkpoint
        raise WeightsError(f"{path.name} is not a PyTorch weights file ({_first_line(error)})") from None


_ZIP, _PICKLE = b"PK", b"\x80"
"""How a torch.save file starts: a zip archive (PyTorch 1.6 and later) or a pickle (older ones)."""


def _check_looks_like_torch(path: Path) -> None:
    """Refuse, saying what the file seems to be, a file that is no checkpoint at all (JSON, text, an image)."""
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError as error:
        raise WeightsError(f"cannot read {path.name}: {error.strerror or error}") from None
    if head.startswith((_ZIP, _PICKLE)):
        return
    text = head.decode("utf-8", errors="replace").strip()
    printable = bool(text) and all(ch.isprintable() or ch.isspace() for ch in text)
    seems = f"text that starts {text.splitlines()[0][:24]!r}" if printable else "no zip archive or pickle"
    raise WeightsError(
        f"{path.name} is not a PyTorch weights file: it holds {seems}. Weights are .pt or .pth files written "
        "by torch.save(model.state_dict(), ...), or .safetensors files"
    )


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _what_it_needs(message: str) -> str:
    for line in message.splitlines():
        line = line.strip()
        if "GLOBAL" in line or "Unsupported global" in line or "Unsupported operand" in line:
            return f" ({line.rstrip('.')[:160]})"
    return ""


def _unwrap(state: object, path: Path) -> dict[str, Tensor]:
    if isinstance(state, dict):
        for key in _WRAPPERS:
            inner = state.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, Tensor) for v in inner.values()):
                state = inner
                break
    if not isinstance(state, dict):
        raise WeightsError(f"{path.name} holds a {type(state).__name__}, not a dictionary of named tensors")
    tensors = {str(k): v for k, v in state.items() if isinstance(v, Tensor)}
    if not tensors:
        raise WeightsError(f"{path.name} holds no tensors")
    if all(k.startswith("module.") for k in tensors):  # saved from DataParallel
        tensors = {k[len("module.") :]: v for k, v in tensors.items()}
    return tensors


def check_weights(network: nn.Module, state: dict[str, Tensor], path: str = "the file") -> WeightsReport:
    """How `state` fits `network`, without loading anything."""
    own = network.state_dict()
    # BatchNorm fills in num_batches_tracked when a (pre-1.0) checkpoint lacks it.
    missing = tuple(k for k in own if k not in state and not k.endswith("num_batches_tracked"))
    unexpected = tuple(k for k in state if k not in own)
    mismatched = tuple(
        (k, tuple(own[k].shape), tuple(state[k].shape))
        for k in own
        if k in state and own[k].shape != state[k].shape
    )
    loaded = sum(1 for k in state if k in own and own[k].shape == state[k].shape)
    return WeightsReport(path, loaded, missing, unexpected, mismatched)


def load_weights(network: nn.Module, path: str | Path, *, strict: bool = False) -> WeightsReport:
    """Load a weights file into the network and report what did not fit.

    strict: raise WeightsError (loading nothing) unless every tensor fits; else load the ones that fit."""
    state = read_state_dict(path)
    report = check_weights(network, state, Path(path).name)
    if strict and not report.ok:
        raise WeightsError(report.describe() + _saved_from(state))
    own = network.state_dict()
    fitting = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    network.load_state_dict(fitting, strict=False)
    return report


def _saved_from(state: Mapping[str, Tensor]) -> str:
    """What network weights that do not fit were saved from, as advice ('; they are ResNet-34's ...'), or ''
    when they are no ResNet the checkpoint reader knows."""
    from ..core.presets import PRESETS
    from .checkpoint.errors import CheckpointError
    from .checkpoint.graph import architecture_graph, matching_preset
    from .checkpoint.infer import recognise

    try:
        architecture = recognise({key: tuple(tensor.shape) for key, tensor in state.items()})
    except CheckpointError:
        return ""
    name = matching_preset(architecture_graph(architecture))
    classes = architecture.num_classes
    network = (
        f"{PRESETS[name].title}'s ({classes} class{'es' if classes != 1 else ''})"
        if name
        else f"those of a ResNet with {architecture.describe()}"
    )
    return f"; they are {network}: open the file itself as a network to run them"


def save_weights(network: nn.Module, path: str | Path) -> Path:
    """Write the network's state dict (.safetensors when the name says so, else torch.save), atomically."""
    return save_state_dict(network.state_dict(), path)


def save_state_dict(state_dict: Mapping[str, Tensor], path: str | Path) -> Path:
    """Write named tensors (.safetensors when the name says so, else torch.save), atomically."""
    path = Path(path)
    state = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if path.suffix.lower() == ".safetensors":
            try:
                from safetensors.torch import save_file
            except ImportError:
                raise WeightsError("install the safetensors package to save .safetensors files") from None
            save_file(state, temporary)
        else:
            torch.save(state, temporary)
        os.chmod(temporary, output_mode(path))  # mkstemp's file is private; weights are a plain file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
