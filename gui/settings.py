"""What the window remembers between starts, in QSettings: geometry, dock layout, recent files.

The QSettings object is passed in, so tests use a throwaway file and never touch the
user's real settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class AppSettings:
    def __init__(self, store: QSettings):
        self.store = store

    def started_before(self) -> bool:
        return self.store.value("app/started_before", False, type=bool)

    def mark_started(self) -> None:
        self.store.setValue("app/started_before", True)

    def window_geometry(self) -> QByteArray | None:
        return self.store.value("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self.store.value("window/state")

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    def cell_editor_geometry(self) -> QByteArray | None:
        return self.store.value("cell_editor/geometry")

    def save_cell_editor_geometry(self, geometry: QByteArray) -> None:
        self.store.setValue("cell_editor/geometry", geometry)

    def recent_files(self) -> list[Path]:
        value = self.store.value("files/recent", [])
        names = [value] if isinstance(value, str) else list(value or [])
        return [Path(name) for name in names]

    def add_recent_file(self, path: Path) -> None:
        path = Path(path).resolve()
        recent = [path] + [p for p in self.recent_files() if p != path]
        self.store.setValue("files/recent", [str(p) for p in recent[:MAX_RECENT]])

    def clear_recent_files(self) -> None:
        self.store.setValue("files/recent", [])

    def approved_data_folders(self) -> list[Path]:
        """Folders outside a project's own from which the user agreed projects may read data."""
        value = self.store.value("files/approved_data_folders", [])
        return [Path(name) for name in ([value] if isinstance(value, str) else list(value or []))]

    def approve_data_folder(self, folder: Path) -> None:
        folders = {Path(folder).resolve(), *self.approved_data_folders()}
        self.store.setValue("files/approved_data_folders", sorted(str(f) for f in folders))

    def sync(self) -> None:
        self.store.sync()
