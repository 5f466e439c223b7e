"""ProjectRuns: which runs folder belongs to the open project, kept right as the project is
replaced and saved.

Opening or starting a project picks its folder (`runs/` beside its file, or a fresh scratch
folder: see gui.runs.locations). Saving it somewhere new offers to move its runs along; a run
still being written moves when it ends. `root_changed` tells the Runs panel to follow.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from engine.runs import list_runs

from .locations import move_run, move_runs, new_scratch_root, saved_runs_root


class ProjectRuns(QObject):
    root_changed = Signal(object, str)  # the runs folder, a note for the panel

    def __init__(self, window, session):
        super().__init__(window)
        self.window, self.session = window, session
        self.root: Path = new_scratch_root()
        self._moving: dict[Path, Path] = {}  # folder a live run writes in → where it goes when it ends
        window.editor.project_replaced.connect(self.on_project)
        window.files.saved.connect(self.on_saved)
        session.run_ended.connect(self._move_ended_run)

    def on_project(self, project) -> None:
        self._set_root(saved_runs_root(project) or new_scratch_root())

    def on_saved(self, previous_folder: Path | None) -> None:
        new_root = saved_runs_root(self.window.project)
        old_root = self.root
        if new_root is None or new_root == old_root:
            return
        runs = list_runs(old_root)
        if runs and self._ask_move(len(runs), new_root):
            live = self._live_run_dir(old_root)
            move_runs(old_root, new_root, keep=live)
            if live is not None:
                self._moving[old_root] = new_root
        self._set_root(new_root)

    def _ask_move(self, count: int, new_root: Path) -> bool:
        runs = "its run" if count == 1 else f"its {count} runs"
        answer = QMessageBox.question(
            self.window,
            "Move runs with the project?",
            f"This project was saved in a new place. Move {runs} to {new_root}, so they stay with it?",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        return answer == QMessageBox.Yes

    def _live_run_dir(self, root: Path) -> Path | None:
        session = self.session
        if session.running and session.runs_root == root:
            return session.live_run_dir()
        return None

    def _move_ended_run(self, data, completed: bool, message: str) -> None:
        target = self._moving.pop(self.session.runs_root, None)
        if target is not None and data.run_dir is not None and data.run_dir.exists():
            data.run_dir = move_run(data.run_dir, target)
            if self.root == target:
                self.root_changed.emit(self.root, self.note())

    def _set_root(self, root: Path) -> None:
        self.root = root
        self.root_changed.emit(root, self.note())

    def note(self) -> str:
        if self.window.project.base_dir:
            return f"Runs in {self.root}"
        return (
            f"This project has no file yet: its runs are kept in {self.root}. "
            "Saving the project offers to move them beside it."
        )
