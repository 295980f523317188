"""Restoring a saved panel layout without leaving the replaced layout's tab bars on screen."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, Qt
from PySide6.QtWidgets import QMainWindow, QTabBar


def dock_tab_bars(window: QMainWindow) -> list[QTabBar]:
    """The tab bars the window's layout has made for its groups of tabbed panels, live or left behind."""
    return [bar for bar in window.findChildren(QTabBar) if bar.parent() is window]


def restore_dock_state(window: QMainWindow, state: QByteArray) -> bool:
    """`window.restoreState(state)`, with the tab bars of the layout it replaced put away; False if Qt refused.

    A restored layout gets new tab bars, but Qt leaves the old ones where they were, visible and with their tabs,
    although clicking them no longer changes anything: restored before the window shows (a start with a saved
    layout), one is drawn over the palette; restored later (leaving presentation mode, Reset Panel Layout), a dead
    copy lies under the live one, where a narrower layout lets it show. A refused state keeps the old layout, and
    with it its tab bars."""
    before = dock_tab_bars(window)
    if not window.restoreState(state):
        return False
    for bar in before:
        # Hidden and emptied, not deleted: the layout may still hold a pointer to it, and its tabs' signals must
        # not reach the layout while they go.
        bar.blockSignals(True)
        bar.hide()
        while bar.count():
            bar.removeTab(0)
    return True


def keep_tab_names_whole(child: QObject) -> None:
    """A panel tab bar the layout has made shows its tabs' names whole, scrolling when they do not fit.

    Qt elides them: on a narrow window the ten panels below the canvas read "P...", "S...", "Ac...". Called as
    the bar is polished, after the layout has set it up."""
    if isinstance(child, QTabBar) and child.elideMode() is not Qt.TextElideMode.ElideNone:
        child.setElideMode(Qt.TextElideMode.ElideNone)
        child.setUsesScrollButtons(True)
