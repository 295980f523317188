"""from_module(): a PyTorch module -> a graph of catalogue blocks whose module names are the module's own, so
the module's state_dict loads into the built network (and both give the same outputs, which is checked)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.fx as fx
import torch.nn as nn

from ...core.analysis import analyze
from ...core.graph import Graph
from ...core.layout import network_layout
from ...core.model import Edge
from ...core.params import ParamValue
from ..assembly import build
from ..assembly.names import module_path
from .blocks import block_of, computes_the_same, looks_like_block
from .collapse import collapse_flat_blocks
from .errors import ModuleImportError, UnsupportedModuleError
from .functions import HELPER, enclosing, function_blocks
from .layers import PASS_THROUGH, module_block
from .tracing import trace

MAX_RETRACES = 8
"""Block-like modules that turn out not to be blocks are traced through instead; this bounds the retries."""


def from_module(model: nn.Module, input_shape: tuple[int, int, int] = (3, 224, 224)) -> Graph:
    """The graph of a module (torchvision-style ResNets, CIFAR ResNets, chains of the catalogue's layers).

    Raises UnsupportedModuleError naming the first submodule (and its type) that the catalogue cannot express,
    and ModuleImportError when the module cannot be traced or the graph would compute something else."""
    training = model.training
    model.eval()  # BatchNorm on its running statistics, and nothing the module keeps changes
    try:
        excluded: frozenset[str] = frozenset()
        for _ in range(MAX_RETRACES):
            traced = trace(model, input_shape, excluded)
            blocks, failed = _blocks(traced)
            if not failed:
                break
            excluded |= failed
        graph = _graph(model, traced, blocks, input_shape)
        collapse_flat_blocks(graph)
        shapes = {
            node_id: result.output_shape for node_id, result in analyze(graph, input_shape).nodes.items()
        }
        for node_id, position in network_layout(graph, shapes).positions.items():
            graph.move(node_id, position)
        _check(model, graph, input_shape)
    finally:
        model.train(training)
    return graph


def _blocks(traced: fx.GraphModule) -> tuple[dict[str, tuple[str, dict[str, ParamValue]]], frozenset[str]]:
    """Block-like leaves that really are blocks (by their node), and those that are not (to trace through)."""
    found: dict[str, tuple[str, dict[str, ParamValue]]] = {}
    failed: set[str] = set()
    for node in traced.graph.nodes:
        if node.op != "call_module" or not isinstance(node.args[0], fx.Node):
            continue
        module = traced.get_submodule(str(node.target))
        if not looks_like_block(module) or module_block(str(node.target), module) is not None:
            continue
        shape = tuple(node.args[0].meta["shape"][1:])
        mapped = block_of(module, shape[0]) if len(shape) == 3 else None
        if mapped is not None and computes_the_same(module, mapped, shape):
            found[str(node.target)] = mapped
        else:
            failed.add(str(node.target))
    return found, frozenset(failed)


def _graph(
    model: nn.Module,
    traced: fx.GraphModule,
    blocks: dict[str, tuple[str, dict[str, ParamValue]]],
    input_shape: tuple[int, int, int],
) -> Graph:
    graph = Graph()
    values: dict[fx.Node, str] = {}  # fx node -> id of the graph node that produces its value, or HELPER
    called: set[str] = set()  # module paths already turned into a node
    model_type = type(model).__name__

    def kind(node: fx.Node) -> str:
        return values.get(node, "")

    def add(block: str, params: dict[str, ParamValue], name: str, sources: list[str]) -> str:
        unique = graph.unique_name(name)
        made = graph.add_node(graph.make_node(block, params, name=unique, node_id=unique))
        ports = graph.input_ports(made.id)
        for port, source in zip(ports, sources):
            graph.connect(Edge(source, "out", made.id, port))
        return made.id

    for node in traced.graph.nodes:
        if node.op == "placeholder":
            if "input" in graph:
                raise UnsupportedModuleError(
                    f"the model ({model_type}) takes more than one input; a network here has one",
                    "",
                    model_type,
                )
            channels, height, width = input_shape
            values[node] = add("Input", {"channels": channels, "height": height, "width": width}, "input", [])
        elif node.op == "output":
            result = node.args[0]
            if not isinstance(result, fx.Node) or kind(result) in ("", HELPER):
                raise UnsupportedModuleError(
                    f"the model ({model_type}) returns {type(result).__name__}, not one tensor",
                    "",
                    model_type,
                )
            add("Output", {}, "output", [values[result]])
        elif node.op == "call_module":
            values[node] = _module_node(traced, node, blocks, values, add, called)
        elif node.op in ("call_function", "call_method"):
            mapped = function_blocks(node, kind, model_type)
            if mapped == HELPER:
                values[node] = HELPER
                continue
            sources = [values[a] for a in node.args if isinstance(a, fx.Node) and kind(a) != HELPER]
            path, _ = enclosing(node)
            for block, params in mapped:
                base = graph.make_node(block, params).name.rstrip("_0123456789") or block.lower()
                sources = [add(block, params, f"{path}.{base}" if path else base, sources)]
            values[node] = sources[0]
        else:  # get_attr: a parameter used directly in forward
            path = str(node.target)
            raise UnsupportedModuleError(
                f"the model ({model_type}) uses the tensor {path} directly in its forward; only layers and "
                "blocks can hold weights here",
                path,
                model_type,
            )
    return graph


def _module_node(
    traced: fx.GraphModule,
    node: fx.Node,
    blocks: dict[str, tuple[str, dict[str, ParamValue]]],
    values: dict[fx.Node, str],
    add: Callable[[str, dict[str, ParamValue], str, list[str]], str],
    called: set[str],
) -> str:
    path = str(node.target)
    module = traced.get_submodule(path)
    source = node.args[0]
    if len(node.args) != 1 or node.kwargs or not isinstance(source, fx.Node):
        raise UnsupportedModuleError(
            f"{path} ({type(module).__name__}) is called with more than one input", path
        )
    if isinstance(module, PASS_THROUGH):
        return values[source]
    mapped = blocks.get(path) or module_block(path, module)
    if mapped is None:
        kind = type(module).__name__
        raise UnsupportedModuleError(
            f"{path} ({kind}) has no catalogue block that computes what it does", path, kind
        )
    if path in called and any(True for _ in module.state_dict()):
        raise UnsupportedModuleError(
            f"{path} ({type(module).__name__}) is called twice; a network here uses each layer's weights once",
            path,
            type(module).__name__,
        )
    called.add(path)
    return add(mapped[0], mapped[1], path, [values[source]])


def _built_key(key: str) -> str:
    """A state_dict key as the built network names it: the same, except that a top-level submodule named by
    a number (nn.Sequential's '0') becomes a Python name ('n0')."""
    module, _, tensor = key.rpartition(".")
    return f"{'.'.join(module_path(module))}.{tensor}" if module else key


def _check(model: nn.Module, graph: Graph, input_shape: tuple[int, int, int]) -> None:
    """The built graph takes the module's state_dict as it is and gives the module's outputs."""
    net = build(graph, input_shape, device="meta").to_empty(device="cpu")  # every tensor is the module's
    state = {_built_key(key): value for key, value in model.state_dict().items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    if missing or unexpected:
        key = (list(unexpected) or list(missing))[0]
        raise ModuleImportError(
            f"{key}: the module's state_dict does not fit the graph ("
            + ("a tensor its forward never uses" if unexpected else "a tensor the graph needs that it lacks")
            + ")",
            key.rsplit(".", 1)[0],
        )
    net.eval()
    x = torch.randn(1, *input_shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected, got = model(x), net(x)
    if (
        not isinstance(got, torch.Tensor)
        or expected.shape != got.shape
        or not torch.allclose(expected, got, rtol=1e-4, atol=1e-5)
    ):
        raise ModuleImportError(
            f"the graph of {type(model).__name__} does not give the module's outputs; a layer's forward does "
            "something its parameters do not say",
            "",
            type(model).__name__,
        )
