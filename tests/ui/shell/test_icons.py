"""Toolbar icons are drawn when asked for, at the size and pixel ratio asked for, in the palette's colours."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from resnet_studio.ui.resources import icon


def drawn(image: QImage) -> set[str]:
    """The colours of the pixels that are not transparent."""
    return {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_an_icon_is_drawn_at_the_asked_size_and_ratio_in_the_palettes_colours(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    save = icon("save", app.palette())
    normal = save.pixmap(QSize(20, 20), 1.0)
    sharp = save.pixmap(QSize(20, 20), 2.0)
    disabled = save.pixmap(QSize(20, 20), 1.0, QIcon.Mode.Disabled)
    assert (
        normal.size() == QSize(20, 20) and sharp.size() == QSize(40, 40) and sharp.devicePixelRatio() == 2.0
    )
    assert drawn(normal.toImage()) and drawn(disabled.toImage())
    assert drawn(normal.toImage()).isdisjoint(drawn(disabled.toImage()))  # disabled reads greyed out
    assert save.pixmap(QSize(20, 20), 1.0).cacheKey() == normal.cacheKey()  # drawn once per size
