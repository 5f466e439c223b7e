"""Crash recovery: unsaved work is written to a recovery file a few seconds after the last
edit, removed when the work is saved or deliberately discarded, and offered back on the next
start if it is still there (which means the app did not close normally).

`AutosaveTrigger` follows edits: each edit restarts a short countdown, so a burst of edits
costs one write; during edits that never pause, a write happens at least every
AUTOSAVE_MAX_WAIT_MS. A crash loses seconds of work, not a minute.

The recovery file is an ordinary project file written atomically; a small JSON sidecar
remembers where the project came from and when it was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from engine import strict_json
from engine.project import Project, load_project, save_project, write_atomic
from engine.safe_io import FileRefusedError, read_limited

AUTOSAVE_DELAY_MS = 2_000  # after the last edit
AUTOSAVE_MAX_WAIT_MS = 15_000  # after the first edit not yet saved, however busy the user is


@dataclass
class Recovered:
    project: Project  # with the path it had when it was autosaved (None if never saved)
    saved_at: str


class AutosaveTrigger(QObject):
    """Calls `save` AUTOSAVE_DELAY_MS after the last edit (at most AUTOSAVE_MAX_WAIT_MS after
    the first unsaved one). `edited` is connected to whatever signals an edit."""

    def __init__(self, parent: QObject, save):
        super().__init__(parent)
        self._save = save
        self._quiet = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS, timeout=self._fire)
        self._deadline = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_WAIT_MS, timeout=self._fire)

    def edited(self, *_args) -> None:
        self._quiet.start()  # restarts: the countdown runs from the latest edit
        if not self._deadline.isActive():
            self._deadline.start()

    def _fire(self) -> None:
        self._quiet.stop()
        self._deadline.stop()
        self._save()


class RecoveryStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.project_file = self.directory / "recovery.rsproj"
        self.info_file = self.directory / "recovery.json"

    def write(self, project: Project) -> None:
        """Save a copy of `project` for recovery; the project keeps its own path."""
        own_path = project.path
        try:
            save_project(project, self.project_file)
        finally:
            project.path = own_path
        info = {
            "original_path": str(own_path) if own_path else None,
            "saved_at": datetime.now().isoformat(timespec="seconds"),
        }
        write_atomic(self.info_file, json.dumps(info))

    def clear(self) -> None:
        self.project_file.unlink(missing_ok=True)
        self.info_file.unlink(missing_ok=True)

    def available(self) -> bool:
        return self.project_file.exists()

    def load(self) -> Recovered:
        """The recovered project, with the path it had; raises ProjectFileError if unreadable."""
        try:  # a small note of ours, but read bounded and strict like every file
            info = strict_json.loads(read_limited(self.info_file, "recovery note", 64 * 1024).decode("utf-8"))
        except (FileRefusedError, UnicodeDecodeError, ValueError):
            info = {}
        if not isinstance(info, dict):
            info = {}
        project = load_project(self.project_file)
        original = info.get("original_path")
        project.path = Path(original) if isinstance(original, str) and original else None
        return Recovered(project, str(info.get("saved_at", "an unknown time")))
