"""The panels on their own, driven through a Document: palette, run settings, problems, summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from resnet_studio.core.catalogue import all_specs
from resnet_studio.core.commands import SetParam
from resnet_studio.core.errors import InputSizeError
from resnet_studio.core.presets import PRESETS
from resnet_studio.core.report import render
from resnet_studio.ui.document import Document
from resnet_studio.ui.main_window import MainWindow
from resnet_studio.ui.mime import BLOCK_MIME, PRESET_MIME
from resnet_studio.ui.panels.palette import PalettePanel
from resnet_studio.ui.panels.problems import ProblemsPanel
from resnet_studio.ui.panels.run_settings import RunSettingsBar, parse_input_shape
from resnet_studio.ui.panels.summary import SummaryPanel
from resnet_studio.ui.panels.summary_model import NODE_ID_ROLE


def test_palette_lists_every_block_grouped_with_category_colours(qtbot) -> None:
    panel = PalettePanel()
    qtbot.addWidget(panel)
    specs = [s for s in all_specs() if s.palette_group]
    names = panel.visible_entries()
    assert {s.type_name for s in specs} <= set(names)
    assert set(PRESETS) <= set(names)
    groups = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert groups == ["Residual", "Layers", "Input / Output", "Presets"]
    bottleneck = panel.entry("Bottleneck")
    assert bottleneck.parent().text(0) == "Residual"
    assert bottleneck.data(0, Qt.ItemDataRole.UserRole) == "#0072B2"
    assert "skip connection" in bottleneck.toolTip(0)


def test_palette_search_filters_as_you_type(qtbot) -> None:
    panel = PalettePanel()
    qtbot.addWidget(panel)
    qtbot.keyClicks(panel.search, "pool")
    pooling = {
        "MaxPool2d",
        "AvgPool2d",
        "GlobalAvgPool",
        "Head",
        "Stem",
        "DeepStem",
        "SqueezeExcite",
        "resnet50d",
    }
    assert set(panel.visible_entries()) == pooling
    panel.search.clear()
    qtbot.keyClicks(panel.search, "resnext 32X8D")
    assert panel.visible_entries() == ["resnext101_32x8d", "resnext101_32x8d_plain"]
    assert panel.tree.currentItem() is panel.entry("resnext101_32x8d")
    panel.search.setText("no such block")
    assert panel.visible_entries() == []
    panel.search.clear()
    assert len(panel.visible_entries()) == len(panel.entries())


def test_palette_drag_payloads_and_activation(qtbot) -> None:
    panel = PalettePanel()
    qtbot.addWidget(panel)
    block = panel.tree.mime_for(panel.entry("BasicBlock"))
    assert block is not None and bytes(block.data(BLOCK_MIME).data()) == b"BasicBlock"
    preset = panel.tree.mime_for(panel.entry("resnet34"))
    assert preset is not None and bytes(preset.data(PRESET_MIME).data()) == b"resnet34"
    assert panel.tree.mime_for(panel.tree.topLevelItem(0)) is None  # a group header is not draggable
    with qtbot.waitSignal(panel.block_activated) as blocker:
        panel.tree.itemActivated.emit(panel.entry("Conv2d"), 0)
    assert blocker.args == ["Conv2d"]
    with qtbot.waitSignal(panel.preset_activated) as blocker:
        panel.tree.itemActivated.emit(panel.entry("resnet50"), 0)
    assert blocker.args == ["resnet50"]
    panel.search.setText("batchnorm")
    with qtbot.waitSignal(panel.block_activated) as blocker:
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert blocker.args == ["BatchNorm2d"]


@pytest.mark.parametrize(
    ("text", "shape"),
    [("3x224x224", (3, 224, 224)), ("1x28x28", (1, 28, 28)), (" 3 × 32 × 32 ", (3, 32, 32)), ("", None)],
)
def test_parse_input_shape(text: str, shape: tuple[int, int, int] | None) -> None:
    assert parse_input_shape(text) == shape


@pytest.mark.parametrize("text", ["3x", "abc", "0x224x224", "1x2x3x4", "3x-1x5", "3x224", "32", "64 x 48"])
def test_parse_input_shape_refuses(text: str) -> None:
    with pytest.raises(InputSizeError):
        parse_input_shape(text)


def test_the_toolbar_and_the_command_line_read_sizes_alike() -> None:
    from resnet_studio.cli.common import input_size

    for text in ("3x224x224", "3x224", "3x0x224", "3x100000x100000", "1e200x1e200x1e200"):
        try:
            expected: object = input_size(text)
        except Exception as error:
            expected = str(error)
        try:
            found: object = parse_input_shape(text)
        except InputSizeError as error:
            found = str(error)
        assert found == expected, text


def test_run_settings_reanalyse_at_once(qtbot, document: Document) -> None:
    bar = RunSettingsBar(document)
    qtbot.addWidget(bar)
    assert bar.shape.placeholderText().startswith("3x224x224")
    before = document.analysis.totals
    with qtbot.waitSignal(document.analysis_changed):
        bar.batch.setValue(8)
    assert document.settings.batch_size == 8
    assert document.analysis.totals.training_bytes == 8 * before.training_bytes
    with qtbot.waitSignal(document.analysis_changed):
        bar.dtype.setCurrentIndex(bar.dtype.findData("float16"))
    assert document.analysis.totals.training_bytes == 4 * before.training_bytes
    bar.shape.setText("3x32x32")
    with qtbot.waitSignal(document.analysis_changed):
        bar.apply_shape()
    assert document.settings.input_shape == (3, 32, 32)
    assert document.analysis.nodes["stem"].output_shape == (64, 8, 8)
    assert document.analysis.totals.params == before.params  # parameters do not depend on the input size


def test_run_settings_invalid_text_turns_red_and_changes_nothing(qtbot, document: Document) -> None:
    bar = RunSettingsBar(document)
    qtbot.addWidget(bar)
    settings = document.settings
    qtbot.keyClicks(bar.shape, "3x22x")
    assert bar.error is not None and "3x224x224" in bar.error
    assert "border" in bar.shape.styleSheet()
    assert bar.shape.toolTip() == bar.error
    with qtbot.assertNotEmitted(document.analysis_changed):
        bar.apply_shape()
    assert document.settings == settings
    bar.shape.setText("3x64x64")
    bar.apply_shape()
    assert bar.error is None and bar.shape.styleSheet() == ""
    assert document.settings.input_shape == (3, 64, 64)


def test_run_settings_follow_the_document(qtbot, document: Document) -> None:
    bar = RunSettingsBar(document)
    qtbot.addWidget(bar)
    from resnet_studio.core.analysis import RunSettings

    document.set_settings(RunSettings((1, 28, 28), 16, "bfloat16"))
    assert (bar.shape.text(), bar.batch.value(), bar.dtype.currentData()) == ("1x28x28", 16, "bfloat16")


def test_problems_panel_lists_diagnostics_and_fix(qtbot, document: Document) -> None:
    panel = ProblemsPanel(document)
    qtbot.addWidget(panel)
    assert panel.count == 0 and panel.stack.currentWidget() is panel.empty
    with qtbot.waitSignal(panel.count_changed) as blocker:
        document.push(SetParam("layer2.0", "shortcut", "identity"))
    assert blocker.args == [1]
    assert panel.stack.currentWidget() is panel.table
    model = panel.model
    assert model.index(0, 0).data() == "layer2.0"
    assert "shortcut" in model.index(0, 1).data()
    assert model.index(0, 1).data().endswith("\nFix: set shortcut to projection")
    assert (model.index(0, 2).data(), model.index(0, 3).data()) == ("128x28x28", "64x56x56")
    assert panel.headline.text().startswith("1 error  \u00b7") and not panel.headline.isHidden()
    with qtbot.waitSignal(panel.node_activated) as clicked:
        panel.table.clicked.emit(model.index(0, 1))
    assert clicked.args == ["layer2.0"]
    with qtbot.waitSignal(panel.fix_requested) as fix:
        panel.fix_buttons[0].click()
    assert fix.args[0].fix.label == "Set shortcut to projection"
    document.undo_stack.undo()
    assert panel.count == 0


def test_summary_rows_sorting_and_tooltips(qtbot, document: Document) -> None:
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    model, proxy = panel.model, panel.proxy
    assert model.rowCount() == len(document.graph) == 12
    assert [panel.node_at_row(i) for i in range(3)] == ["input", "stem", "layer1.0"]
    assert model.index(1, 3).data() == "9.54 k"
    assert model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole).startswith("9\u2009536")
    panel.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # params, numerically
    order = [panel.node_at_row(i) for i in range(proxy.rowCount())]
    params = [document.analysis.nodes[n].params for n in order]
    assert params == sorted(params, reverse=True)
    assert order[0] == "layer4.1" or params[0] == params[1]
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert panel.node_at_row(0) == "head"
    panel.filter.setText("layer3")
    assert proxy.rowCount() == 2


def test_summary_updates_only_changed_rows(qtbot, document: Document) -> None:
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    resets = panel.model.resets
    changed: list[tuple[int, int]] = []
    panel.model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    document.push(SetParam("layer4.1", "out_channels", 256))
    assert panel.model.resets == resets
    rows = {r for a, b in changed for r in range(a, b + 1)}
    untouched = ["input", "stem", "layer1.0", "layer2.1", "layer3.1", "layer4.0"]
    assert {panel.model.row_of("layer4.1"), panel.model.row_of("head")} <= rows
    assert not rows & {panel.model.row_of(n) for n in untouched}
    assert panel.model.index(panel.model.row_of("layer4.1"), 2).data() == "256x7x7"
    assert panel.model.row_of("input") not in rows


def test_summary_selection_follows_document_and_back(qtbot, document: Document) -> None:
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    document.set_selection(["layer3.1"])
    selected = panel.table.selectionModel().selectedRows()
    assert [i.data(NODE_ID_ROLE) for i in selected] == ["layer3.1"]
    panel.table.selectRow(2)
    assert document.selection == ("layer1.0",)


def test_summary_export_csv_and_markdown(qtbot, document: Document, tmp_path: Path) -> None:
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    csv_path = panel.export("csv", str(tmp_path / "summary.csv"))
    md_path = panel.export("markdown", str(tmp_path / "summary"))
    assert csv_path is not None and csv_path.read_text() == render(document.graph, document.analysis, "csv")
    assert md_path == tmp_path / "summary.md"
    text = md_path.read_text()
    assert text.startswith("| Name | Type |") and "| layer2.0 | BasicBlock | 128x28x28 |" in text


def test_summary_update_touches_only_what_changed_on_a_big_network(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ResNet-152 expanded to ~500 layers: an edit must not make the view re-measure every row."""
    from resnet_studio.core.expansion import expand_all
    from resnet_studio.core.presets import preset
    from resnet_studio.core.project import Project
    from resnet_studio.ui.panels.summary_model import SummaryModel

    document = Document()
    document.replace(Project(expand_all(preset("resnet152")), name="big"), None)
    panel = SummaryPanel(document)
    qtbot.addWidget(panel)
    document.setParent(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    calls = 0
    model = panel.model

    def counting(index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return SummaryModel.data(model, index, role)

    monkeypatch.setattr(model, "data", counting)
    panel.table.viewport().update()
    qtbot.wait(10)
    assert calls > 0  # the view reads through the counter
    calls = 0
    conv = document.graph.node_by_name("layer4.2.conv3")
    document.push(SetParam(conv.id, "out_channels", 1024))
    qtbot.wait(10)
    rows = panel.model.rowCount()
    assert rows > 500
    assert calls < 20 * 7 * 10, f"{calls} data() calls for one edit near the end of a {rows}-row table"


def test_palette_drag_shows_a_chip_in_the_category_colour(qtbot) -> None:
    panel = PalettePanel()
    qtbot.addWidget(panel)
    pixmap = panel.tree._drag_pixmap(panel.entry("Conv2d"))
    assert not pixmap.isNull() and pixmap.width() > 40
    image = pixmap.toImage()
    left = image.pixelColor(round(4 * pixmap.devicePixelRatio()), image.height() // 2)
    assert left.name().upper() == "#E69F00"  # the convolution colour, as on the canvas header


def test_totals_of_a_broken_network_say_they_are_partial(window: MainWindow) -> None:
    from resnet_studio.core.edits import remove_nodes

    document = window.document
    assert not window.totals.text().startswith("partial")
    document.push(remove_nodes(document.graph, ["layer1.1"]))  # everything after it loses its shapes
    totals = document.analysis.totals
    assert totals.partial and totals.unknown == 8 and totals.nodes == 11  # layer2.0 to the output
    line = window.totals.text()
    assert line.startswith("partial, 3 of 11 nodes known:"), line
    document.set_selection([])
    labels = [window.inspector.figures[k].text() for k in ("Partial", "Parameters")]
    assert labels[0].startswith("3 of 11 nodes known") and labels[1].endswith("so far")


def test_a_refused_input_size_says_why_where_the_user_looks(window: MainWindow) -> None:
    field = window.run_settings.shape
    field.setText("3x224")
    field.editingFinished.emit()
    message = window.statusBar().currentMessage()
    assert message.startswith("Input size not used:") and "CxHxW" in message
    assert window.document.settings.input_shape is None  # nothing changed
