"""The Landscape dock: a small grid of a tiny network and its plain twin, coarse grid first, on one colour scale with
the non-convexity maps; hover; Cancel keeps the points; bad options, weights that do not fit and a network without
class scores each end in a message with nothing lost; no OpenGL offscreen; PNG and SVG export; the lesson's
action starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from resnet_studio.core.lessons.model import Action
from resnet_studio.results.landscape_request import LandscapeOutcome
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.panels.landscape import LandscapePanel
from resnet_studio.ui.panels.landscape_plots import filled
from resnet_studio.ui.settings_store import SettingsStore

from .conftest import Dialogs
from .teaching import JOB_TIMEOUT_MS, open_window, tiny


@pytest.fixture
def window(qtbot: object, store: SettingsStore, dialogs: Dialogs) -> Iterator[MainWindow]:
    made = open_window(qtbot, store, tiny(blocks=2))
    yield made
    made.run_ui.shutdown()


def landscape(window: MainWindow, grid: int = 7, batch: int = 8) -> LandscapePanel:
    """The dock in view, set to a small grid on a small batch."""
    window.run_ui.dock("landscape").raise_()
    panel = window.run_ui.landscape
    panel.form.fields["grid"].setText(str(grid))
    panel.form.fields["batch"].setText(str(batch))
    return panel


def compute(qtbot: object, panel: LandscapePanel, start: object = None) -> LandscapeOutcome:
    """Start (by `start`, else Compute) and wait for the outcome and the thread."""
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        assert (start or panel.compute)() is not False  # type: ignore[operator]
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    outcome = blocker.args[0]
    assert isinstance(outcome, LandscapeOutcome)
    return outcome


def test_both_surfaces_arrive_coarse_first_on_one_scale_with_their_maps(
    qtbot: object, window: MainWindow, tmp_path: Path
) -> None:
    panel = landscape(window)
    seen: list[tuple[int, ...]] = []
    panel.job.surfaces_changed.connect(lambda: seen.append(tuple(s.done for s in panel.job.surfaces)))
    outcome = compute(qtbot, panel)
    assert outcome.status == "ok" and outcome.request.labels == ("tiny", "tiny without skips")
    assert outcome.batch == "a batch of 8 from shapes and textures (procedural)"
    assert [s.level for s in panel.job.surfaces] == [1, 1]  # a 5x5 grid, then the 7x7 one
    assert seen and all(s.complete for s in panel.job.surfaces)
    scale = panel.maps.scale
    assert scale is not None and scale.log
    lowest = min(float(np.log10(s.loss.min())) for s in panel.job.surfaces)
    highest = max(float(np.log10(s.loss.max())) for s in panel.job.surfaces)
    assert scale.low == pytest.approx(lowest) and scale.high == pytest.approx(highest)  # one scale for both
    for k, surface in enumerate(panel.job.surfaces):
        image = panel.maps.images[k].image
        assert image.shape == (7, 7) and np.allclose(image, np.log10(surface.loss).T)
        assert panel.maps.map_images[k].image.shape == (5, 5)  # the interior points
        assert all(c.isVisible() for c in panel.maps.contours[k])  # contour lines over the heatmap
        assert "non-convex at" in panel.maps.maps[k].titleLabel.text
    words = panel.words.text()
    assert "tiny</b> (at initialisation)" in words and "non-convex within the slice at" in words
    assert "7x7 over [-1, 1]" in panel.subtitle.text()
    centre = panel.job.surfaces[0].loss[3, 3]
    text = panel.maps.hover_at(0, 0.01, -0.02)
    assert text.startswith("tiny at (alpha +0, beta +0): loss") and f"{centre:,.4g}" in text
    assert panel.maps.hover_at(1, 5.0, 0.0) == ""  # outside the grid
    target = tmp_path / "landscape.png"
    assert panel.export_png(target) == target and not QImage(str(target)).isNull()
    drawing = panel.export_svg(tmp_path / "landscape.svg")
    assert drawing is not None and drawing.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "<svg" in drawing.read_text(encoding="utf-8")
    panel.view.setCurrentIndex(1)  # the curve through the centre
    x, y = panel.curves.curves[1].getData()
    assert len(x) == 7 and np.allclose(y, np.log10(panel.job.surfaces[1].loss[:, 3]))


def test_a_refining_surface_shows_each_unknown_point_as_its_nearest_known_one() -> None:
    values = np.full((5, 5), np.nan)
    known = np.zeros((5, 5), bool)
    for i in (0, 2, 4):
        for j in (0, 4):
            values[i, j], known[i, j] = 10 * i + j, True
    shown = filled(values, known)
    assert shown[0].tolist() == [0, 0, 0, 4, 4] and shown[1].tolist() == shown[0].tolist()
    assert shown[4, 1] == 40 and not np.isnan(shown).any()
    values[1, 1], known[1, 1] = 99, True  # a finer point arrives
    assert filled(values, known)[1].tolist() == [99, 99, 99, 99, 99]


def test_cancel_keeps_the_points_computed(qtbot: object, window: MainWindow) -> None:
    panel = landscape(window, grid=41)
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        assert panel.compute()
        assert panel.cancel_button.isVisibleTo(panel) and not panel.compute_button.isEnabled()
        qtbot.waitUntil(lambda: panel.job.done > 0, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
        panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert blocker.args[0].status == "cancelled"
    assert 0 < panel.job.done < panel.job.total
    assert "cancelled" in window.statusBar().currentMessage()
    assert panel.compute_button.isEnabled() and not panel.cancel_button.isVisibleTo(panel)
    assert panel.problem_banner.text() == ""


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("grid", "0", "Grid must be a whole number from 3 to 501, not 0"),
        ("grid", "1", "Grid must be a whole number from 3 to 501, not 1"),
        ("grid", "10000", "Grid must be a whole number from 3 to 501, not 10000"),
        ("range", "-1", "Range must be a positive number up to 100"),
        ("batch", "0", "Batch size must be between 1 and"),
        ("seed", "x", "Seed must be a whole number, not 'x'"),
    ],
)
def test_a_bad_option_is_refused_with_the_command_lines_message(
    window: MainWindow, field: str, text: str, message: str
) -> None:
    panel = landscape(window)
    panel.form.fields[field].setText(text)
    assert panel.compute() is False
    assert message in panel.problem_banner.text() and not panel.job.running
    assert "border" in panel.form.fields[field].styleSheet()


def test_weights_that_do_not_fit_are_refused_and_the_surfaces_shown_stay(
    qtbot: object, window: MainWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    import torch

    panel = landscape(window, grid=5)
    assert compute(qtbot, panel).status == "ok"
    shown = [s.loss.copy() for s in panel.job.surfaces]
    bad = tmp_path / "other.pt"
    torch.save({"fc.weight": torch.zeros(3, 3)}, bad)
    dialogs.open_path = str(bad)
    panel.form.weights.setCurrentIndex(2)
    panel.form.weights.activated.emit(2)
    assert panel.form.weights_path == str(bad)
    outcome = compute(qtbot, panel)
    assert outcome.status == "error"
    banner = panel.problem_banner.text()
    assert "No landscape." in banner and "tiny:" in banner and "weights" in banner.lower()
    assert [np.allclose(a, s.loss) for a, s in zip(shown, panel.job.surfaces)] == [True, True]
    assert panel.compute_button.isEnabled()


def test_a_network_without_class_scores_is_refused(
    qtbot: object, store: SettingsStore, dialogs: Dialogs
) -> None:
    window = open_window(qtbot, store, tiny(head=False), "no head")
    try:
        panel = landscape(window)
        assert panel.compute() is False
        assert "one score per class" in panel.problem_banner.text() and not panel.job.running
    finally:
        window.run_ui.shutdown()


def test_without_opengl_the_dock_says_so_and_keeps_the_2d_views(window: MainWindow) -> None:
    panel = landscape(window)
    panel.view.setCurrentIndex(2)  # 3D surface
    assert panel.gl_note.text().startswith("No 3D view: the offscreen display has no OpenGL")
    assert panel.views.currentWidget() is panel.maps and panel.view.currentIndex() == 0
    assert panel.surface_3d is None


def test_the_lessons_action_starts_the_landscapes(qtbot: object, window: MainWindow) -> None:
    panel = landscape(window, batch=8)
    action = Action("landscape", {"other": "plain", "grid": 5})
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        assert window.lessons.runner.perform(action) == ""
        assert panel.job.running and window.run_ui.dock("landscape").isVisible()
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    outcome = blocker.args[0]
    assert outcome.status == "ok" and outcome.request.options.grid == 5
    assert outcome.request.labels[1] == "tiny without skips"
    too_big = Action("landscape", {"other": "plain", "grid": 10_000})
    note = window.lessons.runner.perform(too_big)
    assert note.startswith("The landscapes did not start: Grid must be a whole number from 3 to 501")
