"""Opening checkpoints: every torchvision ResNet-family network and hand-made CIFAR ResNets open as the right
structure and run with outputs identical to the model that saved them."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from resnet_studio.core import preset
from resnet_studio.engine.assembly import build
from resnet_studio.engine.checkpoint import attach_weights, open_checkpoint
from resnet_studio.engine.checkpoint.errors import IncompleteCheckpointError

from .reference_families import TimmStyleResNet
from .reference_resnet import ARCHITECTURES, CifarResNet, randomise, reference

BIG = {"resnet101", "resnet152", "wide_resnet101_2", "resnext101_32x8d", "resnext101_64x4d"}
TORCHVISION = [pytest.param(n, marks=pytest.mark.slow) if n in BIG else n for n in ARCHITECTURES]


def outputs_of_opened(path: Path, x: torch.Tensor) -> tuple[torch.Tensor, object]:
    opened = open_checkpoint(path)
    net = build(opened.graph()).eval()
    report = attach_weights(net, opened.weights)
    assert not report.new, report.describe()
    with torch.no_grad():
        return net(x), opened


@pytest.mark.parametrize("name", TORCHVISION)
def test_every_torchvision_resnet_opens_as_its_preset_and_runs_identically(tmp_path: Path, name: str) -> None:
    model = randomise(reference(name), seed=len(name))
    path = tmp_path / f"{name}.pth"
    torch.save(model.state_dict(), path)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        expected = model(x)
    assert torch.equal(got, expected)
    assert opened.preset == name  # type: ignore[attr-defined]
    assert opened.graph() == preset(name)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("depth", "option", "expected_preset"),
    [(20, "A", "resnet20"), (32, "A", "resnet32"), (20, "B", None), (44, "B", None)],
)
def test_hand_made_cifar_resnets_open_and_run_identically(
    tmp_path: Path, depth: int, option: str, expected_preset: str | None
) -> None:
    model = randomise(CifarResNet(depth, option), seed=depth)
    path = tmp_path / "cifar.pt"
    torch.save(model.state_dict(), path)
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        assert torch.allclose(got, model(x), rtol=1e-5, atol=1e-6)
    assert opened.preset == expected_preset  # type: ignore[attr-defined]
    graph = opened.graph()  # type: ignore[attr-defined]
    assert graph.node("stem").params["style"] == "cifar"
    shortcut = "zero-pad" if option == "A" else "auto"  # auto is a projection where the shape changes
    assert graph.node("layer2.0").params["shortcut"] == shortcut
    assert graph.node("layer2.1").params["shortcut"] == "auto"


def test_a_training_checkpoint_with_other_names_opens(tmp_path: Path) -> None:
    # The layout many CIFAR training scripts save: DataParallel's prefix, 'shortcut' and 'linear' for
    # torchvision's 'downsample' and 'fc', nested under 'state_dict' beside the epoch and accuracy.
    model = randomise(CifarResNet(20, "B", shortcut_name="shortcut", classifier_name="linear"), seed=3)
    state = {f"module.{k}": v for k, v in model.state_dict().items()}
    path = tmp_path / "checkpoint.pth"
    torch.save({"epoch": 200, "best_prec1": 91.7, "state_dict": state}, path)
    x = torch.randn(2, 3, 32, 32)
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        assert torch.allclose(got, model(x), rtol=1e-5, atol=1e-6)
    assert "renamed to torchvision's names" in opened.architecture  # type: ignore[attr-defined]


@pytest.mark.parametrize("head", ["classifier", "head.fc", "last_linear"])
def test_a_fine_tuned_models_classifier_under_another_name_opens(tmp_path: Path, head: str) -> None:
    # A fine-tuned model often names its new classifier itself; the checkpoint was refused as "fc.weight is
    # missing". The one two-dimensional weight of a ResNet is its classifier, whatever its name.
    model = randomise(reference("resnet18", num_classes=37), seed=6)
    state = {(f"{head}.{k[3:]}" if k.startswith("fc.") else k): v for k, v in model.state_dict().items()}
    path = tmp_path / "pets.pth"
    torch.save(state, path)
    x = torch.randn(2, 3, 32, 32)
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        assert torch.equal(got, model(x))
    assert opened.preset == "resnet18" and opened.graph().node("head").params["num_classes"] == 37  # type: ignore[attr-defined]
    assert "2 keys renamed to torchvision's names" in opened.architecture  # type: ignore[attr-defined]


def test_a_checkpoint_without_a_classifier_is_still_refused(tmp_path: Path) -> None:
    model = randomise(reference("resnet18"), seed=7)
    state = {k: v for k, v in model.state_dict().items() if not k.startswith("fc.")}
    state["projection.weight"], state["projection.extra"] = torch.zeros(8, 512), torch.zeros(8)
    path = tmp_path / "features.pth"
    torch.save(state, path)
    with pytest.raises(IncompleteCheckpointError, match=r"^fc\.weight is missing"):
        open_checkpoint(path)


def test_a_shared_prefix_and_a_model_key_are_undone(tmp_path: Path) -> None:
    model = randomise(reference("resnet18", num_classes=7), seed=4)
    path = tmp_path / "lightning.ckpt.pt"
    torch.save({"model": {f"backbone.{k}": v for k, v in model.state_dict().items()}}, path)
    opened = open_checkpoint(path)
    assert opened.preset == "resnet18"
    assert opened.graph().node("head").params["num_classes"] == 7
    assert "'backbone.'" in opened.architecture


def test_safetensors_opens_too(tmp_path: Path) -> None:
    safetensors = pytest.importorskip("safetensors.torch", reason="the safetensors package is optional")
    model = randomise(reference("resnet34", num_classes=5), seed=5)
    path = tmp_path / "resnet34.safetensors"
    safetensors.save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    x = torch.randn(1, 3, 32, 32)
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        assert torch.equal(got, model(x))
    assert opened.preset == "resnet34"  # type: ignore[attr-defined]


def test_a_grey_scale_stem_and_odd_widths_are_read_from_the_shapes(tmp_path: Path) -> None:
    model = reference("resnet18", num_classes=3)
    model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    randomise(model, seed=6)
    path = tmp_path / "grey.pt"
    torch.save(model.state_dict(), path)
    x = torch.randn(2, 1, 32, 32)
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        assert torch.equal(got, model(x))
    assert opened.preset is None  # type: ignore[attr-defined]
    assert opened.graph().node("input").params["channels"] == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("resnet50d", lambda: TimmStyleResNet([1, 1, 1, 1], deep=True, num_classes=10)),
        ("seresnet50", lambda: TimmStyleResNet([1, 1, 1, 1], se=True, num_classes=10)),
        pytest.param("resnet50d", lambda: TimmStyleResNet([3, 4, 6, 3], deep=True), marks=pytest.mark.slow),
        pytest.param("seresnet50", lambda: TimmStyleResNet([3, 4, 6, 3], se=True), marks=pytest.mark.slow),
    ],
)
def test_timm_style_resnet_d_and_se_checkpoints_open(tmp_path: Path, name: str, model: object) -> None:
    reference_model = randomise(model(), seed=9)  # type: ignore[operator]
    path = tmp_path / f"{name}.pth"
    torch.save(reference_model.state_dict(), path)
    x = torch.randn(2, 3, 32, 32)
    got, opened = outputs_of_opened(path, x)
    with torch.no_grad():
        assert torch.allclose(got, reference_model(x), rtol=1e-4, atol=1e-5)
    graph = opened.graph()  # type: ignore[attr-defined]
    kinds = {"resnet50d": ("DeepStem", "Bottleneck"), "seresnet50": ("Stem", "SEBottleneck")}[name]
    assert (graph.node("stem").type, graph.node("layer1.0").type) == kinds
    if len(graph) > 10:
        assert opened.preset == name  # type: ignore[attr-defined]
