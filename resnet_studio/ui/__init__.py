"""The Qt desktop app (PySide6 + pyqtgraph). Imports core; reaches the engine only through its workers."""
