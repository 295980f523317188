"""Mouse and keyboard on the canvas: palette drops, port drags, moves, rubber band, wheel, Tab quick-add."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from resnet_studio.core.commands import SetParam
from resnet_studio.core.layout import CARD_HEIGHT, CARD_WIDTH
from resnet_studio.core.model import Edge
from resnet_studio.core.presets import preset
from resnet_studio.core.project import Project
from resnet_studio.ui.canvas import CanvasView
from resnet_studio.ui.mime import BLOCK_MIME

from .conftest import User


def build_residual(user: User) -> dict[str, str]:
    """Input -> conv -> relu -> conv -> add(in1), relu -> add(in2) -> Output, with the mouse only."""
    ids = {
        "input": user.drop_block("Input", QPoint(300, 60)),
        "conv1": user.drop_block("Conv2d", QPoint(300, 230)),
        "relu": user.drop_block("ReLU", QPoint(300, 400)),
        "conv2": user.drop_block("Conv2d", QPoint(300, 570)),
        "add": user.drop_block("Add", QPoint(640, 570)),
    }
    user.link(ids["input"], ids["conv1"])
    user.link(ids["conv1"], ids["relu"])
    user.link(ids["relu"], ids["conv2"])
    user.link(ids["conv2"], ids["add"], "in1")
    user.link(ids["relu"], ids["add"], "in2")
    return ids


def test_build_a_residual_network_with_drops_and_port_drags(user: User) -> None:
    ids = build_residual(user)
    graph = user.document.graph
    assert len(graph) == 5
    assert user.edges() == {
        Edge(ids["input"], "out", ids["conv1"], "x"),
        Edge(ids["conv1"], "out", ids["relu"], "x"),
        Edge(ids["relu"], "out", ids["conv2"], "x"),
        Edge(ids["conv2"], "out", ids["add"], "in1"),
        Edge(ids["relu"], "out", ids["add"], "in2"),
    }
    assert user.document.undo_stack.count() == 10  # five drops, five links
    assert user.document.analysis.nodes[ids["add"]].output_shape == (64, 224, 224)
    user.view.canvas.flush()
    assert user.view.canvas.edges[Edge(ids["relu"], "out", ids["add"], "in2")].skip  # drawn as the skip
    # dragging backwards, from an input to a free output, works as well
    out = user.drop_block("Output", QPoint(640, 720))
    user.drag(user.port(out, "x"), user.port(ids["add"], "out"))
    assert Edge(ids["add"], "out", out, "x") in user.edges()
    assert user.document.analysis.ok


def test_refused_links_say_why_and_change_nothing(user: User) -> None:
    ids = build_residual(user)
    view, stack = user.view, user.document.undo_stack
    view.editor.run(lambda: SetParam(ids["add"], "inputs", 3))  # a free port: add.in3
    after = user.drop_block("ReLU", QPoint(640, 720))
    user.link(ids["add"], after)
    wide = user.drop_block("Input", QPoint(880, 230))
    view.editor.run(lambda: SetParam(wide, "channels", 5))
    before, count = user.edges(), stack.count()
    cases = [
        (user.port(after, "out"), user.port(ids["add"], "in3"), "loop"),  # a cycle
        (user.port(wide, "out"), user.port(ids["add"], "in2"), "already connected"),  # the port is taken
        (user.port(wide, "out"), user.port(ids["add"], "in3"), "5x224x224"),  # shapes do not match
    ]
    viewport = view.viewport()
    for start, end, words in cases:
        user.messages.clear()
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(viewport, (start + end) / 2)
        QTest.mouseMove(viewport, end)
        assert view.hint.isVisible() and view.hint.text().startswith("\u2717")
        assert words in view.hint.text()
        assert view.canvas.nodes[ids["add"]].port_feedback.get("in3") is False  # dimmed
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
        assert any(words in m for m in user.messages)
        assert not view.hint.isVisible() and view.canvas.nodes[ids["add"]].port_feedback == {}
    assert user.edges() == before and stack.count() == count
    # while dragging, the ports that would work glow and the others dim
    free = user.drop_block("BatchNorm2d", QPoint(880, 560))
    start = user.port(ids["relu"], "out")
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(130, 40))
    assert view.canvas.nodes[free].port_feedback == {"x": True}
    assert view.canvas.nodes[ids["conv1"]].port_feedback == {"x": False}  # taken (and upstream)
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(130, 40)
    )
    popup = view._quick_add  # a link dropped on empty canvas offers to add a block there, already connected
    assert popup is not None and popup.isVisible()
    popup.search.setText("BatchNorm")
    popup.accept()
    (bn,) = [n.id for n in user.document.graph.nodes if n.type == "BatchNorm2d" and n.id != free]
    assert Edge(ids["relu"], "out", bn, "x") in user.edges()


def test_dragging_a_card_is_one_undo_step(user: User) -> None:
    node = user.drop_block("Conv2d", QPoint(300, 300))
    stack = user.document.undo_stack
    count = stack.count()
    start = user.document.graph.node(node).position
    user.drag(user.card(node), user.card(node) + QPoint(150, 90), steps=8)
    moved = user.document.graph.node(node).position
    assert stack.count() == count + 1
    assert stack.undoText() == "Move conv"
    zoom = user.view.zoom
    assert moved[0] - start[0] == 150 / zoom and moved[1] - start[1] == 90 / zoom
    assert user.view.canvas.nodes[node].pos() == QPointF(*moved)
    stack.undo()
    assert user.document.graph.node(node).position == start


def test_moving_with_snap_to_grid_lands_on_the_grid(user: User) -> None:
    a = user.drop_block("ReLU", QPoint(300, 300))
    b = user.drop_block("ReLU", QPoint(600, 300))
    user.view.set_snap_to_grid(True)
    user.drag(user.card(a), user.card(b) + QPoint(0, 10), modifier=Qt.KeyboardModifier.NoModifier)
    x, y = user.document.graph.node(a).position
    assert x % 20 == 0 and y % 20 == 0


def test_escape_cancels_a_drag_without_an_undo_step(user: User) -> None:
    node = user.drop_block("Conv2d", QPoint(300, 300))
    stack = user.document.undo_stack
    count, start = stack.count(), user.document.graph.node(node).position
    viewport = user.view.viewport()
    point = user.card(node)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseMove(viewport, point + QPoint(40, 40))
    QTest.mouseMove(viewport, point + QPoint(80, 80))
    assert user.document.graph.node(node).position != start
    QTest.keyClick(user.view, Qt.Key.Key_Escape)
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point + QPoint(80, 80)
    )
    assert user.document.graph.node(node).position == start
    assert stack.count() == count and stack.canRedo() is False


def test_drop_a_block_onto_an_edge_inserts_it(user: User) -> None:
    a = user.drop_block("Input", QPoint(300, 100))
    b = user.drop_block("Conv2d", QPoint(300, 520))
    user.link(a, b)
    stack = user.document.undo_stack
    count = stack.count()
    route = user.view.canvas.edges[Edge(a, "out", b, "x")].route
    middle = route.pointAtPercent(0.5)
    assert user.view.drops.edge_under(_block("ReLU"), middle) is not None  # highlighted while hovering
    assert user.view.handle_drop(_block("ReLU"), middle)
    (relu,) = [n.id for n in user.document.graph.nodes if n.type == "ReLU"]
    assert user.edges() == {Edge(a, "out", relu, "x"), Edge(relu, "out", b, "x")}
    assert stack.count() == count + 1 and stack.undoText().startswith("Insert")
    stack.undo()
    assert user.edges() == {Edge(a, "out", b, "x")}


def test_drop_into_a_tight_gap_makes_room_below(make_document: object, qtbot: object) -> None:
    document = make_document(preset("resnet18"))  # type: ignore[operator]
    view = CanvasView(document)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.resize(900, 700)
    edge = Edge("layer1.0", "out", "layer1.1", "x")
    below = document.graph.node("layer1.1").position
    assert view.handle_drop(_block("Dropout"), view.canvas.edges[edge].route.pointAtPercent(0.5))
    (dropout,) = [n for n in document.graph.nodes if n.type == "Dropout"]
    assert dropout.position == below
    assert document.graph.node("layer1.1").position[1] > below[1]
    assert document.undo_stack.count() == 1


def test_picking_up_a_link_moves_or_removes_it(user: User) -> None:
    a = user.drop_block("Input", QPoint(300, 100))
    b = user.drop_block("ReLU", QPoint(300, 330))
    c = user.drop_block("ReLU", QPoint(640, 330))
    user.link(a, b)
    user.drag(user.port(b, "x"), user.port(c, "x"))
    assert user.edges() == {Edge(a, "out", c, "x")}
    assert user.document.undo_stack.undoText() == "Reconnect to relu2"
    user.drag(user.port(c, "x"), QPoint(900, 700))
    assert user.edges() == set()


def test_rubber_band_selects_the_cards_it_touches(user: User) -> None:
    a = user.drop_block("ReLU", QPoint(200, 200))
    b = user.drop_block("ReLU", QPoint(500, 200))
    c = user.drop_block("ReLU", QPoint(500, 550))
    user.drag(QPoint(20, 20), QPoint(700, 300))
    assert set(user.document.selection) == {a, b}
    user.drag(QPoint(20, 20), QPoint(700, 700), modifier=Qt.KeyboardModifier.ShiftModifier)
    assert set(user.document.selection) == {a, b, c}
    QTest.mouseClick(
        user.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(950, 30)
    )
    assert user.document.selection == ()


def test_click_selects_and_ctrl_click_adds(user: User) -> None:
    a = user.drop_block("ReLU", QPoint(200, 200))
    b = user.drop_block("ReLU", QPoint(600, 200))
    viewport = user.view.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, user.card(a))
    assert user.document.selection == (a,)
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, user.card(b))
    assert user.document.selection == (a, b)


def test_wheel_zooms_around_the_cursor(view: CanvasView) -> None:
    point = QPoint(700, 200)
    under = view.mapToScene(point)
    for _ in range(3):
        event = QWheelEvent(
            QPointF(point),
            QPointF(view.viewport().mapToGlobal(point)),
            QPoint(0, 0),
            QPoint(0, 120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(view.viewport(), event)
    assert view.zoom > 1.5
    after = view.mapToScene(point)
    assert abs(after.x() - under.x()) < 2 and abs(after.y() - under.y()) < 2
    view.reset_zoom()
    assert view.zoom == 1.0


def test_middle_drag_pans(view: CanvasView) -> None:
    centre = view.mapToScene(view.viewport().rect().center())
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 400))
    QTest.mouseMove(viewport, QPoint(400, 300))
    QTest.mouseRelease(
        viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(400, 300)
    )
    moved = view.mapToScene(view.viewport().rect().center())
    assert (moved.x() - centre.x(), moved.y() - centre.y()) == (100, 100)


def test_tab_opens_quick_add_and_enter_adds_the_block(user: User) -> None:
    user.view.setFocus()
    QTest.keyClick(user.view, Qt.Key.Key_Tab)
    popup = user.view._quick_add
    assert popup is not None and popup.isVisible()
    QTest.keyClicks(popup.search, "bottle")
    assert popup.current_type() == "Bottleneck"
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert [n.type for n in user.document.graph.nodes] == ["Bottleneck"]
    assert not popup.isVisible()


def tab_add(user: User, typed: str) -> None:
    """Tab on the canvas, type a block's name, Enter: as a user builds from the keyboard."""
    user.view.setFocus()
    QTest.keyClick(user.view, Qt.Key.Key_Tab)
    popup = user.view._quick_add
    assert popup is not None
    QTest.keyClicks(popup.search, typed)
    QTest.keyClick(popup.search, Qt.Key.Key_Return)


def test_tab_with_a_block_selected_adds_the_new_one_after_it(user: User) -> None:
    # Building a chain from the keyboard: select a block, Tab, type, Enter. The new block used to land
    # unconnected; it now goes into the selected block's one connection onwards, or onto its free output.
    a = user.drop_block("Input", QPoint(300, 80))
    b = user.drop_block("Conv2d", QPoint(300, 300))
    user.link(a, b)
    stack = user.document.undo_stack
    added = []
    for selected, typed in ((a, "relu"), (b, "dropout")):
        user.document.set_selection([selected])
        tab_add(user, typed)
        (new,) = user.document.selection
        added.append(new)
    relu, dropout = added
    assert user.edges() == {
        Edge(a, "out", relu, "x"),
        Edge(relu, "out", b, "x"),
        Edge(b, "out", dropout, "x"),
    }
    assert stack.undoText().startswith("Add ")
    stack.undo()
    stack.undo()  # the insert into a -> b was one step too
    assert user.edges() == {Edge(a, "out", b, "x")}


def test_a_whole_network_built_from_the_keyboard_is_connected_and_its_stages_are_named(user: User) -> None:
    # Input, then Tab + name + Enter for each block after the one just added, down to the Output.
    first = user.drop_block("Input", QPoint(300, 80))
    user.document.set_selection([first])
    for typed in ("stem", "stage", "stage", "classifier head", "output"):
        tab_add(user, typed)
    graph = user.document.graph
    order = [graph.node(n) for n in graph.topological_order()]
    # Before the fix the Output landed unconnected (a block with no output of its own was refused after the
    # head), and the stages were named layer and layer2 (their labels said "1 block" for a stage of two).
    assert [n.type for n in order] == ["Input", "Stem", "Stage", "Stage", "Head", "Output"]
    assert len(graph.edges) == 5 and not user.document.analysis.diagnostics
    assert [n.name for n in order if n.type == "Stage"] == ["layer1", "layer2"]
    labels = user.view.canvas.stage_labels.values()
    assert sorted(label.text for label in labels) == [
        "layer1: 2 blocks, 64 ch, 56x56",
        "layer2: 2 blocks, 64 ch, 56x56",
    ]
    # Each block a row below the last (before, every one landed at the cursor, on top of the others), the stage
    # labels in room of their own, and the view following the chain down to its last block.
    cards = [QRectF(*n.position, CARD_WIDTH, CARD_HEIGHT) for n in order]  # the cards themselves, no ports
    assert not any(a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1 :])
    assert not any(label.sceneBoundingRect().intersects(card) for label in labels for card in cards)
    last = user.view.canvas.nodes[order[-1].id].sceneBoundingRect()
    assert user.view.viewport().rect().contains(user.view.mapFromScene(last).boundingRect())


def test_dropping_a_preset_adds_it_as_one_step(user: User) -> None:
    assert user.drop_preset("resnet18", QPoint(200, 100))
    assert len(user.document.graph) == 12 and user.document.undo_stack.count() == 1
    assert user.document.undo_stack.undoText() == "Add ResNet-18"
    assert not user.drop_preset("resnet999", QPoint(200, 100))
    assert "resnet999" in user.messages[-1]


def _block(block_type: str) -> QMimeData:
    data = QMimeData()
    data.setData(BLOCK_MIME, block_type.encode())
    return data


def test_alt_drag_lifts_a_card_out_of_its_chain_in_one_step(user: User) -> None:
    a = user.drop_block("Input", QPoint(300, 80))
    b = user.drop_block("ReLU", QPoint(300, 300))
    c = user.drop_block("Conv2d", QPoint(300, 520))
    user.link(a, b)
    user.link(b, c)
    stack = user.document.undo_stack
    count = stack.count()
    user.drag(user.card(b), user.card(b) + QPoint(300, 0), modifier=Qt.KeyboardModifier.AltModifier)
    assert user.edges() == {Edge(a, "out", c, "x")}
    assert stack.count() == count + 1 and stack.undoText() == "Detach relu"
    stack.undo()
    assert user.edges() == {Edge(a, "out", b, "x"), Edge(b, "out", c, "x")}


def test_space_and_drag_pans(view: CanvasView) -> None:
    centre = view.mapToScene(view.viewport().rect().center())
    QTest.keyPress(view, Qt.Key.Key_Space)
    assert view.space_held
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 400))
    QTest.mouseMove(viewport, QPoint(560, 430))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(560, 430))
    QTest.keyRelease(view, Qt.Key.Key_Space)
    moved = view.mapToScene(view.viewport().rect().center())
    assert (moved.x() - centre.x(), moved.y() - centre.y()) == (-60, -30)
    assert not view.space_held and view.document.undo_stack.count() == 0


def test_double_click_shows_layers_or_opens_quick_add(user: User) -> None:
    block = user.drop_block("BasicBlock", QPoint(300, 300))
    source = user.drop_block("Input", QPoint(300, 80))
    user.link(source, block)
    viewport = user.view.viewport()
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, user.card(block))
    assert user.view.canvas.is_expanded(block)
    assert [r.name for r in user.view.canvas.plans[block].rows][:2] == ["conv1", "bn1"]
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, user.card(block))
    assert not user.view.canvas.is_expanded(block)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(900, 650))
    assert user.view._quick_add is not None and user.view._quick_add.isVisible()
    user.view._quick_add.close()


def test_reopening_a_document_rebuilds_the_items(user: User) -> None:
    user.drop_block("ReLU", QPoint(300, 300))
    user.document.replace(Project(preset("resnet34")), None)
    canvas = user.view.canvas
    assert set(canvas.nodes) == {n.id for n in user.document.graph.nodes}
    assert set(canvas.edges) == set(user.document.graph.edges)
    assert canvas.nodes["layer3.5"].content.lines[1] == "256x14x14 \u2192 256x14x14"  # analysed, not stale
