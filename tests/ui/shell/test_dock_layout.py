"""Panel layouts restored (at start-up, leaving presentation mode, Reset Panel Layout): one live tab bar per group of
tabbed panels on screen, and the panels at their first-start sizes after a reset."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from resnet_studio.ui.dock_state import dock_tab_bars
from resnet_studio.ui.main_window import FIRST_START_SIDE_WIDTHS, MainWindow


def tab_bars_on_screen(window: MainWindow) -> list[QTabBar]:
    """The tab bars drawn inside the window (Qt moves a bar it has put away outside it)."""
    inside = window.rect()
    return [bar for bar in dock_tab_bars(window) if bar.isVisible() and inside.intersects(bar.geometry())]


def assert_one_live_tab_bar(window: MainWindow, qtbot) -> None:
    """The bottom panels' tab bar is the only one on screen, and choosing a tab on it brings that panel forward."""
    bars = tab_bars_on_screen(window)
    assert len(bars) == 1, [(b.geometry().getRect(), b.count()) for b in bars]
    bar = bars[0]
    names = [bar.tabText(i) for i in range(bar.count())]
    for name, dock in (("Activations", window.run_ui.activations_dock), ("Summary", window.summary_dock)):
        bar.setCurrentIndex(names.index(name))
        qtbot.waitUntil(lambda dock=dock: not dock.visibleRegion().isEmpty(), timeout=3000)


def test_a_layout_restored_at_start_up_leaves_no_dead_tab_bar_over_the_palette(
    window: MainWindow, store, qtbot
) -> None:
    window.close()  # remembers the layout
    again = MainWindow(window.document, store)
    qtbot.addWidget(again)
    again.resize(1400, 900)
    again.show()
    qtbot.waitExposed(again)
    # Before the fix a second bar with the first tabs lay over the palette, drawn but dead.
    assert_one_live_tab_bar(again, qtbot)


def test_presenting_and_resetting_the_layout_leave_one_live_tab_bar(window: MainWindow, qtbot) -> None:
    assert_one_live_tab_bar(window, qtbot)
    window.actions.presentation.trigger()
    window.actions.presentation.trigger()
    assert_one_live_tab_bar(window, qtbot)
    window.actions.reset_layout.trigger()
    assert_one_live_tab_bar(window, qtbot)


def test_reset_panel_layout_gives_the_panels_their_first_start_sizes(window: MainWindow, qtbot) -> None:
    window.resizeDocks([window.palette_dock, window.inspector_dock], [120, 180], Qt.Orientation.Horizontal)
    window.resizeDocks([window.problems_dock], [600], Qt.Orientation.Vertical)
    window.palette_dock.close()
    window.actions.reset_layout.trigger()
    # Before the fix the layout saved before the window was sized came back: palette 104 px, inspector 68 px.
    palette, inspector = FIRST_START_SIDE_WIDTHS
    qtbot.waitUntil(
        lambda: (
            abs(window.palette_dock.width() - palette) <= 8
            and abs(window.inspector_dock.width() - inspector) <= 8
        ),
        timeout=3000,
    )
    assert window.summary_dock.height() < window.height() * 0.35
    assert not window.summary_dock.visibleRegion().isEmpty()  # no problems: the summary in front, as at start


def test_on_a_narrow_window_the_panel_tabs_keep_their_names_and_scroll(window: MainWindow, qtbot) -> None:
    window.resize(900, 700)
    window.actions.reset_layout.trigger()  # the layout's new tab bars too
    (bar,) = tab_bars_on_screen(window)
    # Before the fix Qt elided them: "P...", "S...", "Ac..." side by side, none readable.
    assert bar.elideMode() is Qt.TextElideMode.ElideNone and bar.usesScrollButtons()
    assert all(
        bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i)) for i in range(3)
    )
