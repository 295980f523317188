"""The Race dock: a race of tiny networks fills the plots and keeps the weights; pause, resume and cancel; bad
options refused in the form; a NaN loss, out of memory, a network without a class output and a folder that is not
a data set as banners with nothing lost; the trained weights in a forward run; dark theme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from resnet_studio.engine.training import TrainingFault
from resnet_studio.results.training import RaceRefusal, RaceResult
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.panels.race import find_gap
from resnet_studio.ui.settings_store import SettingsStore

from .conftest import Dialogs, run
from .teaching import JOB_TIMEOUT_MS, finish_race, open_window, race_faults, race_panel, set_race, tiny


@pytest.fixture
def window(qtbot: object, store: SettingsStore, dialogs: Dialogs) -> Iterator[MainWindow]:
    made = open_window(qtbot, store, tiny())
    yield made
    made.run_ui.shutdown()


def test_a_race_fills_the_plots_and_keeps_the_weights(
    qtbot: object, window: MainWindow, tmp_path: Path
) -> None:
    panel = race_panel(qtbot, window)
    grid = panel.data.grid
    assert grid is not None and grid.mosaic.shape == (3 * 32, 10 * 32, 3) and len(set(grid.labels)) == 10
    assert "after about 45 steps" in panel.gap_label.text()  # the default race, as measured
    set_race(panel, tiny(), steps=5)
    result = finish_race(qtbot, panel)
    assert isinstance(result, RaceResult) and result.status == "finished"
    assert [c.steps for c in panel.job.curves] == [5, 5]
    x, loss = panel.plots.smooth[0][0].getData()
    assert list(x) == [1, 2, 3, 4, 5] and np.all(np.isfinite(loss))
    assert panel.plots.key_text() == "tiny · tiny-plain"
    controller = window.run_ui.controller
    assert [t.label for t in controller.race_weights] == ["tiny", "tiny-plain"]
    assert all(t.weights.step == 5 for t in controller.race_weights)
    assert panel.weights_choice.currentText() == "tiny after 5 steps of training"  # the canvas's network
    assert "Race finished" in window.statusBar().currentMessage()
    target = tmp_path / "race.png"
    assert panel.export_png(target) == target and not QImage(str(target)).isNull()
    panel.x_axis.setCurrentIndex(1)  # against wall-clock time
    x_time, _ = panel.plots.smooth[0][0].getData()
    assert np.all(np.diff(x_time) > 0) and panel.plots.plots[0].getAxis("bottom").labelText.startswith(
        "seconds"
    )


def test_weights_from_the_race_are_used_by_a_forward_run(qtbot: object, window: MainWindow) -> None:
    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=3, lr="0.2")
    finish_race(qtbot, panel)
    controller = window.run_ui.controller
    before = run(qtbot, window)  # seeded random weights
    assert panel.use_weights()
    trained = controller.options.trained
    assert trained is not None and trained.label == "tiny"
    qtbot.waitUntil(lambda: controller.stale)  # type: ignore[attr-defined]  # the results no longer hold
    assert window.run_ui.toolbar.weights.text() == "Weights: tiny (trained)"
    after = run(qtbot, window)
    assert after.ok and after.request is not None and after.request.options.trained is trained
    random_stats, trained_stats = before.node("stem").stats, after.node("stem").stats  # type: ignore[union-attr]
    assert random_stats is not None and trained_stats is not None
    assert abs(random_stats.mean - trained_stats.mean) > 1e-4  # other weights, other activations
    controller.set_weights(None)
    assert controller.options.trained is None


def test_pause_resume_and_cancel(qtbot: object, window: MainWindow) -> None:
    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=400, batch=4)
    assert panel.start()
    qtbot.waitUntil(lambda: all(c.steps >= 2 for c in panel.job.curves), timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    panel.pause_button.click()
    assert panel.job.state == "paused" and panel.pause_button.text() == "Resume"
    qtbot.wait(400)  # type: ignore[attr-defined]  # a step under way when Pause was pressed still lands
    held = [c.steps for c in panel.job.curves]
    qtbot.wait(400)  # type: ignore[attr-defined]
    assert [c.steps for c in panel.job.curves] == held and not panel.start_button.isEnabled()
    panel.pause_button.click()
    assert panel.job.state == "running"
    qtbot.waitUntil(lambda: panel.job.curves[0].steps > held[0] + 1, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        panel.cancel_button.click()
    result = blocker.args[0]
    assert isinstance(result, RaceResult) and result.status == "cancelled"
    assert 2 < result.curves[0].steps < 400
    qtbot.waitUntil(lambda: panel.job.state == "idle")  # type: ignore[attr-defined]
    assert panel.start_button.isEnabled()
    assert window.run_ui.controller.race_weights[0].weights.step == result.curves[0].steps


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        ("steps", "abc", "Steps: 'abc' is not a whole number"),
        ("steps", "-5", "Steps must be a positive whole number, not -5"),
        ("batch_size", "0", "Batch size must be a positive whole number, not 0"),
        ("lr", "-0.1", "Learning rate must be a number above 0, not -0.1"),
        ("lr", "fast", "Learning rate: 'fast' is not a number"),
    ],
)
def test_bad_options_are_refused_in_the_form(
    qtbot: object, window: MainWindow, key: str, text: str, reason: str
) -> None:
    panel = window.run_ui.race
    panel.form.fields[key].setText(text)
    assert panel.form.problem.text() == reason and not panel.form.problem.isHidden()
    assert not panel.start_button.isEnabled() and reason in panel.start_button.toolTip()
    assert "border" in panel.form.fields[key].styleSheet()
    assert not panel.start() and not panel.job.running
    panel.form.fields[key].setText("8")
    assert panel.form.problem.text() == "" and panel.start_button.isEnabled()


def test_a_nan_loss_stops_that_network_with_the_step_and_a_suggestion(
    qtbot: object, window: MainWindow
) -> None:
    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=6)
    with race_faults([TrainingFault("nan", "tiny-plain", 3)]):
        result = finish_race(qtbot, panel)
    assert isinstance(result, RaceResult)
    plain = result.curve("tiny-plain")
    assert plain.status == "diverged" and plain.steps == 2 and result.curve("tiny").steps == 6
    banner = panel.problem_banner.text()
    assert "the loss became NaN at step 3" in banner and "Lower the learning rate" in banner
    assert "stopped: NaN" in panel.plots.key_text()
    assert [t.label for t in window.run_ui.controller.race_weights] == [
        "tiny"
    ]  # a diverged network's are no use


def test_out_of_memory_is_a_banner_with_advice(qtbot: object, window: MainWindow) -> None:
    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=4)
    with race_faults([TrainingFault("out_of_memory", "tiny", 2)]):
        finish_race(qtbot, panel)
    banner = panel.problem_banner.text()
    assert "out of memory" in banner and "Try batch 4" in banner
    assert panel.job.curves[1].steps == 4  # the other network went on


def test_a_network_without_class_scores_is_refused_and_the_last_race_stays(
    qtbot: object, window: MainWindow
) -> None:
    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=3)
    finish_race(qtbot, panel)
    kept = window.run_ui.controller.race_weights
    headless = tiny(head=False)
    panel.form.set_networks([("features", headless.snapshot()), ("tiny", tiny().snapshot())])
    result = finish_race(qtbot, panel)
    assert isinstance(result, RaceRefusal) and result.problem == "not_a_classifier"
    banner = panel.problem_banner.text()
    assert "could not start" in banner and "features outputs 8x16x16, not one score per class" in banner
    assert window.run_ui.controller.race_weights is kept
    assert [c.steps for c in panel.job.curves] == [3, 3] and panel.plots.labels == ["tiny", "tiny-plain"]


def test_a_folder_that_is_not_a_data_set_is_refused(
    qtbot: object, window: MainWindow, tmp_path: Path
) -> None:
    panel = race_panel(qtbot, window)
    (tmp_path / "cats").mkdir()
    with qtbot.waitSignal(panel.data.failed, timeout=JOB_TIMEOUT_MS):  # type: ignore[attr-defined]
        assert panel.data.use_folder(str(tmp_path))
    assert "only one class sub-folder (cats)" in panel.problem_banner.text()
    assert panel.data.choice.kind == "procedural" and panel.data.grid is not None  # the data set stays


def test_saving_weights_writes_the_file_or_says_why_not(
    qtbot: object, window: MainWindow, tmp_path: Path
) -> None:
    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=2)
    finish_race(qtbot, panel)
    target = tmp_path / "tiny"
    assert panel.save_weights(str(target))
    qtbot.waitUntil(lambda: panel._saving is None, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert (tmp_path / "tiny.safetensors").stat().st_size > 0
    assert "Saved the weights to tiny.safetensors" in window.statusBar().currentMessage()
    assert panel.save_weights(str(tmp_path / "missing" / "w.pt"))
    qtbot.waitUntil(lambda: panel._saving is None, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert "does not exist" in panel.problem_banner.text()


def test_the_race_reads_well_in_the_dark_theme(qtbot: object, window: MainWindow) -> None:
    panel = race_panel(qtbot, window)
    window.set_theme("dark", remember=False)
    try:
        qtbot.waitUntil(lambda: panel.colours.background.lightness() < 100)  # type: ignore[attr-defined]
        assert panel.plots.views[0].backgroundBrush().color().lightness() < 100
        assert panel.plots.plots[0].getAxis("left").textPen().color().lightness() > 150
        assert "#56B4E9" in panel.plots.key.text()  # the series colours for dark backgrounds
    finally:
        window.set_theme("light", remember=False)


def test_the_gap_is_found_between_the_highest_and_lowest_loss() -> None:
    from resnet_studio.results.training import TrainingCurve, TrainingPoint

    def curve(label: str, losses: list[float]) -> TrainingCurve:
        points = tuple(TrainingPoint(i + 1, loss, 0.5, i, i) for i, loss in enumerate(losses))
        return TrainingCurve(label, "running", points)

    flat = curve("plain", [2.3] * 30)
    falling = curve("resnet", [2.3] * 10 + [0.5] * 20)
    found = find_gap([flat, falling, curve("short", [2.0] * 5)])
    assert found is not None and found[1].label == "plain" and found[2].label == "resnet"
    assert 10 < found[0] < 30
    assert find_gap([flat, curve("same", [2.3] * 30)]) is None


def test_a_run_with_race_weights_names_them(qtbot: object, window: MainWindow) -> None:
    from resnet_studio.ui.run.changes import describe_change

    panel = race_panel(qtbot, window)
    set_race(panel, tiny(), steps=2)
    finish_race(qtbot, panel)
    controller = window.run_ui.controller
    before = controller.request()
    assert panel.use_weights()
    assert describe_change(before, controller.request()) == "weights of tiny after 2 steps of training"
    controller.keep_race_weights(())  # a new race replaces them: runs go back to random weights
    assert controller.options.trained is None


def test_a_lesson_races_presets_by_name(qtbot: object, window: MainWindow) -> None:
    panel = race_panel(qtbot, window)
    panel.form.fields["batch_size"].setText("4")
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS):  # type: ignore[attr-defined]
        assert panel.race(["resnet20", "resnet20_plain"], steps=1)
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert [c.label for c in panel.job.curves] == ["ResNet-20", "plain-20"]
    assert [c.steps for c in panel.job.curves] == [1, 1]


def test_a_lesson_race_asked_for_while_the_data_set_is_read_starts_once_it_is(
    qtbot: object, window: MainWindow
) -> None:
    window.run_ui.dock("race").raise_()
    panel = window.run_ui.race
    panel.form.fields["batch_size"].setText("4")
    if not panel.data.loading:
        panel.data.ask(panel.data.choice)  # as when the panel has just been opened
    assert panel.data.loading
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS):  # type: ignore[attr-defined]
        assert panel.race(["resnet20", "resnet20_plain"], steps=1)
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert [c.steps for c in panel.job.curves] == [1, 1]


def test_a_folder_asked_for_as_the_last_read_ends_is_read_next(
    qtbot: object, window: MainWindow, tmp_path: Path
) -> None:
    """Between a read's result and the end of its thread the picker is not idle: the choice waits, not dropped."""
    panel = race_panel(qtbot, window)
    (tmp_path / "cats").mkdir()
    accepted: list[bool] = []

    def ask_for_the_folder() -> None:
        if not accepted:
            accepted.append(panel.data.use_folder(str(tmp_path)))

    panel.data.settled.connect(ask_for_the_folder)
    with qtbot.waitSignal(panel.data.failed, timeout=JOB_TIMEOUT_MS):  # type: ignore[attr-defined]
        assert panel.data.ask(panel.data.choice)  # read the procedural set again
    assert accepted == [True]
    assert "only one class sub-folder (cats)" in panel.problem_banner.text()
    assert panel.data.choice.kind == "procedural" and not panel.data.loading


def test_loss_and_accuracy_share_one_step_axis(qtbot) -> None:  # type: ignore[no-untyped-def]
    from resnet_studio.results.training import TrainingCurve, TrainingPoint
    from resnet_studio.ui.panels.race_plots import RacePlots

    plots = RacePlots()
    qtbot.addWidget(plots)
    plots.resize(900, 300)
    plots.show()
    plots.set_networks(["plain-20", "ResNet-20"])
    points = tuple(TrainingPoint(i, 2.3 - 0.01 * i, 0.1 + 0.01 * i, 0.1 * i, 0.1 * i) for i in range(1, 13))
    plots.show_curves(
        [TrainingCurve("plain-20", "finished", points), TrainingCurve("ResNet-20", "finished", points)]
    )
    loss, accuracy = (plot.getViewBox() for plot in plots.plots)
    qtbot.waitUntil(lambda: loss.viewRange()[0][1] > 11)  # ranged on the steps drawn
    # Before, each plot ranged its steps on its own (the accuracy axis began at 0, the loss axis at 1 in the app):
    # the same step stood at different places side by side.
    assert accuracy.viewRange()[0] == loss.viewRange()[0]
    loss.setXRange(5, 9, padding=0)
    assert accuracy.viewRange()[0] == pytest.approx([5, 9])  # zooming one zooms the other
