"""The warm training worker: started ahead of Train, reused run after run; Stop escalates
from asking to terminating to killing a worker that does not answer, and no process is
left behind as a zombie."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json  # noqa: E402
import signal  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from gui_run_helpers import RUN_TIMEOUT_MS, finish_runs, open_in_window, tiny_project, trainer  # noqa: E402,F401
from PySide6.QtCore import QStandardPaths  # noqa: E402

from engine.runs import list_runs  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401

QStandardPaths.setTestModeEnabled(True)


def process_state(pid: int) -> str | None:
    """The kernel's one-letter state of `pid` (R, S, T, Z …), None once it has been reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def train_and_wait(trainer, qtbot) -> None:
    trainer.controls.train.trigger()
    qtbot.waitUntil(lambda: not trainer.session.running, timeout=RUN_TIMEOUT_MS)


def test_the_warm_worker_runs_one_run_after_another(window, trainer, qtbot, tmp_path):
    session = trainer.session
    session.warm_up()
    qtbot.waitUntil(lambda: session.process.ready, timeout=RUN_TIMEOUT_MS)
    pid = session.process.pid
    open_in_window(window, tiny_project(tmp_path, steps=10))
    phases = []
    session.phase_changed.connect(phases.append)
    train_and_wait(trainer, qtbot)
    assert session.data.status == "finished" and session.process.pid == pid
    assert phases[:3] == ["sending the run to the training process", "loading data", "building the model"]
    assert "first step" in phases and phases[-1] == ""
    train_and_wait(trainer, qtbot)
    assert session.data.status == "finished" and session.process.pid == pid
    assert len(list_runs(tmp_path / "runs")) == 2 and len(trainer.runs.items()) == 2
    assert process_state(pid) in ("S", "R")  # waiting for the next run, not a zombie


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals")
def test_stop_kills_a_worker_that_does_not_answer(window, trainer, qtbot, tmp_path):
    session = trainer.session
    open_in_window(window, tiny_project(tmp_path, steps=1_000_000, eval_every=50, probe_every=50))
    trainer.controls.train.trigger()
    qtbot.waitUntil(lambda: session.data.last_step > 0, timeout=RUN_TIMEOUT_MS)
    pid = session.process.pid
    session.process.stop_graces = (0.3, 0.3)
    os.kill(pid, signal.SIGSTOP)  # a worker stuck in a long step: it reads no commands
    trainer.controls.stop.trigger()
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)

    assert session.data.status == "killed" and "did not stop when asked" in session.data.message
    assert process_state(pid) is None  # killed and reaped
    assert trainer.controls.train.isEnabled() and "killed" in trainer.controls.progress.text()
    [run_dir] = list_runs(tmp_path / "runs")
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "killed" and summary["steps"] >= 1
    assert trainer.runs.items()[0].text(1) == "failed"  # this session knows why it died
    assert trainer.runs.items()[0].text(2) == str(summary["steps"])

    open_in_window(window, tiny_project(tmp_path / "again", steps=5))
    train_and_wait(trainer, qtbot)  # a fresh worker takes the next run
    assert session.data.status == "finished" and session.process.pid != pid
