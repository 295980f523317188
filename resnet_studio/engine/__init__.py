"""Running graphs with PyTorch: build modules, run them, capture activations and gradients, export them.

net = build(graph)                                   # torch module, torchvision's names for the presets
result = run_forward(graph, device="cpu", input="sample", progress=..., cancel=token)
flow = compare_gradient_flow(graph, batch_size=8)    # the network and its plain twin
"""

from .assembly import Network, build
from .errors import (
    BuildError,
    DeviceError,
    EngineError,
    ExportError,
    InputError,
    UnsafeWeightsError,
    WeightsError,
)
from .gradflow import (
    BlockGradient,
    GradientFlow,
    GradientFlowComparison,
    LayerGradient,
    compare_gradient_flow,
    gradient_flow,
)
from .run import (
    Activation,
    ActivationStats,
    CancelToken,
    CaptureOptions,
    DeviceInfo,
    Fault,
    ForwardResult,
    InputSource,
    NodeRecord,
    RunError,
    RunRequest,
    ValueHistogram,
    list_devices,
    run_forward,
    run_request,
)
from .weights import WeightsReport, load_weights, read_state_dict, save_weights

__all__ = [
    "Activation",
    "ActivationStats",
    "BlockGradient",
    "BuildError",
    "CancelToken",
    "CaptureOptions",
    "DeviceError",
    "DeviceInfo",
    "EngineError",
    "ExportError",
    "Fault",
    "ForwardResult",
    "GradientFlow",
    "GradientFlowComparison",
    "InputError",
    "InputSource",
    "LayerGradient",
    "Network",
    "NodeRecord",
    "RunError",
    "RunRequest",
    "UnsafeWeightsError",
    "ValueHistogram",
    "WeightsError",
    "WeightsReport",
    "build",
    "compare_gradient_flow",
    "gradient_flow",
    "list_devices",
    "load_weights",
    "read_state_dict",
    "run_forward",
    "run_request",
    "save_weights",
]
