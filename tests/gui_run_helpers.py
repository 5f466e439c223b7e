"""Tiny projects and waits shared by the GUI training, plots and runs tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.project import Project, save_project

TINY_TRAINING = {
    "steps": 40,
    "batch_size": 16,
    "eval_every": 10,
    "probe_every": 5,
    "probe_samples": 4,
    "learning_rate": 0.01,
}
RUN_TIMEOUT_MS = 60_000


def tiny_project(folder: Path, cell: str = "LSTM", name: str = "tiny", **training) -> Project:
    """SequenceInput → `cell` (hidden 8, last step) → Regression on the adding problem of
    length 10, saved in `folder` so that its runs go to `folder`/runs."""
    project = Project(data={"task": "adding", "params": {"length": 10, "n_train": 64, "n_val": 32}}, name=name)
    doc = project.graph
    doc.add_node("SequenceInput", position=(0.0, 0.0), node_id="sequence")
    doc.add_node(cell, {"hidden_size": 8, "output": "last"}, position=(250.0, 0.0), node_id="memory")
    doc.add_node("Regression", position=(500.0, 0.0), node_id="sum")
    doc.connect("sequence", "out", "memory", "in")
    doc.connect("memory", "out", "sum", "in")
    project.training.update({**TINY_TRAINING, **training})
    save_project(project, Path(folder) / f"{name}.rsproj")
    project.refresh_signature()
    return project


def open_in_window(window, project: Project) -> None:
    window.editor.set_project(project)
    window.scene.select_nodes(["memory"])


def finish_runs(window) -> None:
    """Teardown: never leave a training process behind a closing window."""
    session = window.training.session
    if session.running:
        session.stop_and_wait(timeout=20)


@pytest.fixture
def trainer(window):
    """The window's training parts; any run still going is stopped at the end."""
    yield window.training
    finish_runs(window)
