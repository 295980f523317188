"""Helpers for the teaching-panel tests: a window on a tiny classifier, races of tiny networks, waiting."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from unittest import mock

from resnet_studio.core import Graph
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import plain_twin
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.panels.race import RacePanel
from resnet_studio.ui.settings_store import SettingsStore

from ...engine.graphs import chain

TINY_SETTINGS = RunSettings(input_shape=(3, 32, 32), batch_size=2)
JOB_TIMEOUT_MS = 120_000


def tiny(width: int = 8, blocks: int = 1, head: bool = True) -> Graph:
    """A small classifier for 3x32x32 images: a CIFAR stem, residual blocks, a 10-class head."""
    layers: list[tuple[str, dict[str, object]]] = [("Stem", {"style": "cifar", "out_channels": width})]
    layers += [("BasicBlock", {"out_channels": width, "stride": 2 if i == 0 else 1}) for i in range(blocks)]
    if head:
        layers.append(("Head", {"num_classes": 10}))
    return chain(layers, (3, 32, 32))  # type: ignore[arg-type]


def open_window(qtbot: object, store: SettingsStore, graph: Graph, name: str = "tiny") -> MainWindow:
    """A shown main window on this network."""
    document = Document()
    document.replace(Project(graph, TINY_SETTINGS, name), None)
    window = MainWindow(document, store)
    document.setParent(window)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    return window


def race_panel(qtbot: object, window: MainWindow) -> RacePanel:
    """The race panel in view, its data sample read."""
    window.run_ui.dock("race").raise_()
    panel = window.run_ui.race
    qtbot.waitUntil(lambda: panel.data.grid is not None, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    return panel


def set_race(panel: RacePanel, graph: Graph, steps: int = 4, batch: int = 8, **fields: str) -> None:
    """Race a network against its plain twin for a few small steps."""
    panel.form.set_networks([("tiny", graph.snapshot()), ("tiny-plain", plain_twin(graph).snapshot())])
    values = {"steps": str(steps), "batch_size": str(batch), **fields}
    for key, text in values.items():
        panel.form.fields[key].setText(text)


def finish_race(qtbot: object, panel: RacePanel) -> object:
    """Start the race and wait for its result (and its thread)."""
    with qtbot.waitSignal(panel.job.finished, timeout=JOB_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        assert panel.start()
    qtbot.waitUntil(lambda: not panel.job.running, timeout=JOB_TIMEOUT_MS)  # type: ignore[attr-defined]
    return blocker.args[0]


@contextlib.contextmanager
def race_faults(faults: Sequence[object]) -> Iterator[None]:
    """Inject engine faults (a NaN loss, out of memory) into the races started inside."""
    from resnet_studio.engine import training

    original = training.iter_race
    with mock.patch.object(training, "iter_race", functools.partial(original, faults=faults)):
        yield
