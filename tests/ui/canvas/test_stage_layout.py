"""The canvas draws the core's stage layout: stage labels from the live analysis, routes that miss the cards,
the whole network fitted, and clicks that select a card at every zoom."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtTest import QTest

from resnet_studio.core.commands import MoveNodes, Rename, SetParam
from resnet_studio.core.expansion import expand_all
from resnet_studio.core.graph import Graph
from resnet_studio.core.layout import CARD_HEIGHT, CARD_WIDTH
from resnet_studio.core.presets import preset
from resnet_studio.ui.canvas import CanvasView
from resnet_studio.ui.canvas.interactions import LinkDrag
from resnet_studio.ui.canvas.node_item import SIMPLE_LOD
from resnet_studio.ui.document import Document


@pytest.fixture
def make_view(qtbot: object, make_document: Callable[[Graph], Document]) -> Callable[[Graph], CanvasView]:
    def make(graph: Graph) -> CanvasView:
        view = CanvasView(make_document(graph))
        qtbot.addWidget(view)  # type: ignore[attr-defined]
        view.resize(1000, 640)
        view.show()
        QTest.qWaitForWindowExposed(view)
        view.fit_all()
        return view

    return make


def labels(view: CanvasView) -> dict[str, str]:
    return {item.name: item.text for item in view.canvas.stage_labels.values()}


def test_each_stage_has_a_label_from_the_live_analysis(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    assert labels(view) == {
        "layer1": "layer1: 2 blocks, 64 ch, 56x56",
        "layer2": "layer2: 2 blocks, 128 ch, 28x28",
        "layer3": "layer3: 2 blocks, 256 ch, 14x14",
        "layer4": "layer4: 2 blocks, 512 ch, 7x7",
    }
    document = view.document
    document.push(SetParam("layer2.1", "out_channels", 96))
    assert labels(view)["layer2"] == "layer2: 2 blocks, 96 ch, 28x28"
    document.set_settings(document.settings.__class__((3, 64, 64)))
    assert labels(view)["layer4"] == "layer4: 2 blocks, 512 ch, 2x2"
    label = view.canvas.stage_labels["layer3.0"]
    assert view.canvas.network_rect().contains(label.sceneBoundingRect())
    # the label sits above the stage's first card and follows it
    card = view.canvas.nodes["layer3.0"].sceneBoundingRect()
    assert label.sceneBoundingRect().bottom() < view.canvas.nodes["layer3.0"].pos().y()
    assert abs(label.sceneBoundingRect().center().x() - card.center().x()) < 1
    x, y = document.graph.node("layer3.0").position
    document.push(MoveNodes({"layer3.0": (x + 300, y + 40)}))
    assert label.sceneBoundingRect().bottom() < y + 40 and label.pos().x() > x + 200
    document.push(Rename("layer3.0", "middle"))  # no longer named like a stage's first block
    assert "layer3" in labels(view) and view.canvas.stage_labels.get("layer3.0") is None
    document.undo_stack.undo()
    assert view.canvas.stage_labels["layer3.0"].text == "layer3: 2 blocks, 256 ch, 4x4"


def _crossings(view: CanvasView) -> list[str]:
    """Edges whose drawn route runs through a card other than its own two ends."""
    cards = {n: item.sceneBoundingRect() for n, item in view.canvas.nodes.items()}
    inner = {n: QRectF(r.x() + 14, r.y() + 22, CARD_WIDTH - 28, CARD_HEIGHT - 44) for n, r in cards.items()}
    found = []
    for edge, item in view.canvas.edges.items():
        route = item.route
        points = [route.pointAtPercent(i / 80) for i in range(81)]
        for node_id, rect in inner.items():
            if node_id not in (edge.src, edge.dst) and any(rect.contains(p) for p in points):
                found.append(f"{edge} crosses {node_id}")
    return found


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet101"])
def test_connections_between_columns_run_around_the_cards(
    make_view: Callable[[Graph], CanvasView], name: str
) -> None:
    view = make_view(preset(name))
    assert not _crossings(view)
    climbing = [i for i in view.canvas.edges.values() if i.route.boundingRect().height() > CARD_HEIGHT * 2]
    assert len(climbing) >= 3  # one into each stage after the first


def test_skips_of_an_exploded_network_stay_readable(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(expand_all(preset("resnet18")))
    assert not _crossings(view)
    assert view.canvas.stages and len(view.canvas.stage_labels) == 4


def test_a_document_shows_fitted_and_stays_fitted_when_the_window_changes(
    make_view: Callable[[Graph], CanvasView],
) -> None:
    view = make_view(preset("resnet50"))
    rect = view.canvas.network_rect()
    assert view.fitted and view.visible_scene_rect().contains(rect)
    assert view.zoom > 0.3  # the whole ResNet-50 is readable, not a thin column of 7 px labels
    view.resize(1500, 900)
    QTest.qWait(10)
    assert view.fitted and view.visible_scene_rect().contains(rect)
    view.zoom_by(1.5)
    assert not view.fitted
    view.resize(1000, 640)
    assert not view.visible_scene_rect().contains(rect)  # the user's zoom is kept


def _press(view: CanvasView, at: QPointF) -> object:
    point = view.mapFromScene(at)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    gesture = view._gesture
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    return gesture


@pytest.mark.parametrize("zoom", [0.08, 0.15, 0.3, 0.6, 1.0, 2.0])
def test_a_click_on_a_card_selects_it_at_every_zoom(
    make_view: Callable[[Graph], CanvasView], zoom: float
) -> None:
    view = make_view(preset("resnet18"))
    view.resetTransform()
    view.scale(zoom, zoom)
    for node_id in ("layer2.0", "layer2.1", "stem"):
        view.centerOn(view.canvas.nodes[node_id].sceneBoundingRect().center())
        card = view.canvas.nodes[node_id].pos()
        view.document.set_selection([])
        # near the top of the body, right under the input port and close to the card above's output
        for local in (QPointF(CARD_WIDTH / 2, 20.0), QPointF(30.0, CARD_HEIGHT - 8.0), QPointF(120.0, 60.0)):
            gesture = _press(view, card + local)
            assert not isinstance(gesture, LinkDrag), (node_id, local)
            assert view.document.selection == (node_id,), (node_id, local, zoom)


@pytest.mark.parametrize("zoom", [0.15, 1.0])
def test_a_port_is_still_grabbed_just_off_the_card(
    make_view: Callable[[Graph], CanvasView], zoom: float
) -> None:
    view = make_view(preset("resnet18"))
    view.resetTransform()
    view.scale(zoom, zoom)
    item = view.canvas.nodes["layer2.0"]
    view.centerOn(item.sceneBoundingRect().center())
    below = item.port_scene_pos("out", True) + QPointF(0.0, 6.0 / zoom)  # 6 px under the card's output
    point = view.mapFromScene(below)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert isinstance(view._gesture, LinkDrag)
    view._gesture.cancel()
    view._gesture = None
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert view.canvas.port_at(below, view.port_reach()) is not None


def test_a_port_reach_grows_as_the_view_zooms_out(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet18"))
    view.resetTransform()
    near = view.port_reach()
    view.scale(0.1, 0.1)
    assert view.port_reach() == pytest.approx(near * 10, rel=0.01)


def test_presentation_style_keeps_labels_whole(make_view: Callable[[Graph], CanvasView]) -> None:
    view = make_view(preset("resnet152"))
    view.set_presentation(True)
    for label in view.canvas.stage_labels.values():
        title, detail = label.fitted_fonts()
        room = label.boundingRect().width() - 16
        assert QFontMetricsF(title).horizontalAdvance(label.name) <= room + 0.5
        assert QFontMetricsF(detail).horizontalAdvance(label.caption) <= room + 0.5


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_names_and_stage_labels_are_legible_fitted_in_the_default_window(
    make_view: Callable[[Graph], CanvasView], name: str
) -> None:
    view = make_view(preset(name))
    view.resize(870, 430)  # the canvas of a first start in a 1600x1000 window, beside the docks
    QTest.qWait(10)
    assert view.fitted and view.visible_scene_rect().contains(view.canvas.network_rect())
    card = view.canvas.nodes["layer2.0"]
    if view.zoom <= SIMPLE_LOD:  # zoomed out: names in large letters
        assert card._overview_font.pixelSize() * view.zoom >= 12
    else:
        assert card._style.title_font.pixelSize() * view.zoom >= 9
    title, detail = view.canvas.stage_labels["layer2.0"].fitted_fonts()
    assert title.pixelSize() * view.zoom >= 10 and detail.pixelSize() * view.zoom >= 8
