"""Where a project's runs live, and moving them when the project gets a file.

A saved project's runs are `runs/` beside its file. A project with no file yet (new, an
example, recovered work) gets its own scratch folder under the user's application data,
made fresh for each such project, so two unsaved projects never share a run list. When the
project is saved somewhere else, its runs can follow it (`move_runs`).
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from engine.runs import list_runs

SCRATCH_FOLDER = "unsaved-runs"


def scratch_base() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)) / SCRATCH_FOLDER


def new_scratch_root() -> Path:
    """A folder name no other unsaved project has (created when the first run writes to it)."""
    return scratch_base() / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"


def saved_runs_root(project) -> Path | None:
    return project.base_dir / "runs" if project.base_dir else None


def move_runs(source: Path, target: Path, keep: Path | None = None) -> list[Path]:
    """Move every run folder in `source` (except `keep`, a run still being written) into
    `target`; a name already there gets a suffix. Returns the new paths, oldest first."""
    moved = []
    for run_dir in list_runs(source):
        if keep is not None and run_dir == keep:
            continue
        moved.append(move_run(run_dir, target))
    if source.is_dir() and not any(source.iterdir()):
        source.rmdir()
    return moved


def move_run(run_dir: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    destination, number = target / run_dir.name, 1
    while destination.exists():
        number += 1
        destination = target / f"{run_dir.name}-{number}"
    shutil.move(str(run_dir), str(destination))
    return destination
