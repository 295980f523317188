"""The Gradients dock: a comparison with the plain twin fills the plot, the words and the canvas tint; hover names a
layer; the skip and normalisation switches are one undo step each and compare again with the one before dashed;
a network without class scores, a missing device and Cancel end in messages; race weights reach the comparison;
dark theme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from resnet_studio.core.switches import switch_values
from resnet_studio.results.gradients import GradientOutcome
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.panels.gradients import GradientsPanel
from resnet_studio.ui.settings_store import SettingsStore

from .conftest import Dialogs
from .teaching import JOB_TIMEOUT_MS, finish_race, open_window, race_panel, set_race, tiny


@pytest.fixture
def window(qtbot: object, store: SettingsStore, dialogs: Dialogs) -> Iterator[MainWindow]:
    made = open_window(qtbot, store, tiny(blocks=2))
    yield made
    made.run_ui.shutdown()


def gradients(window: MainWindow) -> GradientsPanel:
    window.run_ui.dock("gradients").raise_()
    return window.run_ui.gradients


def compare(qtbot: object, panel: GradientsPanel, start: object = None) -> GradientOutcome:
    """Start a comparison (by `start`, else Compare) and wait for its outcome and its thread."""
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        started = (start or panel.compare)()  # type: ignore[operator]
        assert started is not False
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    outcome = blocker.args[0]
    assert isinstance(outcome, GradientOutcome)
    return outcome


def test_a_comparison_fills_the_plot_the_words_and_the_tint(
    qtbot: object, window: MainWindow, tmp_path: Path
) -> None:
    panel = gradients(window)
    # Before a comparison: words in place of the plot (it showed empty axes with made-up ticks, 0.1 to 0.9).
    assert not panel.plot.empty.isHidden() and panel.plot.view.isHidden()
    outcome = compare(qtbot, panel)
    assert outcome.status == "ok" and outcome.request.names == ("tiny", "tiny without skips")
    assert not panel.plot.view.isHidden() and panel.plot.empty.isHidden()
    assert outcome.batch == "a batch of 32 from shapes and textures (procedural)"
    convs = [g for g in outcome.comparison.network.layers if g.type == "Conv2d"]
    x, y = panel.plot.curves[0].getOriginalDataset()
    assert len(x) == len(convs) == 6 and np.allclose(y, [g.grad_norm for g in convs])  # with a 1x1 projection
    twin_x, _ = panel.plot.curves[1].getOriginalDataset()
    assert len(twin_x) == 5 and twin_x[-1] == x[-1]  # the twin has none: stretched to line up
    assert panel.plot.before[0].getData()[0] is None or len(panel.plot.before[0].getData()[0]) == 0
    words = panel.words.text()
    assert "tiny: first-layer gradient" in words and "tiny without skips: first-layer gradient" in words
    assert "a batch of 32" in panel.subtitle.text() and "cpu" in panel.subtitle.text()
    tint = panel.tint
    assert tint is not None
    qtbot.waitUntil(lambda: len(tint.items()) == 4)  # type: ignore[attr-defined]  # stem, 2 blocks, head
    tips = sorted(item.toolTip() for item in tint.items())
    assert any(t.startswith("block (tiny): gradient reaching its output") for t in tips)
    text = panel.plot.hover_near(0.0, float(np.log10(y[0])))
    assert text.startswith("conv1 (tiny)\ngradient norm") and "the last convolution's" in text
    assert panel.plot.hover.isVisible()
    panel.tint_box.setChecked(False)
    assert tint.items() == []
    target = tmp_path / "gradients.png"
    assert panel.export_png(target) == target and not QImage(str(target)).isNull()
    assert "Gradient flow:" in window.statusBar().currentMessage()


@pytest.mark.parametrize(("switch", "name", "off"), [("skips", "skip", False), ("norm", "norm", "none")])
def test_a_switch_is_one_undo_step_and_compares_again_with_the_one_before_dashed(
    qtbot: object, window: MainWindow, switch: str, name: str, off: object
) -> None:
    panel = gradients(window)
    document = window.document
    first = compare(qtbot, panel)
    steps = document.undo_stack.count()
    box = getattr(panel, switch)
    assert box.isChecked()
    second = compare(qtbot, panel, box.click)
    assert document.undo_stack.count() == steps + 1
    assert switch_values(document.graph, name) == {off} and not box.isChecked()
    assert second.request.network.structure() != first.request.network.structure()
    assert len(panel.plot.before[0].getData()[0]) == 6  # the comparison before, dashed
    assert "Dashed, before: tiny:" in panel.earlier_words.text()
    document.undo_stack.undo()  # one step takes the switch back
    assert switch_values(document.graph, name) == ({True} if name == "skip" else {"batchnorm"})
    assert box.isChecked()
    assert "network changed" in panel.stale_banner.text()  # the curves shown are of the switched network
    assert panel.tint is not None and panel.tint.items() == []  # and so no card is tinted by them


def test_a_network_without_class_scores_is_a_message(
    qtbot: object, store: SettingsStore, dialogs: Dialogs
) -> None:
    window = open_window(qtbot, store, tiny(head=False), "features")
    try:
        panel = gradients(window)
        outcome = compare(qtbot, panel)
        assert outcome.status == "error"
        assert "needs a classifier output" in panel.problem_banner.text()
        assert panel.plot.series == []
    finally:
        window.run_ui.shutdown()


def test_a_missing_device_and_cancel_are_messages(qtbot: object, window: MainWindow) -> None:
    panel = gradients(window)
    window.run_ui.controller.set_device("cuda:7")
    outcome = compare(qtbot, panel)
    assert outcome.status == "error" and "Device not available" in panel.problem_banner.text()
    window.run_ui.controller.set_device("cpu")
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        assert panel.compare()
        assert panel.cancel_button.isVisibleTo(panel)
        panel.job.cancel()
    assert blocker.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert "cancelled" in window.statusBar().currentMessage() and panel.compare_button.isEnabled()


def test_weights_from_the_race_reach_the_comparison(qtbot: object, window: MainWindow) -> None:
    race = race_panel(qtbot, window)
    set_race(race, window.document.graph, steps=2)
    finish_race(qtbot, race)
    panel = gradients(window)
    panel.weights.setCurrentIndex(panel.weights.findData("race"))
    request = panel.request()
    assert request is not None and request.weights[0] is not None and request.weights[1] is not None
    trained = compare(qtbot, panel)
    panel.weights.setCurrentIndex(panel.weights.findData("he"))
    initial = compare(qtbot, panel)
    assert trained.status == initial.status == "ok"
    assert (
        trained.comparison.network.layers[0].weight_norm != initial.comparison.network.layers[0].weight_norm
    )


def test_pytorch_initialisation_is_a_choice(qtbot: object, window: MainWindow) -> None:
    panel = gradients(window)
    he = compare(qtbot, panel)
    panel.weights.setCurrentIndex(panel.weights.findData("pytorch"))
    default = compare(qtbot, panel)
    assert default.request.initialisation == "pytorch"
    assert default.comparison.network.layers[0].weight_norm != he.comparison.network.layers[0].weight_norm


def test_the_gradients_read_well_in_the_dark_theme(qtbot: object, window: MainWindow) -> None:
    panel = gradients(window)
    compare(qtbot, panel)
    window.set_theme("dark", remember=False)
    try:
        qtbot.waitUntil(lambda: panel.colours.background.lightness() < 100)  # type: ignore[attr-defined]
        assert panel.plot.view.backgroundBrush().color().lightness() < 100
        assert panel.plot.plot.getAxis("left").textPen().color().lightness() > 150
        assert "#56B4E9" in panel.plot.key_text()
    finally:
        window.set_theme("light", remember=False)


def test_a_lesson_compares_with_the_plain_twin_or_a_preset_by_name(qtbot: object, window: MainWindow) -> None:
    panel = gradients(window)
    outcome = compare(qtbot, panel, lambda: panel.compare_with("plain"))
    assert outcome.status == "ok" and outcome.request.names == ("tiny", "tiny without skips")
    assert not panel.compare_with("resnet9000")
    assert "no network called 'resnet9000'" in panel.problem_banner.text()
    assert panel.other.currentText().startswith("its plain twin")  # a bad name changes nothing
