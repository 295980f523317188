"""The inspector: parameters as proper widgets, one undoable command per change, editors follow the model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFrame, QSpinBox

from resnet_studio.core import get_spec, preset
from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.commands import Rename, SetParam
from resnet_studio.core.edits import explode
from resnet_studio.core.project import Project
from resnet_studio.ui.document import Document
from resnet_studio.ui.panels.inspector import InspectorPanel
from resnet_studio.ui.panels.inspector_params import WIDEST_FLOAT, FloatSpinBox


def make(qtbot, document: Document, *ids: str) -> InspectorPanel:
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.resize(380, 900)
    document.set_selection(list(ids))
    return panel


def test_editors_match_the_parameter_declarations(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer2.0")
    assert panel.params is not None and panel.name_edit is not None
    editors = panel.params.editors
    assert panel.name_edit.text() == "layer2.0"
    stride = editors["stride"]
    assert isinstance(stride, QSpinBox) and (stride.minimum(), stride.maximum(), stride.value()) == (1, 4, 2)
    assert isinstance(editors["shortcut"], QComboBox)
    assert [editors["shortcut"].itemText(i) for i in range(4)] == [
        "auto",
        "identity",
        "projection",
        "zero-pad",
    ]
    assert isinstance(editors["skip"], QCheckBox) and editors["skip"].isChecked()
    assert panel.describe_label is not None and "64 \u2192 128" in panel.describe_label.text()
    assert panel.figures["Shapes"].text() == "64x56x56 \u2192 128x28x28"
    assert panel.figures["Parameters"].text() == "230.14 k trainable \u00b7 771 buffers"
    assert "FLOPs = 2 x MACs" in panel.figures["MACs"].text()
    assert panel.figures["Receptive field"].text() == "67 x 67 px, stride 8"
    texts = [label.text() for label in panel.widget().findChildren(type(panel.message))]
    assert any("H(x) = F(x) + x" in t for t in texts)


def test_float_parameter_uses_a_float_editor(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "head")
    dropout = panel.params.editors["dropout"]  # type: ignore[union-attr]
    assert isinstance(dropout, FloatSpinBox) and dropout.maximum() == 0.99
    dropout.setValue(0.25)
    assert document.graph.node("head").params["dropout"] == 0.25
    assert document.undo_stack.undoText() == "Set dropout of head"


def test_a_small_float_is_shown_whole(qtbot, document: Document) -> None:
    # BatchNorm's eps lies between 0 and 1: the editor was as wide as one digit and showed "1e".
    document.push(explode(document.graph, document.analysis, "layer1.0"))
    panel = make(qtbot, document, "layer1.0.bn1")
    panel.show()
    qtbot.waitExposed(panel)
    eps = panel.params.editors["eps"]  # type: ignore[union-attr]
    assert isinstance(eps, FloatSpinBox) and eps.text() == "1e-05"
    room = eps.lineEdit().width()
    assert room >= eps.lineEdit().fontMetrics().horizontalAdvance("1e-05")
    assert eps.sizeHint().width() > eps.fontMetrics().horizontalAdvance(WIDEST_FLOAT)


def test_a_vector_s_receptive_field_has_no_stride(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "head")  # 1000 class scores: no neighbours to be a stride apart
    assert panel.figures["Receptive field"].text() == "627 x 627 px"
    document.set_selection(["layer4.1"])
    assert panel.figures["Receptive field"].text() == "435 x 435 px, stride 32"


def test_parameters_that_do_not_matter_are_shown_disabled(qtbot) -> None:  # type: ignore[no-untyped-def]
    document = Document()
    document.replace(Project(preset("preact_resnet18"), RunSettings(), "PreAct ResNet-18"), None)
    panel = make(qtbot, document, "layer2.0")  # a basic block: its expansion does not matter
    editors, labels = panel.params.editors, panel.params.labels  # type: ignore[union-attr]
    assert not editors["expansion"].isEnabled() and not labels["expansion"].isEnabled()
    assert editors["width"].isEnabled() and editors["stride"].isEnabled()
    editors["form"].setCurrentText("bottleneck")  # type: ignore[union-attr]
    assert document.graph.node("layer2.0").params["form"] == "bottleneck"
    assert editors["expansion"].isEnabled() and labels["expansion"].isEnabled()
    document.undo_stack.undo()
    assert not editors["expansion"].isEnabled()
    document.undo_stack.clear()


def test_a_stage_of_basic_blocks_disables_the_bottleneck_parameters() -> None:
    stage = get_spec("Stage")
    basic = stage.make_params({"block": "basic"})
    assert [p.name for p in stage.params if not p.applies(basic)] == ["expansion", "stride_on"]
    assert all(p.applies(stage.make_params({"block": "bottleneck"})) for p in stage.params)


def test_a_change_is_one_undoable_command_and_editors_follow_undo(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer2.0")
    shortcut = panel.params.editors["shortcut"]  # type: ignore[union-attr]
    assert isinstance(shortcut, QComboBox)
    shortcut.setCurrentText("identity")
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Set shortcut of layer2.0"
    assert document.graph.node("layer2.0").params["shortcut"] == "identity"
    # the error shows in the inspector with its fix
    assert len(panel.fix_buttons) == 1 and panel.fix_buttons[0].text() == "Fix: Set shortcut to projection"
    assert panel.figures["Shapes"].text().endswith("?")
    document.undo_stack.undo()
    assert shortcut.currentText() == "auto"
    assert panel.fix_buttons == []
    document.undo_stack.redo()
    assert shortcut.currentText() == "identity"
    # a change made elsewhere (another view, a script) shows too
    document.push(SetParam("layer2.0", "stride", 1))
    assert panel.params.editors["stride"].value() == 1  # type: ignore[union-attr]


def test_fix_button_requests_the_fix(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer2.0")
    document.push(SetParam("layer2.0", "shortcut", "identity"))
    with qtbot.waitSignal(panel.fix_requested) as blocker:
        panel.fix_buttons[0].click()
    assert blocker.args[0].node_id == "layer2.0"


def test_typing_a_number_is_one_step(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer1.0")
    editor = panel.params.editors["out_channels"]  # type: ignore[union-attr]
    panel.show()
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "96")
    assert document.undo_stack.count() == 0  # nothing until the typing is finished
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert document.undo_stack.count() == 1
    assert document.graph.node("layer1.0").params["out_channels"] == 96


def test_rename_is_undoable_and_duplicates_are_refused(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer3.0")
    edit = panel.name_edit
    assert edit is not None
    edit.setText("wide")
    edit.editingFinished.emit()
    assert document.graph.node("layer3.0").name == "wide"
    assert document.undo_stack.undoText() == "Rename layer3.0 to wide"
    edit.setText("layer2.1")
    edit.editingFinished.emit()
    assert document.graph.node("layer3.0").name == "wide"
    assert edit.text() == "wide"
    assert "already used" in panel.message.text() and not panel.message.isHidden()
    document.undo_stack.undo()
    assert edit.text() == "layer3.0"
    document.push(Rename("layer3.0", "middle"))
    assert edit.text() == "middle"


def test_multi_selection_shows_count_and_sums(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer1.0", "layer1.1")
    labels = [w.text() for w in panel.widget().findChildren(type(panel.message))]
    assert "2 nodes selected" in labels
    assert panel.figures["Parameters"].text().startswith("147.97 k trainable")
    assert panel.params is None


def test_nothing_selected_shows_the_network(qtbot, document: Document) -> None:
    panel = make(qtbot, document)
    assert panel.figures["Parameters"].text() == "11.69 M"
    assert panel.figures["Problems"].text() == "no problems"


def test_a_block_type_is_laid_out_once_and_filled_for_each_node(qtbot, document: Document) -> None:
    panel = make(qtbot, document, "layer2.0")
    editors = panel.params
    assert editors is not None
    document.push(SetParam("layer2.0", "shortcut", "identity"))  # an error, with its Fix button
    assert len(panel.fix_buttons) == 1
    panel.name_edit.setText("layer1.0")  # type: ignore[union-attr]
    panel.name_edit.editingFinished.emit()  # type: ignore[union-attr]
    assert "already used" in panel.message.text()
    document.set_selection(["layer1.1"])  # the same block type: the same widgets, this node's values
    assert panel.params is editors and panel.name_edit.text() == "layer1.1"  # type: ignore[union-attr]
    assert editors.editors["stride"].value() == 1  # type: ignore[union-attr]
    assert editors.editors["shortcut"].currentText() == "auto"  # type: ignore[union-attr]
    assert panel.figures["Shapes"].text() == "64x56x56 \u2192 64x56x56"
    assert panel.fix_buttons == [] and panel.message.isHidden()  # the other node's problem and refusal stay
    document.set_selection(["head"])
    assert panel.params is not editors
    document.set_selection(["layer2.0"])
    assert panel.params is editors and editors.editors["shortcut"].currentText() == "identity"  # type: ignore[union-attr]
    assert len(panel.fix_buttons) == 1
    editors.editors["stride"].setValue(1)  # type: ignore[union-attr]
    assert document.graph.node("layer2.0").params["stride"] == 1  # an edit goes to the node shown
    assert document.graph.node("layer1.1").params["stride"] == 1


def test_unknown_figures_say_which_problem_they_wait_for(qtbot, document: Document) -> None:
    # A node after a problem has none of its own: "the problems above" pointed at an empty section.
    document.push(SetParam("layer2.0", "shortcut", "identity"))
    panel = make(qtbot, document, "layer2.0")
    assert panel.figures["Costs"].text() == "unknown until the problems above are fixed"
    document.set_selection(["layer3.0"])
    # The old problem's card is gone from view at once, before the event loop deletes it.
    assert not [card for card in panel.findChildren(QFrame, "problem") if card.isVisibleTo(panel)]
    assert panel.figures["Costs"].text() == "unknown until the problem at layer2.0 is fixed"
    assert (
        panel.figures["Shapes"].toolTip()
        == "The output shape is unknown until the problem at layer2.0 is fixed"
    )
    assert not panel.fix_buttons
