"""What the app remembers between sessions (window layout, recent files, view options), kept with QSettings."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from .theme import THEME_MODES, ThemeMode

SETTINGS_ENV = "RESNET_STUDIO_SETTINGS"
"""When set, the path of an INI file used instead of the user's settings (tests, benchmarks, kiosks)."""
MAX_RECENT = 10


def default_qsettings() -> QSettings:
    """The user's settings, or the INI file named by RESNET_STUDIO_SETTINGS."""
    override = os.environ.get(SETTINGS_ENV)
    if override:
        return QSettings(override, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ResNet Studio", "ResNet Studio")


class SettingsStore:
    """Typed access to the remembered settings; every value has a sensible default."""

    def __init__(self, settings: QSettings) -> None:
        self.qsettings = settings

    # --- window -------------------------------------------------------------------------------------------

    def window_geometry(self) -> QByteArray | None:
        """The saved window geometry, if any."""
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        """The saved dock and toolbar layout, if any."""
        return self._bytes("window/state")

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the window geometry and the dock layout."""
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)
        self.qsettings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, (bytes, bytearray)) and value:
            return QByteArray(bytes(value))
        return None

    # --- recent files -------------------------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """Recently opened or saved project files, newest first (files that vanished are left out)."""
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a one-item list as a plain string
            value = [value]
        paths = [str(v) for v in (value or []) if v]
        return [p for p in paths if Path(p).is_file()]

    def add_recent_file(self, path: str | Path) -> None:
        """Put a file at the top of the recent list."""
        text = str(Path(path).resolve())
        paths = [p for p in self.recent_files() if p != text]
        self.qsettings.setValue("files/recent", [text, *paths][:MAX_RECENT])
        self.qsettings.sync()

    def clear_recent_files(self) -> None:
        """Forget the recent files."""
        self.qsettings.setValue("files/recent", [])
        self.qsettings.sync()

    # --- view options -------------------------------------------------------------------------------------

    def flag(self, key: str, default: bool) -> bool:
        """A remembered on/off view option."""
        value = self.qsettings.value(f"view/{key}", default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)

    def set_flag(self, key: str, on: bool) -> None:
        """Remember an on/off view option."""
        self.qsettings.setValue(f"view/{key}", bool(on))

    def ui_scale(self) -> float:
        """The UI scale (1.0 = the system font size)."""
        try:
            value = float(self.qsettings.value("view/ui_scale", 1.0))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 1.0
        return min(max(value, 0.5), 3.0)

    def set_ui_scale(self, scale: float) -> None:
        """Remember the UI scale."""
        self.qsettings.setValue("view/ui_scale", float(scale))

    def theme(self) -> ThemeMode:
        """'system', 'light' or 'dark'."""
        value = str(self.qsettings.value("view/theme", "system"))
        return value if value in THEME_MODES else "system"  # type: ignore[return-value]

    def set_theme(self, mode: ThemeMode) -> None:
        """Remember the colour theme."""
        self.qsettings.setValue("view/theme", mode)

    def last_folder(self) -> str:
        """The folder of the last file dialog (the home folder at first)."""
        return str(self.qsettings.value("files/last_folder", str(Path.home())))

    def set_last_folder(self, folder: str | Path) -> None:
        """Remember where the user last opened or saved a file."""
        self.qsettings.setValue("files/last_folder", str(folder))
