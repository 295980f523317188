"""One block's code with the shapes it makes at its place in the network, for the code view beside the canvas.

A residual block is shown as the class the exported file defines, its constructor call for this block, and every
statement of its forward() commented with the real tensor shape ("# [1, 128, 28, 28]"). Any other node is shown
as the exported code of a network made of that node alone, whose forward() carries the same comments.
"""

from __future__ import annotations

import re
import textwrap

from ...core.analysis import analyze
from ...core.catalogue import LayerProblem, Role, all_specs, evaluate, get_spec
from ...core.expansion import plan_for
from ...core.graph import Graph
from ...core.model import Edge, GraphSnapshot, Node
from ...core.shapes import Shape, TensorInfo
from ..errors import ExportError
from . import templates
from .pytorch_source import block_constructor, pytorch_source

_COMMENT = re.compile(r"  # (x: )?\[[^\]]*\]$")


def block_code(
    network: GraphSnapshot, node_id: str, input_shape: tuple[int, int, int] | None = None, batch: int = 1
) -> str:
    """The code of one node as it runs in this network (raises ExportError when there is none to show)."""
    graph = Graph(network)
    node = graph.node(node_id)
    analysis = analyze(graph, input_shape, batch)
    result = analysis[node_id]
    spec = get_spec(node.type)
    if not spec.inputs and spec.variadic_inputs is None:
        raise ExportError(f"{node.name} is where the data comes in: the x that forward() is given")
    if not spec.outputs:
        raise ExportError(
            f"{node.name} marks what forward() returns; select a layer or block to see its code"
        )
    shape = result.input_shapes[0] if result.input_shapes else None
    if shape is None or result.has_error:
        raise ExportError(f"{node.name} has no code to show until its shapes are known and it has no errors")
    code = templates.BLOCKS.get(node.type)
    if code is not None and code.shapes:
        return _block_class(node, shape, batch, code)
    return _alone(node, shape, batch)


def _block_class(node: Node, shape: Shape, batch: int, code: templates.BlockCode) -> str:
    """The block's class with this block's shapes written into its forward() comments."""
    outputs = _step_shapes(node, shape)
    dims = {templates.INPUT: shape, **outputs}
    lines = code.source.strip("\n").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("def forward("))
    wanted = iter(code.shapes)
    for i in range(start, len(lines)):
        if _COMMENT.search(lines[i]):
            step = next(wanted, None)
            found = dims.get(step or "")
            text = "[" + ", ".join(str(d) for d in (batch, *found)) + "]" if found is not None else "[?]"
            label = "x: " if step == templates.INPUT else ""
            lines[i] = _COMMENT.sub(f"  # {label}{text}", lines[i])
    call = block_constructor(node.type, node.params, shape)
    skip = get_spec(node.type).skip_of(node.params, shape)
    out = dims.get(templates.OUTPUT)
    note = _SHORTCUTS.get(skip.kind if skip is not None and skip.on else "off", "")
    if note and out is not None:
        given, made = (f"[{', '.join(str(d) for d in (batch, *s))}]" for s in (shape, out))
        said = "The shortcut here: " + note.format(x=given, out=made, stride=node.params.get("stride", 1))
        note = "\n\n" + "\n".join(textwrap.wrap(said, 72, initial_indent="# ", subsequent_indent="# "))
    return f"# {node.name} = {call}, at batch {batch}\n\n" + "\n".join(lines) + note + "\n"


_SHORTCUTS = {
    "identity": "identity: x {x} is added to out {out} as it is.",
    "projection": "projection: a 1x1 convolution with stride {stride} and a BatchNorm (downsample) "
    "turn x {x} into {out}, so that it can be added to out.",
    "zero-pad": "zero-pad (option A): one pixel in {stride} along each axis of x {x}, with zero "
    "channels added, makes {out}; no parameters.",
    "avg-pool": "avg-pool: a 2x2 average pool and a 1x1 convolution turn x {x} into {out}.",
    "off": "none: the skip connection is off, so out {out} goes on alone (the plain twin).",
}


def _step_shapes(node: Node, shape: Shape) -> dict[str, Shape]:
    """The output shape of every layer of a block's plan, and of the block ('output')."""
    env: dict[str, TensorInfo] = {"": TensorInfo(shape)}
    found: dict[str, Shape] = {}
    for step in plan_for(node, shape):
        try:
            env[step.name] = evaluate(step.type, step.params, tuple(env[s] for s in step.inputs)).output
        except (LayerProblem, KeyError):
            break
        found[step.name] = found[templates.OUTPUT] = env[step.name].shape
    return found


def _alone(node: Node, shape: Shape, batch: int) -> str:
    """The exported Network class of a network made of this node alone."""
    if len(shape) != 3:
        raise ExportError(f"{node.name} takes a flat vector; its code shows in the whole network's export")
    graph = Graph()
    entry = graph.make_node(_role_type(Role.INPUT), dict(zip(("channels", "height", "width"), shape)))
    graph.add_node(entry)
    graph.add_node(node)
    exit_ = graph.add_node(graph.make_node(_role_type(Role.OUTPUT)))
    port = graph.input_ports(node.id)[0]
    graph.connect(Edge(entry.id, "out", node.id, port))
    graph.connect(Edge(node.id, get_spec(node.type).outputs[0], exit_.id, "x"))
    source = pytorch_source(graph, None, batch)
    start = source.index("class Network(nn.Module):")
    end = source.index("\n\n\ndef build_model")
    return f"# {node.name}, at batch {batch}\n\n" + source[start:end].rstrip() + "\n"


def _role_type(role: Role) -> str:
    return next(spec.type_name for spec in all_specs() if spec.role is role)


__all__ = ["block_code"]
