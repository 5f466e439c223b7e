"""Run folders: everything a training run leaves behind, readable without the process.

A run folder (`runs/<time>-<project>/` beside the project) holds
  project.rsproj      a copy of the project as it was trained
  metrics.jsonl       one JSON object per line: step and evaluation events
  weights.safetensors the final (or last good) weights
  summary.json        status, steps, final losses, duration, parameter count
  probes/             probe records (engine.probe_store)
Every file is plain JSON, JSON lines, safetensors or .npz without pickled objects.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UserError
from .project import Project, load_project, save_project, write_atomic

RUN_FORMAT_VERSION = 1
PROJECT_COPY = "project.rsproj"
METRICS = "metrics.jsonl"
WEIGHTS = "weights.safetensors"
SUMMARY = "summary.json"
PROBES = "probes"


class RunFolderError(UserError, ValueError):
    """A run folder that cannot be read; the message names the folder and what is wrong."""


def new_run_dir(project: Project, runs_dir: Path | None = None) -> Path:
    root = Path(runs_dir) if runs_dir else (project.base_dir or Path.cwd()) / "runs"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in project.name) or "run"
    candidate, number = root / f"{stamp}-{stem}", 1
    while candidate.exists():
        number += 1
        candidate = root / f"{stamp}-{stem}-{number}"
    candidate.mkdir(parents=True)
    return candidate


class RunRecorder:
    """Writes one run folder as the run goes; metrics are appended line by line so a run
    that dies still leaves everything up to its last step."""

    def __init__(self, run_dir: Path, project: Project):
        self.run_dir = Path(run_dir)
        copy = Project(project.graph, project.data, project.training, project.name, project.description)
        save_project(copy, self.run_dir / PROJECT_COPY)
        self._metrics = open(self.run_dir / METRICS, "a", encoding="utf-8")

    def record(self, event: dict[str, Any]) -> None:
        if event["type"] in ("step", "eval"):
            self._metrics.write(json.dumps(event) + "\n")

    def save_weights(self, state_dict: dict) -> None:
        from safetensors.torch import save_file

        tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in state_dict.items()}
        temporary = self.run_dir / (WEIGHTS + ".tmp")
        save_file(tensors, str(temporary))
        temporary.replace(self.run_dir / WEIGHTS)

    def write_summary(self, summary: dict[str, Any]) -> None:
        self._metrics.flush()
        content = {"run_format": RUN_FORMAT_VERSION, **summary}
        write_atomic(self.run_dir / SUMMARY, json.dumps(content, indent=2) + "\n")

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

    @property
    def status(self) -> str:
        return self.summary.get("status", "unknown")

    def weights(self) -> dict:
        from safetensors.torch import load_file

        path = self.path / WEIGHTS
        if not path.exists():
            raise RunFolderError(f"{self.path}: has no {WEIGHTS}; the run ended before saving weights")
        return load_file(str(path))


def load_run(run_dir: Path | str) -> RunRecord:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunFolderError(f"{run_dir}: is not a folder; give the path of a run folder under runs/")
    for required in (PROJECT_COPY, METRICS):
        if not (run_dir / required).exists():
            raise RunFolderError(f"{run_dir}: {required} is missing; is this a run folder?")
    summary = _read_summary(run_dir)
    steps, evals = [], []
    for line in (run_dir / METRICS).read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # a run killed mid-write leaves a partial last line
        (steps if event.get("type") == "step" else evals).append(event)
    return RunRecord(run_dir, load_project(run_dir / PROJECT_COPY), summary, steps, evals)


def _read_summary(run_dir: Path) -> dict[str, Any]:
    path = run_dir / SUMMARY
    if not path.exists():
        return {"status": "interrupted"}  # the process died before it could finish
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RunFolderError(f"{path}: is not valid JSON; the run folder is damaged") from None
    version = summary.get("run_format", 1)
    if not isinstance(version, int) or version > RUN_FORMAT_VERSION:
        raise RunFolderError(
            f"{run_dir}: was written by a newer Recurrent Studio (run format {version}; "
            f"this version reads up to {RUN_FORMAT_VERSION}). Update Recurrent Studio"
        )
    return summary


def list_runs(runs_root: Path | str) -> list[Path]:
    """Run folders under `runs_root`, oldest first."""
    root = Path(runs_root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / PROJECT_COPY).exists())
