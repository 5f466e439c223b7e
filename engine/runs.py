"""Run folders: everything a training run leaves behind, readable without the process.

A run folder (`runs/<time>-<project>/` beside the project) holds
  project.rsproj      a copy of the project as it was trained
  metrics.jsonl       one JSON object per line: step and evaluation events
  weights.safetensors the weights of the best validation loss (or the last finite ones)
  weights_last.safetensors  the weights at the run's last step
  predictions.csv     forecasts: validation times, targets, predictions, baselines (data's units)
  summary.json        status, steps, final losses, duration, parameter count
  probes/             probe records (engine.probe_store)
Every file is plain JSON, JSON lines, safetensors or .npz without pickled objects.

Writing: folders are created exclusively (a clash adds a suffix, so simultaneous runs never
collide), named through engine.file_names; JSON is strict (engine.strict_json): a NaN or
infinite value is written as null and named under "nonfinite" ({"loss": "nan"}), and read
back as the float it was.

Reading treats every file as untrusted: each is opened only if it is a regular file, within
a size limit, and checked; a damaged summary or damaged metrics lines are reported in
`RunRecord.problems` (naming the run and the file) while the rest of the run still loads.
Only a missing or damaged project copy makes a folder unreadable.
"""

from __future__ import annotations

import errno
import math
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import strict_json
from .data.files import with_absolute_paths
from .errors import UserError
from .events import METRIC_EVENTS, EventType, RunStatus
from .file_names import safe_stem
from .project import Project, ProjectFileError, load_project, save_project, write_atomic
from .safe_io import FileRefusedError, check_regular, iter_lines, open_regular, quote, read_limited

RUN_FORMAT_VERSION = 1
PROJECT_COPY = "project.rsproj"
METRICS = "metrics.jsonl"
WEIGHTS = "weights.safetensors"
LAST_WEIGHTS = "weights_last.safetensors"
PREDICTIONS = "predictions.csv"
SUMMARY = "summary.json"
PROBES = "probes"

MAX_SUMMARY_BYTES = 1024 * 1024
MAX_METRICS_BYTES = 512 * 1024 * 1024  # ten million steps of events fit comfortably
MAX_METRICS_LINE = 64 * 1024
MAX_WEIGHTS_BYTES = 16 * 1024**3
NONFINITE = "nonfinite"
_NONFINITE_VALUES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class RunFolderError(UserError, ValueError):
    """A run folder that cannot be read; the message names the folder and what is wrong."""


def new_run_dir(project: Project, runs_dir: Path | None = None) -> Path:
    """A new, empty run folder `<root>/<time>-<project>[-n]`; never one another run took.

    mkdir itself is the test (exclusive create), so two runs started in the same second
    beside one project get different folders instead of one failing.
    """
    root = Path(runs_dir) if runs_dir else (project.base_dir or Path.cwd()) / "runs"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunFolderError(f"cannot create the runs folder {root}: {error.strerror or error}") from None
    base = f"{time.strftime('%Y%m%d-%H%M%S')}-{safe_stem(project.name, 'run')}"
    for number in range(1, 10_000):
        candidate = root / (base if number == 1 else f"{base}-{number}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
        except OSError as error:
            reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
            raise RunFolderError(f"cannot create a run folder in {root}: {reason}") from None
    raise RunFolderError(f"cannot create a run folder in {root}: 10,000 runs were started this second")


def to_strict_record(record: dict[str, Any]) -> dict[str, Any]:
    """`record` ready for strict JSON: non-finite floats become None, named under "nonfinite"."""
    marks = {name: _nonfinite_word(value) for name, value in record.items() if _is_nonfinite(value)}
    content = strict_json.finite_or_none(record)
    if marks:
        content[NONFINITE] = marks
    return content


def from_strict_record(content: dict[str, Any]) -> dict[str, Any]:
    """The inverse of to_strict_record: the marked nulls become NaN or ±inf again."""
    marks = content.pop(NONFINITE, None)
    if isinstance(marks, dict):
        for name, word in marks.items():
            if content.get(name, 0) is None and word in _NONFINITE_VALUES:
                content[name] = _NONFINITE_VALUES[word]
    return content


def _is_nonfinite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _nonfinite_word(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


class RunRecorder:
    """Writes one run folder as the run goes; metrics are appended line by line so a run
    that dies still leaves everything up to its last step."""

    def __init__(self, run_dir: Path, project: Project):
        self.run_dir = Path(run_dir)
        # A relative data path would be read from the run folder: keep the file's absolute path.
        data = with_absolute_paths(project.data, project.base_dir)
        copy = Project(project.graph, data, project.training, project.name, project.description)
        with self._writing(PROJECT_COPY):
            save_project(copy, self.run_dir / PROJECT_COPY)
            self._metrics = open(self.run_dir / METRICS, "a", encoding="utf-8")

    @contextmanager
    def _writing(self, name: str):
        """A full disk or a read-only folder becomes one RunFolderError naming run and file."""
        try:
            yield
        except OSError as error:
            reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
            raise RunFolderError(f"cannot write {name} in the run folder {self.run_dir}: {reason}") from None

    def record(self, event: dict[str, Any]) -> None:
        if event["type"] in METRIC_EVENTS:
            with self._writing(METRICS):
                self._metrics.write(strict_json.dumps(to_strict_record(event)) + "\n")

    def save_weights(self, state_dict: dict, name: str = WEIGHTS) -> None:
        from safetensors.torch import save

        tensors = {key: tensor.detach().cpu().contiguous() for key, tensor in state_dict.items()}
        with self._writing(name):
            write_atomic(self.run_dir / name, save(tensors))

    def write_predictions(self, header: list[str], rows: list[list[Any]]) -> None:
        """predictions.csv: one row per validation forecast (values already in the data's units)."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        with self._writing(PREDICTIONS):
            write_atomic(self.run_dir / PREDICTIONS, buffer.getvalue())

    def write_summary(self, summary: dict[str, Any]) -> None:
        with self._writing(SUMMARY):
            self._metrics.flush()
            write_summary(self.run_dir, summary)

    def close(self) -> None:
        self._metrics.close()


@dataclass
class RunRecord:
    """A finished (or interrupted) run read back from its folder."""

    path: Path
    project: Project
    summary: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    evals: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # damaged files, each named; the rest loaded

    @property
    def status(self) -> str:
        return self.summary.get("status", "unknown")

    def weights(self) -> dict:
        from safetensors.torch import load_file

        path = self.path / WEIGHTS
        if not path.exists():
            raise RunFolderError(f"{self.path}: has no {WEIGHTS}; the run ended before saving weights")
        try:
            check_regular(path, "weights file", MAX_WEIGHTS_BYTES)
            return load_file(str(path))
        except FileRefusedError as error:
            raise RunFolderError(f"run {self.path.name}: {error}") from None
        except Exception:  # safetensors raises its own error types for a damaged header or data
            raise RunFolderError(
                f"run {self.path.name}: {WEIGHTS} is damaged (not a readable safetensors file)"
            ) from None


def load_run(run_dir: Path | str) -> RunRecord:
    """A run folder read back; RunFolderError only when its project copy cannot be read."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunFolderError(f"{run_dir}: is not a folder; give the path of a run folder under runs/")
    if not (run_dir / PROJECT_COPY).exists():
        raise RunFolderError(f"{run_dir}: {PROJECT_COPY} is missing; is this a run folder?")
    try:
        project = load_project(run_dir / PROJECT_COPY)
    except ProjectFileError as error:
        raise RunFolderError(f"run {run_dir.name}: its {PROJECT_COPY} is damaged: {error}") from None
    problems: list[str] = []
    summary = read_summary(run_dir, problems)
    steps, evals = read_metrics(run_dir, problems)
    return RunRecord(run_dir, project, summary, steps, evals, problems)


def read_summary(run_dir: Path | str, problems: list[str] | None = None) -> dict[str, Any]:
    """The run's summary; {"status": "interrupted"} when the run died before writing one and
    {"status": "damaged", "message": ...} when it cannot be read (also added to `problems`).
    A summary from a newer Recurrent Studio raises RunFolderError."""
    run_dir = Path(run_dir)
    path = run_dir / SUMMARY
    if not path.exists():
        return {"status": RunStatus.INTERRUPTED, "message": "the run ended before writing its summary"}
    try:
        summary = strict_json.loads(read_limited(path, "run summary", MAX_SUMMARY_BYTES).decode("utf-8"))
        if not isinstance(summary, dict):
            raise ValueError(f"it holds {type(summary).__name__}, not an object")
    except (FileRefusedError, UnicodeDecodeError, ValueError) as error:
        message = f"run {run_dir.name}: {SUMMARY} is damaged ({error})"
        if problems is not None:
            problems.append(message)
        return {"status": "damaged", "message": message}
    version = summary.get("run_format", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version > RUN_FORMAT_VERSION:
        raise RunFolderError(
            f"{run_dir}: was written by a newer Recurrent Studio (run format {quote(version)}; "
            f"this version reads up to {RUN_FORMAT_VERSION}). Update Recurrent Studio"
        )
    summary = from_strict_record(summary)
    if not isinstance(summary.get("status", "unknown"), str):
        summary["status"] = "damaged"
    return summary


def write_summary(run_dir: Path | str, summary: dict[str, Any]) -> None:
    """summary.json, atomically and as strict JSON (non-finite values as null, named)."""
    content = to_strict_record({"run_format": RUN_FORMAT_VERSION, **summary})
    write_atomic(Path(run_dir) / SUMMARY, strict_json.dumps(content, indent=2) + "\n")


def last_step(run_dir: Path | str, tail_bytes: int = 8192) -> dict[str, Any]:
    """{"steps", "train_loss"} of the last step event, read from the end of metrics.jsonl (a
    run that died has no summary, and its metrics may be long); {} when there is none."""
    path = Path(run_dir) / METRICS
    try:
        with open_regular(path, "metrics file") as stream:
            stream.seek(max(0, os.fstat(stream.fileno()).st_size - tail_bytes))
            lines = stream.read(tail_bytes).splitlines(keepends=True)
    except (FileRefusedError, OSError):
        return {}
    for line in reversed(lines):  # the first may be cut by the seek, the last by a dying process
        event = _metric_event(line, ("loss",))
        if event is not None and event["type"] == EventType.STEP:
            return {"steps": event["step"], "train_loss": event["loss"]}
    return {}


# What a metrics line must hold to be shown: its kind, its step and its numbers.
_REQUIRED_NUMBERS = {EventType.STEP: ("loss", "grad_norm"), EventType.EVAL: ("val_loss",)}


def _metric_event(line: bytes, numbers: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    """One metrics line as an event, or None if it is not a well-formed step or eval event
    (holding the `numbers` named, by default all its kind needs to be plotted)."""
    try:
        event = strict_json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(event, dict) or event.get("type") not in _REQUIRED_NUMBERS:
        return None
    event = from_strict_record(event)
    step = event.get("step")
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        return None
    numbers = numbers or _REQUIRED_NUMBERS[event["type"]]
    if not all(isinstance(event.get(name), (int, float)) and not isinstance(event[name], bool) for name in numbers):
        return None
    return event


def read_metrics(run_dir: Path | str, problems: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(step events, eval events) of a run; damaged lines are skipped and reported in `problems`."""
    run_dir = Path(run_dir)
    steps: list[dict[str, Any]] = []
    evals: list[dict[str, Any]] = []
    damaged: list[int] = []
    path = run_dir / METRICS
    try:
        with open_regular(path, "metrics file") as stream:
            lines = iter_lines(stream, path, "metrics file", MAX_METRICS_BYTES, MAX_METRICS_LINE)
            for number, line in enumerate(lines, 1):
                event = _metric_event(line)
                if event is not None:
                    (steps if event["type"] == EventType.STEP else evals).append(event)
                elif line.endswith(b"\n"):  # a partial last line is a run killed mid-write: no damage
                    damaged.append(number)
    except FileRefusedError as error:
        if path.exists():
            problems.append(f"run {run_dir.name}: {error} (the events before are shown)")
    if damaged:
        problems.append(
            f"run {run_dir.name}: {METRICS} has {len(damaged)} damaged line{'s' if len(damaged) > 1 else ''} "
            f"(first: line {damaged[0]}); they are skipped"
        )
    return steps, evals


def list_runs(runs_root: Path | str) -> list[Path]:
    """Run folders under `runs_root`, oldest first."""
    root = Path(runs_root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / PROJECT_COPY).exists())
