"""ResNet Studio: design, inspect and teach residual networks.

The notebook API is loaded lazily, so `import resnet_studio.core` never pulls in torch or Qt:

    import resnet_studio as rs
    g = rs.preset("resnet50")
    a = rs.analyze(g, input_shape=(3, 224, 224))
    a.totals.params, a.totals.macs

    opened = rs.open_checkpoint("resnet50.pth")      # the network in a state-dict file, with its weights
    g = rs.from_module(model, input_shape=(3, 224, 224))   # or an nn.Module's
    rs.show(g)                                       # drawn inline in Jupyter
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> (module, attribute). Engine entries import torch on first use only.
_API: dict[str, tuple[str, str]] = {
    "preset": ("resnet_studio.core.presets", "preset"),
    "preset_names": ("resnet_studio.core.presets", "preset_names"),
    "analyze": ("resnet_studio.core.analysis", "analyze"),
    "Analyzer": ("resnet_studio.core.analysis", "Analyzer"),
    "RunSettings": ("resnet_studio.core.analysis", "RunSettings"),
    "Graph": ("resnet_studio.core.graph", "Graph"),
    "Node": ("resnet_studio.core.model", "Node"),
    "Edge": ("resnet_studio.core.model", "Edge"),
    "load": ("resnet_studio.core.project", "load"),
    "save": ("resnet_studio.core.project", "save"),
    "load_project": ("resnet_studio.core.project", "load_project"),
    "Project": ("resnet_studio.core.project", "Project"),
    "expand_all": ("resnet_studio.core.expansion", "expand_all"),
    "plain_twin": ("resnet_studio.core.presets", "plain_twin"),
    "build": ("resnet_studio.engine.assembly", "build"),
    "run_forward": ("resnet_studio.engine.run", "run_forward"),
    "list_devices": ("resnet_studio.engine.run", "list_devices"),
    "CancelToken": ("resnet_studio.engine.run", "CancelToken"),
    "CaptureOptions": ("resnet_studio.engine.run", "CaptureOptions"),
    "gradient_flow": ("resnet_studio.engine.gradflow", "gradient_flow"),
    "compare_gradient_flow": ("resnet_studio.engine.gradflow", "compare_gradient_flow"),
    "compute_landscape": ("resnet_studio.engine.landscape", "compute_landscape"),
    "load_weights": ("resnet_studio.engine.weights", "load_weights"),
    "save_weights": ("resnet_studio.engine.weights", "save_weights"),
    "export_pytorch": ("resnet_studio.engine.export", "export_pytorch"),
    "export_onnx": ("resnet_studio.engine.export", "export_onnx"),
    "export_program": ("resnet_studio.engine.export", "export_program"),
    "open_checkpoint": ("resnet_studio.engine.checkpoint", "open_checkpoint"),
    "attach_weights": ("resnet_studio.engine.checkpoint", "attach_weights"),
    "from_module": ("resnet_studio.engine.importer", "from_module"),
    "show": ("resnet_studio.cli.notebook", "show"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'resnet_studio' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
