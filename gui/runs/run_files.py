"""Reading and finishing run folders that their process could not finish.

A run whose process died has no summary.json; its metrics.jsonl still holds every step up
to the last. The list reads the last step from the file's end, and a run the window had to
kill gets a summary saying so (the engine's own summary format), so it reads the same later.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.project import write_atomic
from engine.runs import METRICS, RUN_FORMAT_VERSION, SUMMARY


def last_step_metrics(run_dir: Path, tail_bytes: int = 8192) -> dict:
    """The last step and training loss in a run's metrics (read from the file's end: a run
    that died has no summary, and its metrics may be long)."""
    try:
        with open(run_dir / METRICS, "rb") as stream:
            stream.seek(0, 2)
            stream.seek(max(0, stream.tell() - tail_bytes))
            lines = stream.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return {}
    for line in reversed(lines):
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a partial line: the first one read, or the one the process died writing
        if isinstance(event, dict) and event.get("type") == "step":
            return {"steps": event.get("step"), "train_loss": event.get("loss")}
    return {}


def write_forced_summary(run_dir: Path, status: str, message: str, reached: dict) -> None:
    """Give a run whose process was terminated or killed the summary it could not write.
    `reached`: the steps and train_loss the window saw streamed (the file may lack its last
    lines, still in the dead process's write buffer)."""
    if (run_dir / SUMMARY).exists():
        return
    known = {key: value for key, value in reached.items() if value is not None}
    summary = {"run_format": RUN_FORMAT_VERSION, "status": status, "message": message}
    summary.update({**last_step_metrics(run_dir), **known})
    write_atomic(run_dir / SUMMARY, json.dumps(summary, indent=2) + "\n")
