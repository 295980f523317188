"""Tab on the canvas: a small search box at the cursor that adds a block (as in Blender and Unreal)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...core.catalogue import BlockSpec, all_specs


def matching_blocks(text: str) -> list[BlockSpec]:
    """Palette blocks whose name, title or summary contain the text; name prefixes first."""
    query = text.strip().lower()
    specs = [s for s in all_specs() if s.palette_group]
    if not query:
        return specs

    def rank(spec: BlockSpec) -> int:
        name, title = spec.type_name.lower(), spec.title.lower()
        if name.startswith(query) or title.startswith(query):
            return 0
        if query in name or query in title:
            return 1
        return 2

    found = [s for s in specs if query in f"{s.type_name} {s.title} {s.summary}".lower()]
    return sorted(found, key=rank)


class QuickAdd(QFrame):
    """A popup with a search field and the matching blocks; Enter adds the highlighted one."""

    chosen = Signal(str)
    """The block type to add."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add a block: type to search")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        self.resize(320, 300)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.accept)
        self.results.itemActivated.connect(lambda _item: self.accept())
        self.search.installEventFilter(self)
        self._filter("")

    def _filter(self, text: str) -> None:
        self.results.clear()
        for spec in matching_blocks(text):
            item = QListWidgetItem(f"{spec.title}  \u2014  {spec.type_name}")
            item.setData(Qt.ItemDataRole.UserRole, spec.type_name)
            item.setToolTip(spec.summary)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def current_type(self) -> str | None:
        """The block type Enter would add."""
        item = self.results.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def accept(self) -> None:
        """Add the highlighted block and close."""
        block_type = self.current_type()
        self.close()
        if block_type is not None:
            self.chosen.emit(block_type)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down in the search field move through the results, so the hands stay on the keyboard
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)
