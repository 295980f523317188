"""Folding eval-mode BatchNorm into convolutions: the same function, and the same loss at moved weights."""

from __future__ import annotations

import torch

from resnet_studio.core import Graph
from resnet_studio.engine import build
from resnet_studio.engine.landscape import random_directions
from resnet_studio.engine.landscape.evaluate import PointEvaluator
from resnet_studio.engine.landscape.fold import fold_batchnorm
from resnet_studio.engine.landscape.prepare import recompute_statistics

from ..graphs import chain


def test_a_folded_network_computes_the_same_and_moves_the_same(network: Graph, batch: tuple) -> None:
    images, labels = batch
    plain = build(network, seed=2)
    recompute_statistics(plain, images)
    folded = build(network, seed=2)
    folded.load_state_dict(plain.state_dict())
    folded.eval()
    directions = random_directions(plain, 2, seed=4)
    folds = fold_batchnorm(folded, images[:2])
    assert (
        len(folds) == 7
    )  # stem 1, basic block 2 + its projection shortcut 1, bottleneck 3 (zero-pad shortcut)
    with torch.no_grad():
        torch.testing.assert_close(folded(images), plain(images), rtol=1e-4, atol=1e-5)
    points = [(0.0, 0.0), (0.3, -0.7), (-1.0, 1.0)]
    expected = PointEvaluator(plain, images, labels, directions)(points)
    found = PointEvaluator(folded, images, labels, directions, scales=folds.scales)(points)
    torch.testing.assert_close(torch.tensor(found), torch.tensor(expected), rtol=1e-4, atol=1e-5)
    folds.undo()
    with torch.no_grad():
        assert torch.equal(folded(images), plain(images))


def test_a_convolution_whose_output_is_read_twice_is_not_folded() -> None:
    graph = chain([("Conv2d", {"out_channels": 4}), ("BatchNorm2d", {}), ("ReLU", {})], (3, 8, 8))
    net = build(graph, seed=0).eval()
    assert len(fold_batchnorm(net, torch.randn(2, 3, 8, 8))) == 1
    # Conv -> BatchNorm -> Add(conv, bn): folding would change what the Add reads from the convolution.
    g = chain([("Conv2d", {"out_channels": 4})], (3, 8, 8))
    conv = next(n for n in g if n.type == "Conv2d")
    out = next(n for n in g if n.type == "Output")
    from resnet_studio.core import Edge

    g.disconnect(g.edge_into(out.id, "x"))
    norm = g.add_node(g.make_node("BatchNorm2d", name="bn"))
    add = g.add_node(g.make_node("Add", name="sum"))
    g.connect(Edge(conv.id, "out", norm.id, "x"))
    g.connect(Edge(conv.id, "out", add.id, "in1"))
    g.connect(Edge(norm.id, "out", add.id, "in2"))
    g.connect(Edge(add.id, "out", out.id, "x"))
    net = build(g, seed=0)
    net.bn.running_mean.fill_(0.5)  # so that folding would make a difference
    net.eval()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        before = net(x)
        assert len(fold_batchnorm(net, x)) == 0
        assert torch.equal(net(x), before)
