"""The training worker process: imports torch and the engine once, then runs jobs (a training
run or a cell comparison) one after another, streaming each job's events to the window.

Imports only the standard library, numpy and engine modules, never Qt: under `spawn` the
child re-imports this module, and only the window's process may hold a QApplication.

Protocol, child → window: one pickled dict per message, at most one every FLUSH_SECONDS
while a job runs,
    {"items": [item, ...]}
where an item is either a chunk of consecutive step events, as arrays,
    {"type": "steps", "step": int64 (n,), "loss", "grad_norm", "seconds": float64 (n,), **tags}
(tags: the compare job's "variant", "variant_index", "label", "run_index"), or any other engine
event as it was emitted (status, phase, eval, probe, predictions, done; variant, variant_done), plus
    {"type": "error", "message": text for the user}   the job raised
    {"type": "comparison", "out_dir", "csv"}          a comparison finished
Items keep the order in which they happened. Two more messages frame the jobs:
    {"ready": True}        the imports are done: the worker is warm and waits for a job
    {"job_done": True}     the job's last items have been sent; the worker waits again
Window → child: {"job": dict} starts a job; the strings "pause", "resume" and "stop" apply
to the job running; end of file (the window went away) stops the job and ends the worker.
A listener thread applies them to the job's RunControl, which the training loop checks
between steps.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from engine.events import ComparisonEvent, ErrorEvent, EventType

FLUSH_SECONDS = 0.075
STEP_FIELDS = ("step", "loss", "grad_norm", "seconds")
TAGS = ("variant", "variant_index", "label", "run_index")


class EventStream:
    """Collects events from the training thread; a sender thread ships them in batches."""

    def __init__(self, connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []
        self._chunk: dict[str, Any] | None = None
        self._closed = threading.Event()
        self._sender = threading.Thread(target=self._send_periodically, name="event-sender", daemon=True)
        self._sender.start()

    def put(self, event: dict[str, Any]) -> None:
        with self._lock:
            if event["type"] == EventType.STEP:
                self._add_step(event)
            else:
                self._close_chunk()
                self._items.append(event)

    def _add_step(self, event: dict[str, Any]) -> None:
        tags = {key: event[key] for key in TAGS if key in event}
        if self._chunk is not None and self._chunk["tags"] != tags:
            self._close_chunk()
        if self._chunk is None:
            self._chunk = {"tags": tags, **{name: [] for name in STEP_FIELDS}}
        for name in STEP_FIELDS:
            self._chunk[name].append(event[name])

    def _close_chunk(self) -> None:
        chunk, self._chunk = self._chunk, None
        if chunk is not None:
            arrays = {name: np.asarray(chunk[name], np.int64 if name == "step" else np.float64) for name in STEP_FIELDS}
            self._items.append({"type": EventType.STEPS, **arrays, **chunk["tags"]})

    def _take(self) -> list[dict[str, Any]]:
        with self._lock:
            self._close_chunk()
            items, self._items = self._items, []
        return items

    def _send_periodically(self) -> None:
        while not self._closed.wait(FLUSH_SECONDS):
            self._send(self._take())

    def _send(self, items: list[dict[str, Any]]) -> None:
        if items:
            try:
                self._connection.send({"items": items})
            except (BrokenPipeError, OSError):
                self._closed.set()  # the window is gone; the command listener stops the run

    def close(self) -> None:
        """Stop the sender and send what is left (in this thread, after the sender's last send)."""
        self._closed.set()
        self._sender.join()
        self._send(self._take())


class CommandListener:
    """Reads the window's messages in a thread: jobs go to `jobs` with a fresh RunControl
    each, commands go to the control of the job last received."""

    def __init__(self, connection) -> None:
        from engine.training import RunControl

        self._connection, self._new_control = connection, RunControl
        self.jobs: queue.Queue = queue.Queue()
        self._control = None
        threading.Thread(target=self._listen, name="commands", daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                if self._control is not None:
                    self._control.stop()
                self.jobs.put(None)  # the window is gone: end the worker
                return
            if isinstance(message, dict) and "job" in message:
                self._control = self._new_control()
                self.jobs.put((message["job"], self._control))
            elif self._control is not None:
                actions = {"pause": self._control.pause, "resume": self._control.resume, "stop": self._control.stop}
                actions.get(message, lambda: None)()


def serve(events, commands) -> None:
    """The worker's entry point (a top-level function, so `spawn` can find it)."""
    _share_the_machine()
    warm_up()
    listener = CommandListener(commands)
    _send(events, {"ready": True})
    while (work := listener.jobs.get()) is not None:
        job, control = work
        run_job(job, events, control)
        gc.collect()  # the last run's model and data go before the next arrives
        if not _send(events, {"job_done": True}):
            break
    events.close()


def run_job(job: dict[str, Any], events, control) -> None:
    stream = EventStream(events)
    try:
        JOBS[job["kind"]](job, stream.put, control)
    except BaseException as error:  # report every failure to the window, which stays up
        stream.put(ErrorEvent(type=EventType.ERROR, message=describe_error(error), details=traceback.format_exc()))
    finally:
        stream.close()


def _send(connection, message: dict[str, Any]) -> bool:
    try:
        connection.send(message)
        return True
    except (BrokenPipeError, OSError):
        return False


def warm_up() -> None:
    """Import what every job needs, so that a job starts by loading its data."""
    import engine.compiler  # noqa: F401
    import engine.data  # noqa: F401
    import engine.predictions  # noqa: F401
    import engine.probes  # noqa: F401
    import engine.training  # noqa: F401


def _share_the_machine() -> None:
    """Leave a core and some priority to the window (measured: see TECHNICAL-NOTES.md)."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 1) - 1))
    if hasattr(os, "nice"):
        os.nice(5)


def describe_error(error: BaseException) -> str:
    from engine.errors import UserError

    if isinstance(error, UserError):
        return str(error)
    return f"unexpected error in the training process: {type(error).__name__}: {error}"


def _project(job: dict[str, Any]):
    from engine.project import project_from_dict

    return project_from_dict(job["project"], job.get("path"))


def _train_job(job: dict[str, Any], emit: Callable[[dict], None], control) -> None:
    from engine.distributed import run_training
    from engine.predictions import predictions

    runs_dir = Path(job["runs_dir"]) if job.get("runs_dir") else None
    run_training(  # several processes when the project's 'processes' setting asks for them
        _project(job),
        None,
        emit,
        control,
        steps=job.get("steps"),
        runs_dir=runs_dir,
        overrides=job.get("overrides"),
        on_evaluate=predictions,
    )


def _compare_job(job: dict[str, Any], emit: Callable[[dict], None], control) -> None:
    from engine.compare import compare_hidden_sizes

    project, cells = _project(job), job["cells"]
    comparison = compare_hidden_sizes(
        project,
        cells,
        job.get("hidden_sizes"),
        job.get("match_params", False),
        job.get("steps"),
        out_dir=Path(job["out_dir"]),
        on_event=VariantTagger(emit, len(cells)),
        control=control,
    )
    emit(ComparisonEvent(type=EventType.COMPARISON, out_dir=str(comparison.out_dir), csv=str(comparison.csv_path)))


class VariantTagger:
    """Gives a comparison's events a run index over all groups and a label like 'GRU 32'."""

    def __init__(self, emit: Callable[[dict], None], group_size: int) -> None:
        self._emit, self._group_size, self._label = emit, group_size, ""

    def __call__(self, event: dict[str, Any]) -> None:
        if event["type"] == EventType.VARIANT:
            self._label = f"{event['cell']} {'/'.join(map(str, event['hidden_sizes'].values()))}"
        index = event.get("variant_index", event.get("index"))
        if index is not None:
            first = event.get("group", 0) * self._group_size
            event = {**event, "run_index": first + index, "label": self._label}
        self._emit(event)


JOBS: dict[str, Callable[[dict, Callable[[dict], None], Any], None]] = {
    "train": _train_job,
    "compare": _compare_job,
}
