"""The Compare panel: the network beside a preset or itself before an edit, live, with the blocks that differ
ringed on the canvas."""

from __future__ import annotations

from pathlib import Path

from resnet_studio.core.commands import SetParam
from resnet_studio.core.presets import preset
from resnet_studio.core.project import save
from resnet_studio.ui.canvas.highlights import DifferenceRing
from resnet_studio.ui.main_window import MainWindow


def cells(window: MainWindow) -> dict[tuple[str, str], list[str]]:
    table = window.compare_panel.table
    found = {}
    for r in range(table.rowCount()):
        row = [table.item(r, c).text() for c in range(table.columnCount())]
        found[(row[0], row[1])] = row[2:]
    return found


def rings(window: MainWindow) -> dict[str, str]:
    return {
        node_id: child.reason
        for node_id, card in window.canvas.canvas.nodes.items()
        for child in card.childItems()
        if isinstance(child, DifferenceRing)
    }


def test_resnet18_beside_resnet34_and_resnet50(window: MainWindow) -> None:
    panel = window.compare_panel
    assert panel.compare_with_preset("resnet34")
    table = cells(window)
    assert table[("total", "Parameters")] == ["11.69 M", "21.80 M", "+10.11 M", "1.86x"]
    assert table[("layer1", "MACs")][3] == "1.50x"  # three blocks instead of two
    assert table[("stem", "MACs")][2] == "0"
    assert rings(window) == {}  # ResNet-18's blocks are all in ResNet-34, as they are here
    assert "ResNet-34 also has layer1.2, layer2.2, layer2.3, layer3.2" in panel.differences.text()
    assert panel.choice.currentText() == "ResNet-34"
    panel.compare_with_preset("resnet50")
    marked = rings(window)
    assert set(marked) >= {"layer1.0", "layer4.1", "head"} and "stem" not in marked
    assert marked["layer1.0"] == "Bottleneck there, BasicBlock here"
    panel.mark.setChecked(False)
    assert rings(window) == {}


def test_before_and_after_an_edit(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel, document = window.compare_panel, window.document
    panel.pin_current()
    assert rings(window) == {} and "Every block here is the same" in panel.differences.text()
    document.push(SetParam("layer2.0", "shortcut", "zero-pad"))
    qtbot.waitUntil(lambda: "layer2.0" in rings(window))
    assert rings(window) == {"layer2.0": "shortcut auto there, zero-pad here"}
    total = cells(window)[("total", "Parameters")]
    assert total[0] == "11.69 M" and total[2] == "\u22128.45 k"  # after against before
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: rings(window) == {})


def test_a_project_file_as_the_reference(window: MainWindow, tmp_path: Path) -> None:
    graph = preset("resnet18")
    graph.set_param("layer4.1", "skip", False)
    save(graph, tmp_path / "mine.json")
    assert window.compare_panel.compare_with_file(str(tmp_path / "mine.json"))
    assert rings(window) == {"layer4.1": "skip False there, True here"}
    assert not window.compare_panel.compare_with_file(str(tmp_path / "none.json"))
    assert window.compare_panel.heading.text() == "Cannot compare with none.json: no such file"
    (tmp_path / "bad.json").write_text(
        '{"format": "resnet-studio", "format_version": 1, "nodes": [{"id": "a", "type": "ReLU"}, {"id": "a", "type": "ReLU"}]}'
    )
    assert not window.compare_panel.compare_with_file(str(tmp_path / "bad.json"))
    heading = window.compare_panel.heading.text()
    assert (
        heading.startswith("Cannot compare with bad.json: line 1, column ") and heading.count("bad.json") == 1
    )
    assert heading.endswith("(and 1 more problem)"), heading


def test_the_rings_come_back_after_the_network_is_reloaded(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.compare_panel.compare_with_preset("resnet18_plain")
    assert len(rings(window)) == 8
    window.files.open_preset("resnet34")
    qtbot.waitUntil(lambda: len(rings(window)) > 8)
    assert all(node_id in window.document.graph for node_id in rings(window))


def test_with_nothing_chosen_the_panel_says_what_it_does_instead_of_an_empty_table(
    window: MainWindow,
) -> None:
    panel = window.compare_panel
    assert panel.stack.currentWidget() is panel.empty  # before the fix: a table headed 1 2 3 4 5 6, no rows
    assert "Pin This Network" in panel.empty.text()
    panel.compare_with_preset("resnet34")
    assert panel.stack.currentWidget() is panel.table
    assert panel.table.horizontalHeaderItem(2).text() == "this network"
    panel.choice.setCurrentIndex(0)
    panel.choice.activated.emit(0)  # "Choose a network...": nothing to compare with any more
    assert panel.reference is None and panel.stack.currentWidget() is panel.empty
    assert rings(window) == {} and panel.differences.text() == ""
