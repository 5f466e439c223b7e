"""Run controls: Train, Pause/Resume and Stop in the Run menu and toolbar, the progress line in
the status bar, the question when the window closes during a run, and the notice that edits
made during a run apply to the next one (the run trains a snapshot taken when it started).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressBar

from .. import theme
from ..icons import action_icon
from .session import TrainingSession

PROGRESS_REFRESH_MS = 250
EDIT_NOTICE = "Training the model as it was when the run started: edits apply to the next run"
EDIT_BADGE = "edits apply to the next run"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def make_action(
    window, text: str, slot: Callable[[], None], shortcuts=(), icon: str | None = None, tip: str = ""
) -> QAction:
    action = QAction(text, window)
    action.setShortcuts([QKeySequence(key) for key in shortcuts])
    if icon:
        action.setIcon(action_icon(icon))
    action.setStatusTip(tip)
    action.setToolTip(f"{tip} ({', '.join(shortcuts)})" if shortcuts else tip)
    action.triggered.connect(lambda checked=False: slot())
    return action


class RunControls(QObject):
    def __init__(self, window, session: TrainingSession, runs_root: Callable[[], Path]):
        super().__init__(window)
        self.window, self.session, self._runs_root = window, session, runs_root
        self.train = make_action(
            window, "&Train", self.start_training, ("Ctrl+R", "F5"), "train", "Train the model in a separate process"
        )
        self.pause = make_action(window, "&Pause", self.toggle_pause, ("F6",), "pause", "Pause or resume training")
        self.stop = make_action(
            window,
            "&Stop",
            session.stop,
            ("Shift+F5", "Ctrl+."),
            "stop",
            "Stop training; the run keeps its weights so far",
        )
        for action in (self.train, self.pause, self.stop):
            window.add_run_action(action)
        self._build_progress()
        self._timer = QTimer(self, interval=PROGRESS_REFRESH_MS)
        self._timer.timeout.connect(self._show_progress)
        session.state_changed.connect(self._on_state)
        session.phase_changed.connect(lambda phase: self._show_progress())
        window.editor.undo_stack.indexChanged.connect(self._edited_during_run)
        self._on_state("idle")

    def _build_progress(self) -> None:
        self.bar = QProgressBar(maximumWidth=140, textVisible=False, maximumHeight=12)
        self.progress = QLabel(objectName="dim")
        self.notice = QLabel(EDIT_BADGE, visible=False, toolTip=EDIT_NOTICE)
        self.notice.setStyleSheet(f"color: {theme.COLORS['warning']}")
        status_bar = self.window.statusBar()
        for index, widget in enumerate((self.notice, self.bar, self.progress)):
            status_bar.insertPermanentWidget(index, widget)  # temporary messages do not hide these

    # -- commands -----------------------------------------------------------------------
    def start_training(self) -> bool:
        if self.session.running:
            return False
        problem = self._problem()
        if problem:
            QMessageBox.warning(self.window, "Cannot train yet", problem)
            return False
        self.session.start(self.window.project, self._runs_root())
        return True

    def _problem(self) -> str | None:
        editor = self.window.editor
        lines = [f"• {editor.data_problem}"] if editor.data_problem else []
        lines += [f"• {d.message}" for d in editor.analysis.errors]
        if lines:
            return "Fix these problems before training (they are listed in the Problems panel):\n\n" + "\n".join(lines)
        return None

    def toggle_pause(self) -> None:
        if self.session.state in ("paused", "pausing"):
            self.session.resume()
        else:
            self.session.pause()

    def confirm_close(self) -> bool:
        """Asked when the window closes: a run in progress is stopped cleanly, or the close cancelled."""
        if not self.session.running:
            return True
        if not self.ask_stop_for_close():
            return False
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            self.session.stop_and_wait()
        finally:
            QApplication.restoreOverrideCursor()
        return True

    def ask_stop_for_close(self) -> bool:
        answer = QMessageBox.question(
            self.window,
            "Training in progress",
            "A training run is in progress. Stop it and close? The run keeps what it has learnt so far.",
            QMessageBox.Yes | QMessageBox.Cancel,
            QMessageBox.Cancel,
        )
        return answer == QMessageBox.Yes

    # -- display ------------------------------------------------------------------------
    def _on_state(self, state: str) -> None:
        running = state != "idle"
        self.window.set_activity({"idle": "", "paused": "paused", "stopping": "stopping"}.get(state, "training"))
        self.train.setEnabled(not running)
        self.pause.setEnabled(state in ("running", "pausing", "paused"))
        self.pause.setText("&Resume" if state in ("paused", "pausing") else "&Pause")
        self.pause.setIcon(action_icon("train" if state in ("paused", "pausing") else "pause"))
        self.stop.setEnabled(running and state != "stopping")
        self.bar.setVisible(running)
        if state in ("starting", "idle"):
            self.notice.hide()  # shown by the first edit made while the run goes on
        if running:
            self._timer.start()
        else:
            self._timer.stop()
            self.progress.setText(self._ended_text())
        self._show_progress()

    def _show_progress(self) -> None:
        if not self.session.running:
            return
        if self.session.phase:
            self.progress.setText(f"{self.session.phase}…")
            return
        progress, state = self.session.progress, self.session.state
        self.bar.setMaximum(max(progress.total, 1))
        self.bar.setValue(progress.step)
        rate = progress.steps_per_second
        loss = "–" if progress.loss is None else f"{progress.loss:.4g}"
        speed = "–" if rate is None else f"{rate:.1f}"
        prefix = {
            "starting": "starting… ",
            "paused": "paused · ",
            "pausing": "pausing… ",
            "stopping": "stopping… ",
        }.get(state, "")
        self.progress.setText(
            f"{prefix}step {progress.step} / {progress.total} · loss {loss} · {speed} steps/s · "
            f"{clock(progress.seconds_left)} left"
        )

    def _ended_text(self) -> str:
        data = self.session.data
        if not data.live and data.status in ("finished", "stopped", "diverged", "failed", "terminated", "killed"):
            return f"last run: {data.status} at step {data.last_step}"
        return ""

    def _edited_during_run(self) -> None:
        if self.session.running:
            self.notice.show()
            self.window.show_message(EDIT_NOTICE)
