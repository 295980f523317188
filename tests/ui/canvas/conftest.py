"""Fixtures for the canvas tests: a document, a shown CanvasView, and helpers that act like a user's mouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from resnet_studio.core.graph import Graph
from resnet_studio.core.model import Edge
from resnet_studio.ui.canvas import CanvasView
from resnet_studio.ui.document import Document
from resnet_studio.ui.mime import BLOCK_MIME, PRESET_MIME


class User:
    """Drives a CanvasView the way a person does: drops from the palette, drags between ports, clicks."""

    def __init__(self, view: CanvasView) -> None:
        self.view = view
        self.messages: list[str] = []
        view.status_message.connect(self.messages.append)

    @property
    def document(self) -> Document:
        """The document behind the view."""
        return self.view.document

    def drop_block(self, block_type: str, at: QPoint) -> str:
        """Drop a palette block at a viewport point; returns the new node's id."""
        before = {n.id for n in self.document.graph.nodes}
        data = QMimeData()
        data.setData(BLOCK_MIME, block_type.encode())
        assert self.view.handle_drop(data, self.view.mapToScene(at))
        (new,) = [n.id for n in self.document.graph.nodes if n.id not in before]
        return new

    def drop_preset(self, name: str, at: QPoint) -> bool:
        """Drop a palette preset at a viewport point."""
        data = QMimeData()
        data.setData(PRESET_MIME, name.encode())
        return self.view.handle_drop(data, self.view.mapToScene(at))

    def port(self, node_id: str, port: str) -> QPoint:
        """Where a port is on screen (viewport coordinates)."""
        item = self.view.canvas.nodes[node_id]
        return self.view.mapFromScene(item.port_scene_pos(port, port == "out"))

    def card(self, node_id: str) -> QPoint:
        """A point inside a card, below its ports."""
        item = self.view.canvas.nodes[node_id]
        return self.view.mapFromScene(item.mapToScene(QPointF(60.0, 50.0)))

    def drag(
        self,
        start: QPoint,
        end: QPoint,
        steps: int = 4,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        """Press, move in a few steps, release."""
        viewport = self.view.viewport()
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, start)
        for i in range(1, steps + 1):
            QTest.mouseMove(viewport, start + (end - start) * (i / steps))
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, end)

    def link(self, src: str, dst: str, dst_port: str = "x") -> None:
        """Drag from src's output to an input port of dst."""
        self.drag(self.port(src, "out"), self.port(dst, dst_port))

    def edges(self) -> set[Edge]:
        """The graph's edges."""
        return set(self.document.graph.edges)


@pytest.fixture
def make_document(qapp: object) -> Iterator[Callable[[Graph], Document]]:
    """Documents that are put back to a clean state afterwards (a dirty undo stack signals while Qt tears down)."""
    made: list[Document] = []

    def make(graph: Graph) -> Document:
        made.append(Document(graph))
        return made[-1]

    yield make
    for document in made:
        document.undo_stack.clear()


@pytest.fixture
def view(qtbot: object, make_document: Callable[[Graph], Document]) -> Iterator[CanvasView]:
    """An empty canvas, shown at 1000x760."""
    document = make_document(Graph())
    canvas = CanvasView(document)
    qtbot.addWidget(canvas)  # type: ignore[attr-defined]
    canvas.resize(1000, 760)
    canvas.show()
    QTest.qWaitForWindowExposed(canvas)
    yield canvas


@pytest.fixture
def user(view: CanvasView) -> User:
    """A user in front of the empty canvas."""
    return User(view)


@pytest.fixture(autouse=True)
def empty_clipboard(qapp: object) -> Iterator[None]:
    """Leave the clipboard empty: Qt deleting Python-made clipboard data after Python has stopped would crash."""
    yield
    QGuiApplication.clipboard().clear()


@pytest.fixture(autouse=True)
def no_paint_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test when drawing any canvas item raised (the guard only logs it, so the app keeps running)."""
    yield
    errors = [r for r in caplog.records if r.name.startswith("resnet_studio.ui.canvas") and r.levelno >= 40]
    assert not errors, errors[0].getMessage()
