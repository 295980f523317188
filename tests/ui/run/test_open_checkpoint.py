"""Opening a checkpoint in the app: File > Open and a drop on the window read it off the GUI thread; it arrives
with its weights, which a run uses; the inspector says which layers are loaded and which are new."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from resnet_studio.core import preset
from resnet_studio.core.commands import SetParam
from resnet_studio.ui.main_window import MainWindow

from ...engine.reference_resnet import CifarResNet, randomise
from .conftest import RUN_TIMEOUT_MS, Dialogs, WindowFactory, run


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[torch.nn.Module, Path]:
    model = randomise(CifarResNet(20, "A"), seed=31)
    path = tmp_path_factory.mktemp("checkpoint") / "resnet20.pth"
    torch.save(model.state_dict(), path)
    return model, path


def open_file(qtbot: object, window: MainWindow, path: Path) -> bool:
    with qtbot.waitSignal(window.files.checkpoint_opened, timeout=RUN_TIMEOUT_MS) as blocker:  # type: ignore[attr-defined]
        assert window.files.open(path)
    return bool(blocker.args[0])


def weights_row(window: MainWindow, node_id: str) -> str:
    window.document.set_selection([node_id])
    label = window.inspector.figures.get("Weights")
    return label.text() if label is not None else ""


def test_open_shows_the_network_with_its_weights_and_a_run_uses_them(
    qtbot: object, make_window: WindowFactory, dialogs: Dialogs, checkpoint: tuple[torch.nn.Module, Path]
) -> None:
    model, path = checkpoint
    window = make_window()
    dialogs.open_path = str(path)
    with qtbot.waitSignal(window.files.checkpoint_opened, timeout=RUN_TIMEOUT_MS):  # type: ignore[attr-defined]
        window.actions.open.trigger()
    document = window.document
    assert [n.name for n in document.graph.nodes][:3] == ["input", "stem", "layer1.0"]
    assert document.weights is not None and document.name == "resnet20"
    assert document.path is None and not document.is_modified  # Save asks for a project file name
    assert "ResNet-20 (CIFAR)" in document.description
    assert window.store.recent_files()[0] == str(path)
    assert window.run_ui.toolbar.weights.text() == "Weights: resnet20.pth"
    assert weights_row(window, "layer2.0").startswith("loaded from resnet20.pth")

    result = run(qtbot, window)
    assert result.status == "ok"
    from resnet_studio.engine.run.inputs import InputSource, make_input

    x = make_input(InputSource.parse("random", 0), (3, 32, 32), 1)
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(result.outputs[0], expected, rtol=1e-4, atol=1e-5)


def test_after_an_edit_the_inspector_tells_new_layers_from_loaded_ones(
    qtbot: object, make_window: WindowFactory, checkpoint: tuple[torch.nn.Module, Path]
) -> None:
    window = make_window()
    assert weights_row(window, "layer2.0") == ""  # a preset has no weights of its own
    assert open_file(qtbot, window, checkpoint[1])
    window.document.push(SetParam("layer3.2", "out_channels", 32))
    assert weights_row(window, "layer3.2").startswith("new: randomly initialised (conv1.weight is 32x64x3x3")
    assert weights_row(window, "layer3.1").startswith("loaded from resnet20.pth")
    assert weights_row(window, "head").startswith("1 of 2 tensors loaded")  # fc.weight takes 32 features now
    window.document.undo_stack.undo()
    assert weights_row(window, "layer3.2").startswith("loaded")


def test_a_refused_checkpoint_leaves_the_document_as_it_was(
    qtbot: object, make_window: WindowFactory, dialogs: Dialogs, tmp_path: Path
) -> None:
    window = make_window()
    before = window.document.graph.copy()
    path = tmp_path / "vgg.pth"
    torch.save({"features.0.weight": torch.zeros(8, 3, 3, 3)}, path)
    assert not open_file(qtbot, window, path)
    assert window.document.graph == before and window.document.weights is None
    assert "'features.0.weight'" in dialogs.asked[-1][2]


def test_a_checkpoint_dropped_on_the_canvas_opens(
    qtbot: object, make_window: WindowFactory, checkpoint: tuple[torch.nn.Module, Path]
) -> None:
    window = make_window()
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(checkpoint[1]))])
    viewport = window.canvas.viewport()
    enter = QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()  # the canvas passes file drags on to the window
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.files.checkpoint_opened, timeout=RUN_TIMEOUT_MS):  # type: ignore[attr-defined]
        window.dropEvent(drop)
    assert window.document.weights is not None and window.document.name == "resnet20"


def test_workers_import_the_engine_one_at_a_time(
    qtbot: object, make_window: WindowFactory, checkpoint: tuple[torch.nn.Module, Path]
) -> None:
    # Two threads importing torch for the first time at once (the device probe and an open) could both fail.
    import resnet_studio.engine.checkpoint
    import resnet_studio.engine.run  # noqa: F401  (imported already: without the lock the workers would not wait)
    from resnet_studio.ui.workers.files import CheckpointWorker, CodeWorker
    from resnet_studio.ui.workers.forward import DeviceWorker
    from resnet_studio.ui.workers.thread import ENGINE_IMPORT, WorkerThread

    window = make_window()
    arrived: list[object] = []
    code = CodeWorker(preset("resnet20").snapshot(), "stem", None, 1)
    workers = (CheckpointWorker(str(checkpoint[1])), DeviceWorker(), code)
    jobs = [WorkerThread(worker, window) for worker in workers]
    for job in jobs:
        job.worker.finished.connect(arrived.append)  # type: ignore[attr-defined]
    with ENGINE_IMPORT:
        for job in jobs:
            job.start()
        qtbot.wait(1500)  # type: ignore[attr-defined]
        assert arrived == []  # all wait for the engine import
    qtbot.waitUntil(lambda: len(arrived) == 3, timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not any(job.is_running() for job in jobs), timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    assert any(type(result).__name__ == "OpenedCheckpoint" for result in arrived)
    assert any(
        isinstance(result, tuple) and result[0] == "stem" and "class" in result[1] for result in arrived
    )
