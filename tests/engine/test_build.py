"""build(): torchvision's names and outputs for the presets, every block option, names, snapshots, refusals."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from resnet_studio.core import Edge, preset
from resnet_studio.engine import BuildError, build
from resnet_studio.engine.assembly import ResidualBlock, ZeroPadShortcut

from .graphs import chain, two_branch
from .reference_resnet import ARCHITECTURES, reference


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_preset_state_dict_keys_order_and_shapes_are_torchvisions(name: str) -> None:
    with torch.device("meta"):
        expected = reference(name).state_dict()
    built = build(preset(name), device="meta").state_dict()
    assert list(built) == list(expected)
    assert [tuple(v.shape) for v in built.values()] == [tuple(v.shape) for v in expected.values()]
    assert [v.dtype for v in built.values()] == [v.dtype for v in expected.values()]


def _randomise_batchnorm(model: nn.Module) -> None:
    """Non-trivial running statistics and affine parameters, so eval-mode outputs test every BN value."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1, generator=generator)
                m.running_var.uniform_(0.5, 1.5, generator=generator)
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.normal_(0, 0.1, generator=generator)


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_torchvision_style_weights_load_strictly_and_give_identical_outputs(name: str) -> None:
    torch.manual_seed(0)
    ref = reference(name)
    _randomise_batchnorm(ref)
    net = build(preset(name), (3, 64, 64))
    net.load_state_dict(ref.state_dict(), strict=True)
    ref.eval()
    net.eval()
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        assert torch.equal(net(x), ref(x))


def test_same_seed_same_weights_and_another_seed_other_weights() -> None:
    graph = preset("resnet20")
    a, b, c = (
        build(graph, seed=3).state_dict(),
        build(graph, seed=3).state_dict(),
        build(graph, seed=4).state_dict(),
    )
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["conv1.weight"], c["conv1.weight"])


def test_initialisation_is_torchvisions() -> None:
    net = build(preset("resnet50"), device="cpu")
    conv = net.layer1[0].conv2
    fan_out = conv.out_channels * 9
    assert conv.weight.std().item() == pytest.approx((2 / fan_out) ** 0.5, rel=0.05)
    bn = net.layer1[0].bn1
    assert torch.equal(bn.weight, torch.ones_like(bn.weight))
    assert torch.equal(bn.bias, torch.zeros_like(bn.bias))
    assert torch.equal(bn.running_var, torch.ones_like(bn.running_var))
    # PyTorch's default Linear: U(-1/sqrt(in), 1/sqrt(in))
    assert net.fc.weight.abs().max().item() <= 1 / 2048**0.5 + 1e-6


def test_a_graph_with_errors_is_refused_with_the_analysis_diagnostics() -> None:
    graph = chain([("Linear", {"out_features": 3})])  # Linear on a feature map
    with pytest.raises(BuildError) as caught:
        build(graph)
    assert caught.value.diagnostics and caught.value.diagnostics[0].node_name == "fc"
    assert "Flatten" in str(caught.value)


def test_build_works_from_a_snapshot_so_later_edits_do_not_change_it() -> None:
    graph = preset("resnet20")
    snapshot = graph.snapshot()
    net = build(snapshot)
    graph.set_param("head", "num_classes", 3)
    assert net.fc.out_features == 10 and net.info.snapshot == snapshot


def _block(block: str, params: dict[str, object], shape: tuple[int, int, int] = (8, 9, 11)) -> nn.Module:
    net = build(chain([("block", block, params)], shape))  # type: ignore[list-item]
    return net.block


def test_basic_block_stride_projection_and_groups() -> None:
    block = _block("BasicBlock", {"out_channels": 16, "stride": 2, "groups": 2, "width_per_group": 128})
    assert isinstance(block, ResidualBlock) and block.has_skip
    assert block.conv1.stride == (2, 2) and block.conv1.groups == 2 and block.conv1.out_channels == 64
    assert block.conv2.groups == 2 and block.conv2.out_channels == 16
    assert block.downsample[0].stride == (2, 2) and block.downsample[0].kernel_size == (1, 1)


def test_bottleneck_stride_placement_expansion_and_width() -> None:
    v1 = _block("Bottleneck", {"width": 4, "expansion": 2, "stride": 2, "stride_on": "1x1"})
    v15 = _block(
        "Bottleneck",
        {"width": 4, "expansion": 2, "stride": 2, "stride_on": "3x3", "groups": 2, "width_per_group": 32},
    )
    assert v1.conv1.stride == (2, 2) and v1.conv2.stride == (1, 1) and v1.conv3.out_channels == 8
    assert v15.conv1.stride == (1, 1) and v15.conv2.stride == (2, 2)
    assert v15.conv2.groups == 2 and v15.conv2.out_channels == int(4 * 32 / 64) * 2


def test_skip_off_has_no_shortcut_and_no_addition() -> None:
    block = _block("BasicBlock", {"out_channels": 8, "skip": False})
    assert not block.has_skip and not hasattr(block, "downsample")
    x = torch.randn(2, 8, 9, 11)
    block.eval()
    with torch.no_grad():
        expected = F.relu(block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x))))))
        assert torch.equal(block(x), expected)


def test_identity_shortcut_adds_the_input() -> None:
    block = _block("BasicBlock", {"out_channels": 8}).eval()
    x = torch.randn(2, 8, 9, 11)
    with torch.no_grad():
        expected = F.relu(block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x))))) + x)
        assert torch.allclose(block(x), expected)


def test_zero_pad_shortcut_is_option_a() -> None:
    block = _block("BasicBlock", {"out_channels": 13, "stride": 2, "shortcut": "zero-pad"})
    assert isinstance(block.shortcut, ZeroPadShortcut)
    assert sum(p.numel() for p in block.shortcut.parameters()) == 0
    x = torch.randn(2, 8, 9, 11)
    padded = block.shortcut(x)
    assert padded.shape == (2, 13, 5, 6)
    front = (13 - 8) // 2
    assert torch.equal(padded[:, front : front + 8], x[:, :, ::2, ::2])
    assert not padded[:, :front].any() and not padded[:, front + 8 :].any()


def test_add_with_three_inputs_dropout_and_ceil_mode() -> None:
    net = build(two_branch()).eval()
    image, mask = torch.randn(2, 4, 9, 7), torch.randn(2, 4, 9, 7)
    with torch.no_grad():
        features, activated = net(image, mask)
        conv = net.conv(image)
        assert torch.allclose(features, conv + mask + F.relu(conv))
        assert torch.allclose(activated, F.relu(conv))
    pool = build(
        chain([("MaxPool2d", {"kernel_size": 2, "stride": 2, "padding": 0, "ceil_mode": True})], (3, 9, 9))
    )
    assert pool.maxpool.ceil_mode and pool(torch.randn(1, 3, 9, 9)).shape == (1, 3, 5, 5)
    head = build(chain([("Head", {"num_classes": 5, "dropout": 0.3})], (8, 4, 4)))
    assert isinstance(head.dropout, nn.Dropout) and head.dropout.p == pytest.approx(0.3)


def test_a_relu_does_not_overwrite_a_tensor_another_node_reads() -> None:
    # conv feeds both the ReLU and the Add: the ReLU must not work in place.
    net = build(two_branch())
    assert not net.relu.inplace
    graph = chain([("Conv2d", {"out_channels": 4}), ("ReLU", {})])
    assert build(graph).relu.inplace  # its input is read by nobody else


def test_node_names_become_safe_readable_module_names() -> None:
    graph = chain(
        [
            ("conv 1", "Conv2d", {"out_channels": 4}),
            ("layer1", "ReLU", {}),
            ("layer1.0", "Conv2d", {"out_channels": 4}),
            ("forward", "ReLU", {}),
            ('x"); import os; os.system("touch pwned") #', "ReLU", {}),
            ("7up", "ReLU", {}),
        ],
        (3, 8, 8),
    )
    net = build(graph)
    names = [n.module_path for n in net.info.nodes[1:-1]]
    # A dot nests (as in 'layer1.0'), unless the parent is a layer itself: then the path is flattened.
    assert names == ["conv_1", "layer1", "layer1_0", "forward_", "x_import_os_os.system_touch_pwned", "n7up"]
    assert names == [n.module_path for n in build(graph).info.nodes[1:-1]]  # deterministic
    assert all(net.get_submodule(name) is not None for name in names)


def test_flat_names_of_a_second_stem_go_under_its_node_name() -> None:
    graph = chain(
        [("Stem", {"style": "cifar", "out_channels": 4}), ("Stem", {"style": "cifar", "out_channels": 4})]
    )
    keys = [k for k in build(graph).state_dict() if k.endswith("weight")]
    assert keys == ["conv1.weight", "bn1.weight", "stem2.conv1.weight", "stem2.bn1.weight"]


def test_stage_is_a_sequential_of_blocks_named_like_torchvision() -> None:
    net = build(
        chain([("layer1", "Stage", {"block": "bottleneck", "blocks": 3, "width": 4, "stride": 2})], (8, 9, 9))
    )
    assert isinstance(net.layer1, nn.Sequential) and len(net.layer1) == 3
    assert (
        "layer1.0.downsample.0.weight" in net.state_dict()
        and "layer1.1.downsample.0.weight" not in net.state_dict()
    )


def test_meta_build_has_structure_but_no_memory() -> None:
    net = build(preset("resnet152"), device="meta")
    assert all(p.device.type == "meta" for p in net.parameters())
    assert sum(p.numel() for p in net.parameters()) == 60_192_808


def test_the_network_needs_inputs_and_outputs() -> None:
    graph = chain([("Conv2d", {})])
    graph.remove_node(graph.node_by_name("output").id)
    with pytest.raises(BuildError, match="Output"):
        build(graph)


def test_the_graph_is_executed_in_topological_order_even_when_inserted_out_of_order() -> None:
    graph = chain([("a", "Conv2d", {"out_channels": 4}), ("b", "ReLU", {})], (3, 6, 6))
    b, output = graph.node_by_name("b").id, graph.node_by_name("output").id
    late = graph.add_node(graph.make_node("Conv2d", {"out_channels": 4}, name="late"), index=0)
    graph.disconnect(Edge(b, "out", output, "x"))
    graph.connect(Edge(b, "out", late.id, "x"))
    graph.connect(Edge(late.id, "out", output, "x"))
    net = build(graph)
    assert [n.name for n in net.info.nodes][-2:] == ["late", "output"]
    assert net(torch.randn(1, 3, 6, 6)).shape == (1, 4, 6, 6)
