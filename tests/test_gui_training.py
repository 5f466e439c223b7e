"""Training from the window in a real spawned process: the live plots fill, pause and resume,
stop, a killed process is reported with the window alive, closing asks and stops cleanly."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

from gui_run_helpers import RUN_TIMEOUT_MS, finish_runs, open_in_window, tiny_project, trainer  # noqa: E402,F401
from PySide6.QtCore import QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from engine.runs import list_runs  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401

QStandardPaths.setTestModeEnabled(True)
LONG_RUN = {"steps": 1_000_000, "eval_every": 50, "probe_every": 50}


def start(window, qtbot, project) -> None:
    open_in_window(window, project)
    window.training.controls.train.trigger()
    qtbot.waitUntil(lambda: window.training.session.state == "running", timeout=RUN_TIMEOUT_MS)


def wait_for_end(window, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.training.session.running, timeout=RUN_TIMEOUT_MS)


def points(curve) -> int:
    x = curve.getData()[0]
    return 0 if x is None else len(x)


def run_summary(folder) -> dict:
    [run_dir] = list_runs(folder / "runs")
    return json.loads((run_dir / "summary.json").read_text())


def test_a_run_started_from_the_window_fills_every_live_plot(window, trainer, qtbot, tmp_path):
    project = tiny_project(tmp_path)
    start(window, qtbot, project)
    wait_for_end(window, qtbot)
    trainer.docks["hidden"].raise_()
    trainer.docks["loss"].raise_()
    panels = trainer.panels
    qtbot.waitUntil(lambda: not trainer.view.pending(), timeout=5000)  # each plot has had its turn

    assert trainer.session.data.status == "finished" and trainer.session.data.last_step == 40
    steps, losses = panels["loss"].raw.getOriginalDataset()  # as given, not log-transformed for drawing
    assert points(panels["loss"].raw) == 40 and steps[-1] == 40 and all(loss > 0 for loss in losses)
    assert len(panels["loss"].validation.getData()[0]) == 5  # steps 0, 10, 20, 30, 40
    assert panels["gates"].image.image.shape == (8, 10)  # units × time
    assert len(panels["gates"].mean_curves["forget"].getData()[1]) == 10
    assert len(panels["gates"].low.getData()[0]) == 9  # a probe every 5 steps, and at 0
    assert len(panels["hidden"].points.data) == 3 * 10  # 3 samples shown × 10 steps
    assert len(panels["gradient"].current.getData()[1]) == 10
    assert run_summary(tmp_path)["status"] == "finished"
    assert "finished" in trainer.controls.progress.text()
    assert trainer.runs.items()[0].text(1) == "finished"


def test_pause_resume_and_stop(window, trainer, qtbot, tmp_path):
    session = trainer.session
    start(window, qtbot, tiny_project(tmp_path, **LONG_RUN))
    qtbot.waitUntil(lambda: session.data.last_step > 0, timeout=RUN_TIMEOUT_MS)
    assert trainer.controls.pause.text() == "&Pause" and not trainer.controls.train.isEnabled()

    trainer.controls.pause.trigger()
    qtbot.waitUntil(lambda: session.state == "paused", timeout=RUN_TIMEOUT_MS)
    assert trainer.controls.pause.text() == "&Resume"
    qtbot.wait(300)  # let anything already sent arrive
    paused_at = session.data.last_step
    qtbot.wait(500)
    assert session.data.last_step == paused_at and "paused" in trainer.controls.progress.text()

    trainer.controls.pause.trigger()
    qtbot.waitUntil(lambda: session.data.last_step > paused_at, timeout=RUN_TIMEOUT_MS)
    assert session.state == "running"

    trainer.controls.stop.trigger()
    wait_for_end(window, qtbot)
    assert session.data.status == "stopped"
    assert run_summary(tmp_path)["status"] == "stopped"
    assert trainer.controls.train.isEnabled()


def test_a_killed_training_process_is_reported_and_the_window_lives_on(window, trainer, qtbot, tmp_path):
    session = trainer.session
    start(window, qtbot, tiny_project(tmp_path, **LONG_RUN))
    qtbot.waitUntil(lambda: session.data.last_step > 0, timeout=RUN_TIMEOUT_MS)
    os.kill(session.process.pid, signal.SIGKILL)
    wait_for_end(window, qtbot)

    assert session.data.status == "failed" and "killed (SIGKILL)" in session.data.message
    report = window.findChild(QMessageBox, "runProblem")
    assert report is not None and "killed" in report.text()
    report.close()
    [item] = trainer.runs.items()
    assert item.text(1) == "failed" and "killed" in item.toolTip(1)
    assert window.isVisible() and trainer.controls.train.isEnabled()


def test_edits_during_a_run_apply_to_the_next_run(window, trainer, qtbot, tmp_path):
    project = tiny_project(tmp_path, **LONG_RUN)
    start(window, qtbot, project)
    assert not trainer.controls.notice.isVisible()  # nothing was edited yet
    assert window.editor.set_param("memory", "hidden_size", 12) is None
    assert "next run" in window.statusBar().currentMessage() and trainer.controls.notice.isVisible()
    qtbot.waitUntil(lambda: trainer.panels["gates"].image.image is not None, timeout=RUN_TIMEOUT_MS)
    assert trainer.panels["gates"].image.image.shape[0] == 8  # the run trains its snapshot
    trainer.controls.stop.trigger()
    wait_for_end(window, qtbot)


def test_closing_the_window_during_a_run_asks_then_stops_it_cleanly(window, trainer, dialogs, qtbot, tmp_path):
    start(window, qtbot, tiny_project(tmp_path, **LONG_RUN))
    dialogs.answers["question"] = QMessageBox.Cancel
    assert not window.close()
    assert trainer.session.running and dialogs.texts("question")

    dialogs.answers["question"] = QMessageBox.Yes
    began = time.monotonic()
    assert window.close()
    assert not trainer.session.running and time.monotonic() - began < 15
    assert run_summary(tmp_path)["status"] == "stopped"


def test_a_diverging_run_and_a_run_that_cannot_start_say_why(window, trainer, qtbot, tmp_path):
    session = trainer.session
    diverging = {"optimizer": "sgd", "learning_rate": 10.0, "grad_clip": 0.0, "momentum": 0.9}
    open_in_window(window, tiny_project(tmp_path, cell="RNN", **diverging))
    trainer.controls.train.trigger()
    wait_for_end(window, qtbot)
    assert session.data.status == "diverged" and "the loss became inf" in session.data.message
    report = window.findChild(QMessageBox, "runProblem")
    assert report is not None and "lower learning rate" in report.text()
    report.close()
    assert trainer.runs.items()[0].text(1) == "diverged"

    open_in_window(window, tiny_project(tmp_path / "other", probe_samples=100))  # the data has 32
    trainer.controls.train.trigger()
    wait_for_end(window, qtbot)
    assert session.data.status == "failed" and "probe_samples is 100" in session.data.message
