"""TrainingProcess: one spawned child process running a job, its events drained on a timer.

The bridge (protocol in gui.training.child):
- The child is started with the `spawn` method (never fork a process that runs Qt) and gets
  the job as a plain dict: the project as `Project.to_dict()` plus its path, never a module.
- Events come back over a one-way multiprocessing Pipe — what a multiprocessing.Queue wraps,
  without the queue's feeder thread and without the window holding the writing end. That
  matters when the child dies: the window's read gets end-of-file instead of waiting forever
  for the rest of a half-written message.
- A QTimer every POLL_MS reads what has arrived without blocking (poll, then recv), for at
  most DRAIN_BUDGET_SECONDS per tick, and emits the items in order. The child sends at most
  one message every 75 ms, so a tick rarely finds more than one.
- Commands go the other way over a second pipe.
- The end: the child closes its pipe and exits; a dead child's pipe closes too. At end of
  file `ended(ok, message)` says whether the job finished (its final event arrived and no
  error was reported) or why it did not: the error the child reported, or how the process
  died (signal, exit code). The exiting process is reaped by multiprocessing later.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from .child import run_child

POLL_MS = 40
DRAIN_BUDGET_SECONDS = 0.010
FINAL_EVENT = {"train": "done", "compare": "comparison"}


class TrainingProcess(QObject):
    items_received = Signal(list)  # items in the order they happened (see gui.training.child)
    ended = Signal(bool, str)  # ok, and if not ok, why

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._process: multiprocessing.Process | None = None
        self._events = self._commands = None

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, job: dict[str, Any]) -> None:
        if self.running:
            raise RuntimeError("a job is already running")
        context = multiprocessing.get_context("spawn")
        self._events, events_end = context.Pipe(duplex=False)
        commands_end, self._commands = context.Pipe(duplex=False)
        self._process = context.Process(
            target=run_child, args=(job, events_end, commands_end), name="recurrent-studio-training", daemon=True
        )
        self._process.start()
        events_end.close()  # only the child writes events: its death closes the pipe
        commands_end.close()
        self._final_event, self._finished, self._error, self._eof = FINAL_EVENT[job["kind"]], False, None, False
        self._timer.start()

    def send(self, command: str) -> None:
        """'pause', 'resume' or 'stop'; ignored once the child has gone."""
        if self._commands is not None:
            try:
                self._commands.send(command)
            except (BrokenPipeError, OSError):
                pass

    def stop_and_wait(self, timeout: float = 10.0) -> None:
        """Ask the child to stop and wait for it (still reading its events); kill it if it
        has not ended within `timeout` seconds."""
        if not self.running:
            return
        self.send("stop")
        deadline = time.monotonic() + timeout
        while not self._eof and self._process.is_alive() and time.monotonic() < deadline:
            self._emit(self._drain(DRAIN_BUDGET_SECONDS))
            self._events.poll(0.02)
        if not self._eof and self._process.is_alive():
            self._process.kill()
        self._poll()

    # -- the timer ----------------------------------------------------------------------
    def _poll(self) -> None:
        if not self.running:
            return
        self._emit(self._drain(DRAIN_BUDGET_SECONDS))
        if not self._eof and not self._process.is_alive():
            self._emit(self._drain(None))  # the pipe holds its last messages, then end-of-file
        if self._eof:
            self._end()

    def _emit(self, items: list[dict[str, Any]]) -> None:
        if items:
            self.items_received.emit(items)

    def _drain(self, budget: float | None) -> list[dict[str, Any]]:
        """Items that have arrived, reading for at most `budget` seconds (None: all of them)."""
        started, items = time.perf_counter(), []
        while not self._eof and (budget is None or time.perf_counter() - started < budget):
            try:
                if not self._events.poll():
                    break
                items += self._events.recv()["items"]
            except (EOFError, OSError):
                self._eof = True
        for item in items:
            self._finished |= item["type"] == self._final_event
            if item["type"] == "error":
                self._error = item["message"]
        return items

    def _end(self) -> None:
        """The child closed its pipe: it is exiting (Python's shutdown after torch takes most
        of a second, so a finished job ends here without waiting) or it died."""
        self._timer.stop()
        problem = self._error
        if problem is None and not self._finished:
            self._process.join(2.0)  # it died: its exit code says how
            problem = describe_exit(self._process.exitcode)
        for connection in (self._events, self._commands):
            connection.close()
        self._process = self._events = self._commands = None
        self.ended.emit(problem is None, problem or "")


def describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the training process was killed ({name}) before the run finished"
    if code:
        return f"the training process exited with code {code} before the run finished"
    return "the training process ended before the run finished"
