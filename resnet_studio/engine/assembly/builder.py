"""build(): a graph (or an immutable snapshot of one) -> a torch module equivalent to it."""

from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn as nn

from ...core.analysis import Analysis, analyze
from ...core.catalogue import Role, get_spec
from ...core.graph import Graph
from ...core.model import GraphSnapshot, Node
from ...core.shapes import Shape, TensorInfo
from ..errors import BuildError
from .blocks import assemble, attach, build_block, build_steps, chain_order
from .init import initialise, materialise
from .layers import make_layer
from .names import NameTable, module_path
from .network import CALL, INPUT, PASS, FlatChain, Network, NetworkInfo, NodeInfo


def build(
    network: Graph | GraphSnapshot,
    input_shape: tuple[int, int, int] | None = None,
    *,
    seed: int | None = 0,
    device: str | torch.device | None = None,
    check: bool = True,
    inplace: bool = True,
) -> Network:
    """A torch module equivalent to the graph, initialised as torchvision does (seeded for repeatable runs).

    Works from an immutable snapshot, so the caller may keep editing the graph. Raises BuildError carrying the
    analysis diagnostics when the graph has errors. `check=False` builds anyway, with shape-inferring layers
    where shapes are unknown, so PyTorch itself decides what runs (used to test the analysis against PyTorch).
    `device='meta'` builds the structure only (no memory, no initialisation). `inplace=False` keeps every
    node output intact (gradient hooks need that).
    """
    snapshot = network.snapshot() if isinstance(network, Graph) else network
    graph = Graph(snapshot)
    try:
        analysis = analyze(graph, input_shape)
    except ValueError as error:  # an input size no device could hold
        raise BuildError(str(error)) from None
    if check and not analysis.ok:
        errors = analysis.errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise BuildError(f"the network has errors and cannot be built: {errors[0]}{more}", errors)
    roles = {get_spec(n.type).role for n in graph}
    if Role.INPUT not in roles or Role.OUTPUT not in roles:
        raise BuildError("the network needs at least one Input and one Output node", analysis.errors)
    target = torch.device(device) if device is not None else torch.device("cpu")
    if not check:
        return _assemble(graph, analysis, strict=True, inplace=inplace)
    with torch.device("meta"):
        module = _assemble(graph, analysis, strict=False, inplace=inplace)
    if target.type == "meta":
        return module
    materialise(module, target)
    initialise(module, seed)
    return module


def _assemble(graph: Graph, analysis: Analysis, *, strict: bool, inplace: bool) -> Network:
    order = analysis.order
    index = {node_id: i for i, node_id in enumerate(order)}
    consumers: dict[int, list[int]] = {i: [] for i in range(len(order))}
    sources: list[tuple[int, ...]] = []
    for i, node_id in enumerate(order):
        srcs = []
        for port in graph.input_ports(node_id):
            edge = graph.edge_into(node_id, port)
            if edge is None:
                raise BuildError(
                    f"{graph.node(node_id).name}: input {port!r} is not connected", analysis.errors
                )
            srcs.append(index[edge.src])
            consumers[index[edge.src]].append(i)
        sources.append(tuple(srcs))

    names = NameTable()
    infos: list[NodeInfo] = []
    calls: list[tuple[int, object]] = []
    network_modules: list[tuple[str, nn.Module]] = []
    for i, node_id in enumerate(order):
        node = graph.node(node_id)
        result = analysis.nodes[node_id]
        spec = get_spec(node.type)
        path: str | None = None
        layer_paths: tuple[str, ...] = ()
        if spec.role is Role.INPUT:
            calls.append((INPUT, None))
        elif spec.role is Role.OUTPUT:
            calls.append((PASS, None))
        else:
            in_place = inplace and _may_work_in_place(graph, order, sources[i], consumers)
            try:
                fn, path, layer_paths, parts = _node_module(
                    node, result.input_shapes, names, strict=strict, inplace=in_place
                )
            except BuildError:
                raise
            except Exception as error:  # PyTorch refusing a layer (unchecked builds only)
                raise LayerBuildError(node, error, analysis) from error
            network_modules.extend(parts)
            calls.append((CALL, fn))
        infos.append(
            NodeInfo(
                node.id,
                node.name,
                node.type,
                i,
                path,
                layer_paths,
                sources[i],
                result.output_shape,
                spec.is_composite,
            )
        )

    roles = [get_spec(graph.node(node_id).type).role for node_id in order]
    inputs = tuple(i for i, role in enumerate(roles) if role is Role.INPUT)
    outputs = tuple(i for i, role in enumerate(roles) if role is Role.OUTPUT)
    net = Network(NetworkInfo(graph.snapshot(), analysis, tuple(infos), inputs, outputs))
    for dotted, module in network_modules:
        attach(net, dotted, module)
    net.set_program(_program(calls, sources, consumers, set(outputs)))
    return net


def check_training(net: Network, batch_size: int) -> None:
    """Raise BuildError when a training pass at this batch size cannot run (BatchNorm on one value per channel)."""
    settings = replace(net.info.analysis.settings, batch_size=batch_size, training=True)
    errors = analyze(Graph(net.info.snapshot), settings=settings).errors
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise BuildError(f"the network cannot be trained on this batch: {errors[0]}{more}", errors)


class LayerBuildError(BuildError):
    """PyTorch refused to create a layer (only in unchecked builds); `node_id` says which."""

    def __init__(self, node: Node, error: Exception, analysis: Analysis) -> None:
        super().__init__(f"{node.name}: {error}", analysis.errors)
        self.node_id = node.id


def _may_work_in_place(
    graph: Graph, order: tuple[str, ...], sources: tuple[int, ...], consumers: dict[int, list[int]]
) -> bool:
    """A top-level ReLU may overwrite its input when it alone reads a fresh tensor that backward does not need."""
    if len(sources) != 1:
        return False
    producer = sources[0]
    return get_spec(graph.node(order[producer]).type).fresh_output and len(consumers[producer]) == 1


def _node_module(
    node: Node, in_shapes: tuple[Shape | None, ...], names: NameTable, *, strict: bool, inplace: bool
) -> tuple[object, str | None, tuple[str, ...], list[tuple[str, nn.Module]]]:
    """(callable, module path, layer paths, modules to register) for one node."""
    spec = get_spec(node.type)
    path = module_path(node.name)
    if spec.plan is None:
        module = make_layer(spec.type_name, node.params, in_shapes, strict=strict, inplace=inplace)
        dotted = ".".join(names.claim(path))
        return module, dotted, (dotted,), [(dotted, module)]
    in_shape = in_shapes[0] if in_shapes else None
    if in_shape is None:
        raise BuildError(f"{node.name}: its input shape is unknown, so its {spec.title} cannot be built")
    if spec.flat_names:
        block_input = TensorInfo(in_shape)
        built = build_steps(spec.plan(node.params, (block_input,)), block_input)
        if chain_order(built) is not None:
            parts: list[tuple[str, nn.Module]] = []
            for item in built:
                # torchvision's flat names ('conv1') when free, else under the node's name ('stem2.conv1').
                local = module_path(item.step.name)
                dotted = ".".join(names.claim(local if names.is_free(local) else path + local))
                parts.append((dotted, item.module))
            return FlatChain([m for _, m in parts]), None, tuple(d for d, _ in parts), parts
        module = assemble(built)
    else:
        module = build_block(spec.type_name, node.params, in_shape)
    dotted = ".".join(names.claim(path))
    layers = (dotted, *(f"{dotted}.{name}" for name, _ in module.named_modules() if name))
    return module, dotted, layers, [(dotted, module)]


def _program(
    calls: list[tuple[int, object]],
    sources: list[tuple[int, ...]],
    consumers: dict[int, list[int]],
    outputs: set[int],
) -> tuple[tuple[int, object, int, tuple[int, ...], tuple[int, ...]], ...]:
    """Program entries with, for each, the values no later node needs (freed early to save memory)."""
    last_use = {i: max(users) if users else i for i, users in consumers.items()}
    keep = set(outputs)
    frees: dict[int, list[int]] = {i: [] for i in range(len(calls))}
    for slot, last in last_use.items():
        if slot not in keep:
            frees[last].append(slot)
    return tuple((kind, fn, i, sources[i], tuple(frees[i])) for i, (kind, fn) in enumerate(calls))
