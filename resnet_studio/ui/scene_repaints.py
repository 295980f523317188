"""Graphics views that repaint with the rest of the window, once per turn of the event loop.

When a QGraphicsScene has items to redraw and nothing listens to its `changed` signal, each of its views marks
the area and then makes the whole window repaint at once, synchronously (QGraphicsView dispatches the window's
pending update request). A turn of the event loop in which the canvas and three plots of a panel changed
painted the window four times in a row, each paint also handed to the display. With a listener, the scene tells
its views through `changed` and they ask for an ordinary update, which Qt merges into one paint of the window
on the next turn of the loop. What is drawn is the same.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

MERGED = "resnet_studio_repaints_merged"
"""Dynamic property set on a scene whose views already repaint with the window."""


def _merged(_rects: object) -> None:
    """The listener: its presence is what matters (the views update themselves from the same signal)."""


def merge_repaints(scene: QGraphicsScene) -> None:
    """Let the views of `scene` repaint with the rest of the window (once per scene, however often called)."""
    if scene.property(MERGED):
        return
    scene.setProperty(MERGED, True)
    scene.changed.connect(_merged)


def merge_repaints_within(widget: QWidget) -> None:
    """The same for the scene of every graphics view inside `widget` (a panel's plots)."""
    for view in widget.findChildren(QGraphicsView):
        scene = view.scene()
        if scene is not None:
            merge_repaints(scene)
