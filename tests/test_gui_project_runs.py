"""Runs belong to their project: each unsaved project has its own scratch folder, Save As
moves its runs beside the file, the Runs panel follows the file and lists each run once, and
a run that died shows the last step and loss it reached."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from gui_run_helpers import RUN_TIMEOUT_MS, TINY_TRAINING, finish_runs, trainer  # noqa: E402,F401
from PySide6.QtCore import QStandardPaths, Qt  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from engine.project import Project  # noqa: E402
from engine.runs import METRICS, PROJECT_COPY, list_runs  # noqa: E402
from gui.runs.locations import scratch_base  # noqa: E402
from gui.runs.run_files import last_step_metrics  # noqa: E402
from gui.testing import dialogs, small_project, window  # noqa: E402,F401

QStandardPaths.setTestModeEnabled(True)


def unsaved_tiny() -> Project:
    project = small_project()
    project.data["params"].update({"length": 10, "n_train": 64, "n_val": 32})
    project.training.update({**TINY_TRAINING, "steps": 10, "probe_every": 0})
    project.refresh_signature()
    return project


def train_once(window, qtbot) -> Path:
    session = window.training.session
    window.training.controls.train.trigger()
    qtbot.waitUntil(lambda: not session.running, timeout=RUN_TIMEOUT_MS)
    assert session.data.status == "finished", session.data.message
    return session.data.run_dir


def listed(trainer) -> list[Path]:
    return [item.data(0, Qt.UserRole) for item in trainer.runs.items()]


def save_as(window, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    assert window.files.save_as()


def test_each_unsaved_project_has_its_own_runs(window, trainer, qtbot):
    window.editor.set_project(unsaved_tiny())
    first_root = trainer.project_runs.root
    run_dir = train_once(window, qtbot)
    assert run_dir.parent == first_root and first_root.parent == scratch_base()
    assert listed(trainer) == [run_dir]

    window.editor.set_project(unsaved_tiny())  # File ▸ New, or another example
    assert trainer.project_runs.root != first_root
    assert listed(trainer) == [] and "no file yet" in trainer.runs.where.text()
    assert trainer.view.data.run_dir is None  # the other project's run left the plots


def test_new_train_save_as_train_reopen_lists_every_run_once_beside_the_file(
    window, trainer, dialogs, qtbot, monkeypatch, tmp_path
):
    window.editor.set_project(unsaved_tiny())
    before_save = train_once(window, qtbot)
    dialogs.answers["question"] = QMessageBox.Yes  # move the runs with the project
    save_as(window, monkeypatch, tmp_path / "mine.rsproj")
    assert any("Move its run" in text for text in dialogs.texts("question"))
    root = tmp_path / "runs"
    assert trainer.project_runs.root == root and trainer.runs.where.text() == f"Runs in {root}"
    assert listed(trainer) == [root / before_save.name] and not before_save.exists()

    after_save = train_once(window, qtbot)
    assert after_save.parent == root
    assert listed(trainer) == [after_save, root / before_save.name]

    window.editor.set_project(unsaved_tiny())
    assert window.files.open_path(tmp_path / "mine.rsproj")
    assert sorted(listed(trainer)) == sorted(list_runs(root)) and len(listed(trainer)) == 2


def test_runs_stay_put_when_the_user_says_no(window, trainer, dialogs, qtbot, monkeypatch, tmp_path):
    window.editor.set_project(unsaved_tiny())
    scratch_run = train_once(window, qtbot)
    save_as(window, monkeypatch, tmp_path / "mine.rsproj")  # the recorder answers No
    assert scratch_run.exists() and listed(trainer) == []


def test_a_run_that_died_shows_the_last_step_and_loss_it_reached(window, trainer, tmp_path):
    run_dir = tmp_path / "runs" / "20260101-000000-dead"
    run_dir.mkdir(parents=True)
    (run_dir / PROJECT_COPY).write_text("{}")
    lines = [json.dumps({"type": "step", "step": step, "loss": 1.0 / step}) for step in range(1, 1889)]
    (run_dir / METRICS).write_text("\n".join(lines) + '\n{"type": "step", "st')  # killed mid-line
    assert last_step_metrics(run_dir) == {"steps": 1888, "train_loss": pytest.approx(1 / 1888)}
    trainer.runs.set_root(tmp_path / "runs")
    [item] = trainer.runs.items()
    assert [item.text(column) for column in (1, 2, 3)] == ["interrupted", "1888", f"{1 / 1888:.4g}"]
