"""Export a network as a readable, standalone PyTorch source file (torchvision-style classes, build_model()).

Only sanitised identifiers and numbers from the project reach the code; the project's own node names appear
solely inside string literals written with repr(), so no name can add a statement to the file. The result is
parsed before it is written. Every statement of forward() ends in a comment with the shapes it takes and makes
for the chosen input size and batch ("# [2, 64, 32, 32] -> [2, 128, 16, 16]"), so the file teaches as it runs.
"""

from __future__ import annotations

import ast
import itertools
import keyword
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import torch
import torch.nn as nn

from ...core.catalogue import get_spec
from ...core.filemode import output_mode
from ...core.graph import Graph
from ...core.model import GraphSnapshot
from ...core.params import Params
from ...core.shapes import Shape
from ..assembly import Network, build
from ..assembly.blocks import BlockOrigin, ResidualBlock
from ..assembly.layers import Add, ZeroPadShortcut
from ..assembly.network import CALL, INPUT, PASS, FlatChain
from ..errors import ExportError
from . import templates

_TAKEN = frozenset(keyword.kwlist) | {"self", "torch", "nn", "Tensor", "OrderedDict", "out", "super"}


def export_pytorch(
    network: Graph | GraphSnapshot | Network,
    path: str | Path,
    input_shape: tuple[int, int, int] | None = None,
    batch: int = 1,
) -> Path:
    """Write the network's PyTorch source to `path` (atomically) and return the path."""
    source = pytorch_source(network, input_shape, batch)
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(source)
        os.chmod(temporary, output_mode(path))  # mkstemp's file is private; the source is a plain file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def pytorch_source(
    network: Graph | GraphSnapshot | Network, input_shape: tuple[int, int, int] | None = None, batch: int = 1
) -> str:
    """The source of a module file defining the network as `Network` and a `build_model()` function; the shape
    comments in forward() are for this input size (the network's own when None) and batch."""
    net = network if isinstance(network, Network) else build(network, input_shape, device="meta")
    writer = _Writer(net, batch)
    source = writer.source()
    try:
        ast.parse(source)
    except SyntaxError as error:  # a bug here, never the user's names: those only reach string literals
        raise ExportError(f"the exported source is not valid Python ({error})") from None
    return source


class _Writer:
    def __init__(self, net: Network, batch: int = 1) -> None:
        self.net = net
        self.batch = batch
        self.uses_blocks = False
        self.paths = {id(m): name for name, m in net.named_modules()}

    def source(self) -> str:
        init = list(self._init_lines())
        forward = list(self._forward_lines())
        info = self.net.info
        params = sum(p.numel() for p in self.net.parameters())
        inputs = [info.nodes[i].output_shape for i in info.inputs]
        title = (
            f"A network of {len(info.nodes)} nodes and {params:,} parameters; input {_shape_text(inputs)}."
        )
        parts = [templates.HEADER.format(title=title)]
        if self.uses_blocks:
            parts += [templates.ZERO_PAD, templates.SHORTCUT_HELPERS]
            parts += [code.source for code in templates.BLOCKS.values()]
        elif any(isinstance(m, ZeroPadShortcut) for m in self.net.modules()):
            parts.append(templates.ZERO_PAD)
        names = {
            n.module_path or (n.layer_paths[0] if n.layer_paths else ""): n.name
            for n in info.nodes
            if n.layer_paths
        }
        body = [
            "\n\nNODE_NAMES = {  # module -> name of the node in the project\n",
            *(f"    {path!r}: {name!r},\n" for path, name in names.items()),
            "}\n",
            f"\nINPUT_SHAPES = {tuple(tuple(s or ()) for s in inputs)!r}\n",
            '\n\nclass Network(nn.Module):\n    """The exported network."""\n\n',
            "    def __init__(self) -> None:\n        super().__init__()\n",
            *(f"        {line}\n" for line in init),
            "\n",
            *(f"    {line}\n" for line in forward),
            "\n\ndef build_model() -> Network:\n",
            '    """The network, freshly initialised by PyTorch (load the exported weights to reproduce it)."""\n',
            "    return Network()\n",
        ]
        return "".join(parts) + "".join(body)

    # --- __init__ ---------------------------------------------------------------------------------------

    def _init_lines(self) -> Iterator[str]:
        for name, module in self.net.named_children():
            if isinstance(module, Add):
                continue  # an addition has no state; forward() writes it out
            line = f"self.{name} = {self._expr(module)}"
            if len(line) <= 100 or not isinstance(module, nn.Sequential):
                yield line
                continue
            items = self._items(module)
            yield f"self.{name} = nn.Sequential(" + ("" if items[1] else "OrderedDict([")
            for item in items[0]:
                yield f"    {item},"
            yield ")" if items[1] else "]))"

    def _expr(self, module: nn.Module) -> str:
        origin = getattr(module, "origin", None)
        if isinstance(module, ResidualBlock) and isinstance(origin, BlockOrigin):
            return self._block(origin)
        if isinstance(module, nn.Sequential):
            items, numbered = self._items(module)
            return (
                f"nn.Sequential({', '.join(items)})"
                if numbered
                else f"nn.Sequential(OrderedDict([{', '.join(items)}]))"
            )
        return _layer(module)

    def _items(self, module: nn.Sequential) -> tuple[list[str], bool]:
        """The children of a Sequential as constructor arguments, and whether they are numbered 0..n-1."""
        children = list(module.named_children())
        if [n for n, _ in children] == [str(i) for i in range(len(children))]:
            return [self._expr(m) for _, m in children], True
        return [f"({n!r}, {self._expr(m)})" for n, m in children], False

    def _block(self, origin: BlockOrigin) -> str:
        self.uses_blocks = True
        return block_constructor(origin.type, origin.params, origin.input_shape)

    # --- forward ----------------------------------------------------------------------------------------

    def _forward_lines(self) -> Iterator[str]:
        info = self.net.info
        program = self.net._program
        variables: dict[int, str] = {}
        taken = set(_TAKEN)
        consumers: dict[int, list[int]] = {n.index: [] for n in info.nodes}
        for node in info.nodes:
            for src in node.inputs:
                consumers[src].append(node.index)
        args = []
        for i in info.inputs:
            variables[i] = _fresh("x" if len(info.inputs) == 1 else _identifier(info.nodes[i].name), taken)
            args.append(f"{variables[i]}: Tensor")
        returns = " | tuple[Tensor, ...]" if len(info.outputs) > 1 else ""
        given = ", ".join(f"{variables[i]}: {self._dims(i)}" for i in info.inputs)
        yield f"def forward(self, {', '.join(args)}) -> Tensor{returns}:  # {given}"
        k = 0
        while k < len(program):
            kind, fn, slot, sources, _free = program[k]
            node = info.nodes[slot]
            k += 1
            if kind in (INPUT, PASS):
                if kind == PASS:
                    variables[slot] = variables[sources[0]]
                continue
            ins = [variables[s] for s in sources]
            # A chain reuses its variable (x = layer(x)), as torchvision's forward does.
            single = len(sources) == 1 and consumers[sources[0]] == [slot]
            target = ins[0] if single else _fresh(_identifier(node.name), taken)
            variables[slot] = target
            stage = self._whole_stage(program, k - 1, consumers)
            if stage is not None:
                container, count = stage
                last_slot = program[k - 2 + count][2]
                last = info.nodes[last_slot]
                yield f"    # {_comment(node.name)} .. {_comment(last.name)} ({count} x {node.type})"
                shapes = f"{self._dims(sources[0])} -> {self._dims(last_slot)}"
                yield f"    {target} = self.{container}({ins[0]})  # {shapes}"
                for j in range(k, k - 1 + count):
                    variables[program[j][2]] = target
                k += count - 1
                continue
            yield f"    # {_comment(node.module_path or node.name)} ({node.type})"
            lines = list(self._call_lines(fn, target, ins))
            for line, shapes in zip(lines, self._statement_shapes(fn, sources, slot)):
                yield f"    {line}  # {shapes}"
        outs = [variables[i] for i in info.outputs]
        shown = ", ".join(self._dims(i) for i in info.outputs)
        yield f"    return {outs[0] if len(outs) == 1 else '(' + ', '.join(outs) + ')'}  # {shown}"

    def _dims(self, slot: int) -> str:
        """A node's output shape with the batch: '[2, 64, 56, 56]'."""
        shape = self.net.info.nodes[slot].output_shape
        return _dims_text((self.batch, *shape)) if shape is not None else "[?]"

    def _statement_shapes(self, fn: object, sources: tuple[int, ...], slot: int) -> list[str]:
        """The shapes each statement written for one node takes and makes ('in -> out')."""
        ins = [self._dims(s) for s in sources]
        out = self._dims(slot)
        if isinstance(fn, FlatChain):
            shape = self.net.info.nodes[sources[0]].output_shape
            made = _chain_shapes(fn, (self.batch, *shape)) if shape is not None else []
            texts = [ins[0], *(_dims_text(m) for m in made)]
            return [f"{a} -> {b}" for a, b in itertools.pairwise(texts)] or [f"{ins[0]} -> {out}"]
        joiner = " + " if isinstance(fn, Add) else ", "
        return [f"{joiner.join(ins)} -> {out}"]

    def _whole_stage(
        self,
        program: tuple[tuple[int, object, int, tuple[int, ...], tuple[int, ...]], ...],
        k: int,
        consumers: dict[int, list[int]],
    ) -> tuple[str, int] | None:
        """(container, n) when program entries k.. run all n children of a top-level Sequential as one chain."""
        path = self.paths.get(id(program[k][1]), "")
        container, _, index = path.partition(".")
        if index != "0" or not isinstance(self.net._modules.get(container), nn.Sequential):
            return None
        children = list(self.net._modules[container]._modules.values())  # type: ignore[union-attr]
        if len(children) < 2 or k + len(children) > len(program):
            return None
        for offset, child in enumerate(children):
            kind, fn, slot, sources, _free = program[k + offset]
            if kind != CALL or fn is not child or len(sources) != 1:
                return None
            if offset and (sources[0] != program[k + offset - 1][2] or consumers[sources[0]] != [slot]):
                return None
        return container, len(children)

    def _call_lines(self, fn: object, target: str, ins: list[str]) -> Iterator[str]:
        if isinstance(fn, FlatChain):
            current = ins[0]
            for layer in fn.layers:
                yield f"{target} = {self._access(layer)}({current})"
                current = target
        elif isinstance(fn, Add):
            yield f"{target} = {' + '.join(ins)}"
        elif isinstance(fn, nn.Module):
            yield f"{target} = {self._access(fn)}({', '.join(ins)})"
        else:
            raise ExportError(f"cannot write code for {type(fn).__name__}")

    def _access(self, module: nn.Module) -> str:
        path = self.paths[id(module)]
        expr = "self"
        parent: nn.Module = self.net
        for part in path.split("."):
            if part.isdigit():
                names = list(parent._modules)
                expr += (
                    f"[{part}]"
                    if names == [str(i) for i in range(len(names))]
                    else f".get_submodule({part!r})"
                )
            else:
                expr += f".{part}"
            parent = parent._modules[part]  # type: ignore[assignment]
        return expr


def block_constructor(block_type: str, params: Params, input_shape: Shape) -> str:
    """The constructor call of a residual block's class: "BasicBlock(64, 128, stride=2, shortcut='projection')".

    The shortcut is named by what it does at this block (a zero-pad shortcut that changes nothing is left out:
    the identity is the default)."""
    code = templates.BLOCKS.get(block_type)
    if code is None:
        raise ExportError(f"a {block_type} block cannot be exported as code yet")
    args = [str(input_shape[0]), *(str(params[key]) for key in code.positional)]
    for key, default in code.defaults.items():
        if params[key] != default:
            args.append(f"{key}={params[key]!r}")
    skip = get_spec(block_type).skip_of(params, input_shape)
    if skip is not None and not skip.on:
        args.append("skip=False")
    elif skip is not None and skip.kind != "identity":
        args.append(f"shortcut={skip.kind!r}")
    return f"{code.class_name}({', '.join(args)})"


def _layer(m: nn.Module) -> str:
    """The constructor call of a primitive layer, from its attributes."""
    if isinstance(m, nn.Conv2d):
        args = [str(m.in_channels), str(m.out_channels), f"kernel_size={m.kernel_size[0]}"]
        args += [f"stride={m.stride[0]}", f"padding={m.padding[0]}"]
        if m.dilation[0] != 1:
            args.append(f"dilation={m.dilation[0]}")
        if m.groups != 1:
            args.append(f"groups={m.groups}")
        args.append(f"bias={m.bias is not None}")
        return f"nn.Conv2d({', '.join(args)})"
    if isinstance(m, nn.BatchNorm2d):
        return f"nn.BatchNorm2d({m.num_features}" + (f", eps={m.eps!r})" if m.eps != 1e-5 else ")")
    if isinstance(m, nn.ReLU):
        return "nn.ReLU(inplace=True)" if m.inplace else "nn.ReLU()"
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        args = [
            f"kernel_size={_int(m.kernel_size)}",
            f"stride={_int(m.stride)}",
            f"padding={_int(m.padding)}",
        ]
        if m.ceil_mode:
            args.append("ceil_mode=True")
        if isinstance(m, nn.AvgPool2d) and not m.count_include_pad:
            args.append("count_include_pad=False")
        return f"nn.{type(m).__name__}({', '.join(args)})"
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return "nn.AdaptiveAvgPool2d((1, 1))"
    if isinstance(m, nn.Flatten):
        return "nn.Flatten(1)"
    if isinstance(m, nn.Linear):
        return f"nn.Linear({m.in_features}, {m.out_features}, bias={m.bias is not None})"
    if isinstance(m, nn.Dropout):
        return f"nn.Dropout(p={float(m.p)!r})"
    if isinstance(m, ZeroPadShortcut):
        return f"ZeroPadShortcut({m.out_channels}, {m.stride})"
    if isinstance(m, Add):
        return "nn.Identity()"
    raise ExportError(f"a {type(m).__name__} layer cannot be exported as code")


def _dims_text(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _chain_shapes(chain: FlatChain, shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shape after each layer of a flat chain, found on the meta device (no memory, no arithmetic)."""
    x = torch.empty(shape, device="meta")
    shapes = []
    for layer in chain.layers:
        state = {
            name: torch.empty_like(t, device="meta") for name, t in layer.state_dict(keep_vars=True).items()
        }
        x = torch.func.functional_call(layer, state, (x,))
        shapes.append(tuple(x.shape))
    return shapes


def _int(value: int | tuple[int, ...]) -> int:
    return value[0] if isinstance(value, tuple) else value


def _identifier(name: str) -> str:
    from ..assembly.names import clean_segment

    return clean_segment(name.replace(".", "_"), first=True).lower()


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _comment(text: str) -> str:
    """Comment text from a module path: already an identifier path, but keep only safe characters anyway."""
    return "".join(c for c in text if c.isalnum() or c in "._-")


def _shape_text(shapes: list[tuple[int, ...] | None]) -> str:
    return ", ".join("x".join(map(str, s)) if s else "?" for s in shapes)


__all__ = ["block_constructor", "export_pytorch", "pytorch_source"]
