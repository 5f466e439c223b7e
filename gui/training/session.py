"""TrainingSession: the run started from the window.

It snapshots the project (a dict: later edits apply to the next run), hands it to the warm
worker process, feeds the streamed items into the live RunData the plots read, keeps the
progress figures (step, loss, steps per second, time left) and the phase a run is in before
its first step (`phase`: starting the worker, loading data, building the model, first step),
and says when the run ended and why.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.events import EventType, RunStatus
from engine.project import Project
from engine.run_data import RunData, loss_label
from engine.runs import list_runs

from ..runs.replay import run_label
from ..runs.run_files import write_forced_summary
from .process import TrainingProcess

RATE_WINDOW_SECONDS = 5.0


class Progress:
    """Steps per second over the last few seconds of wall time, and the time left at that pace."""

    def __init__(self, total: int = 0):
        self.total, self.step, self.loss = total, 0, None
        self._samples: deque[tuple[float, int]] = deque()

    def update(self, step: int, loss: float) -> None:
        now = time.monotonic()
        self.step, self.loss = step, loss
        self._samples.append((now, step))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_SECONDS:
            self._samples.popleft()

    @property
    def steps_per_second(self) -> float | None:
        if len(self._samples) < 2:
            return None
        (t0, s0), (t1, s1) = self._samples[0], self._samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else None

    @property
    def seconds_left(self) -> float | None:
        rate = self.steps_per_second
        return (self.total - self.step) / rate if rate else None


class TrainingSession(QObject):
    state_changed = Signal(str)  # idle, starting, running, pausing, paused, stopping
    phase_changed = Signal(str)  # what a starting run is doing; "" once steps arrive
    run_started = Signal(object)  # the live RunData
    run_ended = Signal(object, bool, str)  # RunData, whether the job completed, why not

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.process = TrainingProcess(self)
        self.process.items_received.connect(self._on_items)
        self.process.ended.connect(self._on_ended)
        self.data = RunData()
        self.progress = Progress()
        self.state = "idle"
        self.phase = ""
        self.runs_root: Path | None = None
        self._runs_before: set[Path] = set()

    @property
    def running(self) -> bool:
        return self.state != "idle"

    def warm_up(self) -> None:
        """Start the worker process in the background, so that Train answers at once."""
        self.process.warm_up()

    def shutdown(self) -> None:
        self.process.shutdown()

    def start(self, project: Project, runs_root: Path, overrides: dict[str, Any] | None = None) -> None:
        overrides = dict(overrides or {})
        total = overrides.get("steps", project.training["steps"])
        self.runs_root = Path(runs_root)
        self._runs_before = set(list_runs(self.runs_root))
        self.data = RunData(title=f"live run of {project.name}", loss_name=loss_label(project), live=True)
        self.progress = Progress(total)
        self._set_phase(
            "sending the run to the training process" if self.process.ready else "starting the training process"
        )
        self.process.start(
            {
                "kind": "train",
                "project": project.to_dict(),
                "path": str(project.path) if project.path else None,
                "runs_dir": str(self.runs_root),
                "overrides": overrides,
            }
        )
        self._set_state("starting")
        self.run_started.emit(self.data)

    def pause(self) -> None:
        if self.state == "running":
            self.process.send("pause")
            self._set_state("pausing")

    def resume(self) -> None:
        if self.state in ("paused", "pausing"):
            self.process.send("resume")
            self._set_state("running")

    def stop(self) -> None:
        """Ask the run to stop; a process that does not answer is terminated, then killed."""
        if self.running and self.state != "stopping":
            self.process.stop()
            self._set_state("stopping")

    def stop_and_wait(self, timeout: float = 10.0) -> None:
        """Stop the run and wait for its folder to be written (for closing the window)."""
        if self.running:
            self._set_state("stopping")
            self.process.stop_and_wait(timeout)

    # -- streamed items -----------------------------------------------------------------
    def _on_items(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            if item["type"] == EventType.STEPS:
                self.data.add_steps(item["step"], item["loss"], item["grad_norm"])
                self.progress.update(int(item["step"][-1]), float(item["loss"][-1]))
                self._set_phase("")
                continue
            self.data.add_event(item)
            if item["type"] == EventType.PHASE and not self.progress.step:
                self._set_phase(item["phase"])
            if item["type"] == EventType.STATUS:
                self._on_status(item["status"])
                if item["status"] in (RunStatus.PREPARING, RunStatus.RUNNING) and not self.progress.step:
                    self._set_phase(item["message"] if item["status"] == RunStatus.PREPARING else "first step")

    def _on_status(self, status: str) -> None:
        # The run's status (engine.events.RunStatus) drives the session's own state, which
        # also has the in-between states "pausing" and "stopping" of the window's requests.
        if status == RunStatus.RUNNING and self.data.run_dir is None:
            self.data.run_dir = self.live_run_dir()  # the run folder exists once training starts
        if status == RunStatus.RUNNING and self.state not in ("stopping", "pausing"):
            self._set_state("running")
        elif status == RunStatus.PAUSED and self.state != "stopping":
            self._set_state("paused")

    def _on_ended(self, completed: bool, message: str) -> None:
        self._set_phase("")
        if not completed:
            self.data.fail(message)
            self.data.run_dir = self.data.run_dir or self._new_run_dir()
            if self.process.forced:
                self.data.status = self.process.forced  # terminated or killed, at the user's Stop
                if self.data.run_dir is not None:
                    reached = {"steps": self.progress.step, "train_loss": self.progress.loss}
                    write_forced_summary(self.data.run_dir, self.data.status, message, reached)
        self.data.live = False
        if self.data.run_dir is not None:
            self.data.title = run_label(self.data.run_dir)
        self._set_state("idle")
        self.run_ended.emit(self.data, completed, message)

    def live_run_dir(self) -> Path | None:
        """The folder the current (or last) run writes, once it has made one."""
        return self.data.run_dir or self._new_run_dir()

    def _new_run_dir(self) -> Path | None:
        """The folder a run started writing (the one a run that died left), if any."""
        new = sorted(set(list_runs(self.runs_root)) - self._runs_before) if self.runs_root else []
        return new[-1] if new else None

    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.phase_changed.emit(phase)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
