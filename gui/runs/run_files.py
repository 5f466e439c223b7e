"""Reading and finishing run folders that their process could not finish.

A run whose process died has no summary.json; its metrics.jsonl still holds every step up
to the last. The list reads the last step from the file's end, and a run the window had to
kill gets a summary saying so (the engine's own summary format), so it reads the same later.
"""

from __future__ import annotations

from pathlib import Path

from engine.runs import SUMMARY, last_step, write_summary


def last_step_metrics(run_dir: Path, tail_bytes: int = 8192) -> dict:
    """The last step and training loss in a run's metrics (engine.runs.last_step: read from the
    file's end, a regular file only, damaged lines skipped)."""
    return last_step(run_dir, tail_bytes)


def write_forced_summary(run_dir: Path, status: str, message: str, reached: dict) -> None:
    """Give a run whose process was terminated or killed the summary it could not write.
    `reached`: the steps and train_loss the window saw streamed (the file may lack its last
    lines, still in the dead process's write buffer)."""
    if (run_dir / SUMMARY).exists():
        return
    known = {key: value for key, value in reached.items() if value is not None}
    write_summary(run_dir, {"status": status, "message": message, **last_step_metrics(run_dir), **known})
