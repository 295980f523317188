"""The palette: every block type grouped as in the catalogue, plus the presets; search, drag and double-click."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.catalogue import BlockSpec, Category, all_specs
from ...core.presets import PRESETS
from .. import colours
from ..mime import BLOCK_MIME, PRESET_MIME
from ..resources import swatch

GROUP_ORDER = ("Residual", "Layers", "Input / Output")
PRESETS_GROUP = "Presets"
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
"""'block' or 'preset' (absent on group headers)."""
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
"""The block type name or the preset name."""
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
"""Lower-case words the search matches against."""


class PaletteTree(QTreeWidget):
    """The list of blocks and presets; a drag carries BLOCK_MIME or PRESET_MIME for the canvas."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAnimated(True)

    def mime_for(self, item: QTreeWidgetItem) -> QMimeData | None:
        """The drag payload of an entry (None for group headers)."""
        kind, name = item.data(0, KIND_ROLE), item.data(0, NAME_ROLE)
        if kind is None:
            return None
        mime = QMimeData()
        mime.setData(BLOCK_MIME if kind == "block" else PRESET_MIME, str(name).encode("utf-8"))
        mime.setText(str(name))
        return mime

    def startDrag(self, supported: Qt.DropAction) -> None:
        item = self.currentItem()
        mime = self.mime_for(item) if item is not None else None
        if mime is None:
            return
        drag = QDrag(self)
        drag.setMimeData(mime)
        pixmap = self._drag_pixmap(item)
        drag.setPixmap(pixmap)
        drag.setHotSpot(QPoint(pixmap.width() // (2 * round(pixmap.devicePixelRatio())), 12))
        drag.exec(Qt.DropAction.CopyAction)

    def _drag_pixmap(self, item: QTreeWidgetItem) -> QPixmap:
        """A chip in the block's category colour that follows the cursor."""
        dpr = self.devicePixelRatioF()
        font = QFont(self.font())
        font.setBold(True)
        text = item.text(0)
        width = self.fontMetrics().horizontalAdvance(text) + 40
        height = self.fontMetrics().height() + 14
        pixmap = QPixmap(round(width * dpr), round(height * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(
            item.data(0, Qt.ItemDataRole.UserRole) or self.palette().color(QPalette.ColorRole.Highlight)
        )
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.setPen(colour)
        painter.drawRoundedRect(QRect(0, 0, width - 1, height - 1), 6, 6)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRect(0, 0, 10, height - 1), 5, 5)
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(QRect(18, 0, width - 22, height), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()
        return pixmap


class PalettePanel(QWidget):
    """Search field + grouped list of blocks and presets."""

    block_activated = Signal(str)
    """A block type was double-clicked (or Enter pressed): add it at the centre of the view."""
    preset_activated = Signal(str)
    """A preset was double-clicked: start a document from it."""

    def __init__(self, parent: QWidget | None = None, describe_now: bool = True) -> None:
        """`describe_now`: start filling in the presets' figures at once (the window starts it after its first
        paint instead, with describe_presets)."""
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search blocks and presets")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the palette")
        self.tree = PaletteTree(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._groups: dict[str, QTreeWidgetItem] = {}
        self._populate()
        if describe_now:
            self.describe_presets()
        self.search.textChanged.connect(self.set_filter)
        self.search.returnPressed.connect(self._activate_first_visible)
        self.tree.itemActivated.connect(self._activate)

    # --- contents -----------------------------------------------------------------------------------------

    def _populate(self) -> None:
        specs = [s for s in all_specs() if s.palette_group]
        groups = [g for g in GROUP_ORDER if any(s.palette_group == g for s in specs)]
        groups += sorted({s.palette_group for s in specs} - set(groups))
        for group in groups:
            header = self._group(group)
            for spec in specs:
                if spec.palette_group == group:
                    header.addChild(self._block_item(spec))
        header = self._group(PRESETS_GROUP)
        for name, preset in PRESETS.items():
            header.addChild(self._preset_item(name, preset.title, preset.blurb))
        for name, header in self._groups.items():
            header.setExpanded(name != PRESETS_GROUP)
        # The figures in a preset's description come from analysing it (a few ms each): fill them in one per
        # idle moment after start-up rather than making the window wait for all of them.
        self._pending = list(range(header.childCount()))
        self._filler = QTimer(self)
        self._filler.setInterval(0)
        self._filler.timeout.connect(self._describe_next_preset)

    def describe_presets(self) -> None:
        """Fill in the presets' figures, one per turn of the event loop."""
        if self._pending:
            self._filler.start()

    def _describe_next_preset(self) -> None:
        if not self._pending:
            self._filler.stop()
            return
        item = self._groups[PRESETS_GROUP].child(self._pending.pop(0))
        name = str(item.data(0, NAME_ROLE))
        preset = PRESETS[name]
        self._describe_preset(item, name, preset.title, preset.description)

    def _group(self, title: str) -> QTreeWidgetItem:
        header = QTreeWidgetItem(self.tree, [title])
        font = header.font(0)
        font.setBold(True)
        header.setFont(0, font)
        header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self._groups[title] = header
        return header

    def _block_item(self, spec: BlockSpec) -> QTreeWidgetItem:
        item = QTreeWidgetItem([spec.title])
        item.setIcon(0, swatch(spec.category.colour))
        item.setToolTip(0, f"<b>{spec.title}</b> ({spec.category.label})<br>{spec.summary}")
        item.setStatusTip(0, spec.summary)
        item.setData(0, Qt.ItemDataRole.UserRole, spec.category.colour)
        item.setData(0, KIND_ROLE, "block")
        item.setData(0, NAME_ROLE, spec.type_name)
        words = " ".join((spec.title, spec.type_name, spec.summary, spec.category.label, *spec.aliases))
        item.setData(0, SEARCH_ROLE, words.lower())
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        return item

    def _preset_item(self, name: str, title: str, description: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        item.setIcon(0, swatch(Category.RESIDUAL.colour if not name.endswith("_plain") else colours.PLAIN))
        self._describe_preset(item, name, title, description)
        item.setData(0, KIND_ROLE, "preset")
        item.setData(0, NAME_ROLE, name)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        return item

    @staticmethod
    def _describe_preset(item: QTreeWidgetItem, name: str, title: str, description: str) -> None:
        item.setToolTip(0, f"<b>{title}</b> ({name})<br>{description}<br><i>Double-click to open it</i>")
        item.setStatusTip(0, description)
        item.setData(0, SEARCH_ROLE, f"{title} {name} {description} preset".lower())

    def entries(self) -> list[QTreeWidgetItem]:
        """Every block and preset entry (not the group headers)."""
        return [h.child(i) for h in self._groups.values() for i in range(h.childCount())]

    def entry(self, name: str) -> QTreeWidgetItem:
        """The entry of a block type or preset name."""
        for item in self.entries():
            if item.data(0, NAME_ROLE) == name:
                return item
        raise KeyError(name)

    def visible_entries(self) -> list[str]:
        """Names of the entries the current search shows."""
        return [str(i.data(0, NAME_ROLE)) for i in self.entries() if not i.isHidden()]

    # --- search -------------------------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Show only entries whose title, type, summary or category contain every word typed."""
        words = text.lower().split()
        for title, header in self._groups.items():
            shown = 0
            for i in range(header.childCount()):
                item = header.child(i)
                match = all(w in item.data(0, SEARCH_ROLE) for w in words)
                item.setHidden(not match)
                shown += match
            header.setHidden(shown == 0)
            header.setExpanded(bool(words) or title != PRESETS_GROUP)
        if words:
            first = next((i for i in self.entries() if not i.isHidden()), None)
            self.tree.setCurrentItem(first)

    def focus_search(self) -> None:
        """Put the cursor in the search field (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- activation ---------------------------------------------------------------------------------------

    def _activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind, name = item.data(0, KIND_ROLE), item.data(0, NAME_ROLE)
        if kind == "block":
            self.block_activated.emit(str(name))
        elif kind == "preset":
            self.preset_activated.emit(str(name))

    def _activate_first_visible(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.isHidden() or item.data(0, KIND_ROLE) is None:
            item = next((i for i in self.entries() if not i.isHidden()), None)
        if item is not None:
            self._activate(item)
