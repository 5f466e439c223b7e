"""TrainingProcess: a warm worker process that runs jobs, its events drained on a timer.

The bridge (protocol in gui.training.child):
- The worker is started with the `spawn` method (never fork a process that runs Qt), ahead
  of time with `warm_up()` (the window calls it once it is shown), so that importing torch
  and the engine is done before Train is pressed. It runs one job after another; a job is a
  plain dict (the project as `Project.to_dict()` plus its path, never a module).
- Events come back over a one-way multiprocessing Pipe — what a multiprocessing.Queue wraps,
  without the queue's feeder thread and without the window holding the writing end. That
  matters when the worker dies: the window's read gets end-of-file instead of waiting
  forever for the rest of a half-written message.
- A QTimer every POLL_MS reads what has arrived without blocking (poll, then recv), for at
  most DRAIN_BUDGET_SECONDS per tick, and emits the items in order.
- Jobs and commands go the other way over a second pipe.
- The end of a job: {"job_done"} from the worker, or end of file when it died. Then
  `ended(ok, message)` says whether the job finished (its final event arrived and no error
  was reported) or why it did not: the error the worker reported, or how it died.
- Stop escalates: `stop()` asks the job to stop; a worker that has not ended the job after
  STOP_GRACE_SECONDS is terminated, and after KILL_GRACE_SECONDS more, killed. A dead worker
  is always joined (no zombie), and the next job starts a fresh one.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from .child import serve

POLL_MS = 40
DRAIN_BUDGET_SECONDS = 0.010
FINAL_EVENT = {"train": "done", "compare": "comparison"}
STOP_GRACE_SECONDS = 5.0  # a step, an evaluation or a probe pass finishes in this time
KILL_GRACE_SECONDS = 2.0


class TrainingProcess(QObject):
    items_received = Signal(list)  # items in the order they happened (see gui.training.child)
    ended = Signal(bool, str)  # ok, and if not ok, why
    warm = Signal()  # the worker has imported torch and the engine and waits for a job

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._escalation = QTimer(self, singleShot=True)
        self._escalation.timeout.connect(self._escalate)
        self.stop_graces = (STOP_GRACE_SECONDS, KILL_GRACE_SECONDS)
        self._process: multiprocessing.Process | None = None
        self._events = self._commands = None
        self._job: dict[str, Any] | None = None
        self.ready = False  # the worker is warm
        self.forced: str | None = None  # how the last job was ended by force: terminated, killed

    @property
    def running(self) -> bool:
        """A job is in progress."""
        return self._job is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- the worker ---------------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the worker now, if none is alive, so that the next job need not wait for it."""
        if self._process is None or not self._process.is_alive():
            self._spawn()

    def _spawn(self) -> None:
        self._discard_worker()
        context = multiprocessing.get_context("spawn")
        self._events, events_end = context.Pipe(duplex=False)
        commands_end, self._commands = context.Pipe(duplex=False)
        self._process = context.Process(
            target=serve, args=(events_end, commands_end), name="recurrent-studio-training", daemon=True
        )
        self._process.start()
        events_end.close()  # only the worker writes events: its death closes the pipe
        commands_end.close()
        self.ready, self._eof = False, False
        self._timer.start()

    def _discard_worker(self) -> None:
        """Close the pipes of a worker that has gone and reap it."""
        for connection in (self._events, self._commands):
            if connection is not None:
                connection.close()
        if self._process is not None:
            self._process.join(1.0)
        self._process = self._events = self._commands = None

    def shutdown(self, timeout: float = 2.0) -> None:
        """End the worker (the window is closing): close its command pipe, then make sure."""
        if self._process is None:
            return
        self._commands.close()
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
        self._timer.stop()
        self._events.close()
        self._process.join(1.0)
        self._process = self._events = self._commands = None

    # -- jobs ---------------------------------------------------------------------------
    def start(self, job: dict[str, Any]) -> None:
        if self.running:
            raise RuntimeError("a job is already running")
        if self._process is None or not self._process.is_alive():
            self._spawn()
        self._job = job
        self._final_event, self._finished, self._error, self.forced = FINAL_EVENT[job["kind"]], False, None, None
        if not self.send({"job": job}):
            self._spawn()
            self.send({"job": job})
        self._timer.start()

    def send(self, command) -> bool:
        """A job, or 'pause', 'resume', 'stop'; False once the worker has gone."""
        if self._commands is None:
            return False
        try:
            self._commands.send(command)
            return True
        except (BrokenPipeError, OSError):
            return False

    def stop(self) -> None:
        """Ask the job to stop; terminate, then kill, a worker that does not (see module doc)."""
        if self.running:
            self.send("stop")
            self._escalation.start(int(self.stop_graces[0] * 1000))

    def _escalate(self) -> None:
        if not self.running or self._process is None:
            return
        if self.forced is None:
            self.forced = "terminated"
            self._process.terminate()
            self._escalation.start(int(self.stop_graces[1] * 1000))
        else:
            self.forced = "killed"
            self._process.kill()

    def stop_and_wait(self, timeout: float = 10.0) -> None:
        """Ask the job to stop and wait for it (still reading its events); kill the worker
        if the job has not ended within `timeout` seconds."""
        if not self.running:
            return
        self.send("stop")
        deadline = time.monotonic() + timeout
        while self.running and self._process.is_alive() and time.monotonic() < deadline:
            self._poll(budget=DRAIN_BUDGET_SECONDS)
            if self.running and self._events is not None:
                self._events.poll(0.02)
        if self.running and self._process.is_alive():
            self.forced = "killed"
            self._process.kill()
        while self.running:
            self._poll(budget=None)

    # -- the timer ----------------------------------------------------------------------
    def _poll(self, budget: float | None = DRAIN_BUDGET_SECONDS) -> None:
        if self._process is None:
            self._timer.stop()
            return
        self._read(budget)
        if not self._eof and not self._process.is_alive():
            self._read(None)  # the pipe holds its last messages, then end-of-file
        if self._eof:
            self._worker_died()
        elif not self.running and self.ready:
            self._timer.stop()  # a warm worker waiting for a job needs no polling

    def _read(self, budget: float | None) -> None:
        """Read what has arrived for at most `budget` seconds (None: all of it)."""
        started, items = time.perf_counter(), []
        while not self._eof and (budget is None or time.perf_counter() - started < budget):
            try:
                if not self._events.poll():
                    break
                message = self._events.recv()
            except (EOFError, OSError):
                self._eof = True
                break
            if message.get("ready"):
                self.ready = True
                self.warm.emit()
            items += message.get("items", [])
            if message.get("job_done"):
                self._emit(items)
                items = []
                self._job_done()
        self._emit(items)

    def _emit(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self._finished |= item["type"] == self._final_event
            if item["type"] == "error":
                self._error = item["message"]
        if items:
            self.items_received.emit(items)

    def _job_done(self, problem: str | None = None) -> None:
        if self._job is None:
            return
        self._escalation.stop()
        problem = problem or self._error
        if problem is None and not self._finished:
            problem = "the training process ended the job before it finished"
        self._job = None
        self.ended.emit(problem is None, problem or "")

    def _worker_died(self) -> None:
        """End of file: the worker exited or was killed. Reap it; a job it ran has ended."""
        self._timer.stop()
        process = self._process
        process.join(2.0)
        code = process.exitcode
        self._discard_worker()
        self.ready = False
        if self._job is not None:
            self._job_done(None if self._finished else describe_exit(code, self.forced))


def describe_exit(code: int | None, forced: str | None = None) -> str:
    if forced:
        return f"the training process did not stop when asked and was {forced}"
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the training process was killed ({name}) before the run finished"
    if code:
        return f"the training process exited with code {code} before the run finished"
    return "the training process ended before the run finished"
