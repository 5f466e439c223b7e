"""Crash recovery: unsaved work is written to a recovery file every minute or so, removed
when the work is saved or deliberately discarded, and offered back on the next start if
it is still there (which means the app did not close normally).

The recovery file is an ordinary project file written atomically; a small JSON sidecar
remembers where the project came from and when it was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.project import Project, load_project, save_project, write_atomic

AUTOSAVE_INTERVAL_MS = 60_000


@dataclass
class Recovered:
    project: Project  # with the path it had when it was autosaved (None if never saved)
    saved_at: str


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
        try:
            info = json.loads(self.info_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        project = load_project(self.project_file)
        project.path = Path(info["original_path"]) if info.get("original_path") else None
        return Recovered(project, str(info.get("saved_at", "an unknown time")))
