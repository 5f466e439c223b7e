"""RunData: everything the plots show about one run, live or read back from its folder.

Plain Python and numpy (no Qt), filled from the run's events (engine.events) by the window's
training session as they stream in, or by gui.runs.replay from a run folder. Every buffer is bounded, so a long run cannot grow the
window's memory or the plots' drawing time without limit. `versions` counts the changes to
each part ("steps", "evals", "probes", "predictions", "status"); a plot redraws on its timer
only when a part it shows has changed, so the gate plots stay still while steps stream in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .events import EventType, RunStatus

LOSS_CAPACITY = 20_000  # training-loss points kept; past it every other point is dropped
PROBE_CAPACITY = 400  # probe records kept; past it every other one (but the last) is dropped
SMOOTHING = 0.95  # weight of the past in the smoothed training loss (debiased EMA)
PARTS = ("steps", "evals", "probes", "predictions", "status")
EVENT_PARTS = {
    EventType.EVAL: "evals",
    EventType.PROBE: "probes",
    EventType.PREDICTIONS: "predictions",
    EventType.STATUS: "status",
    EventType.DONE: "status",
}


class LossSeries:
    """Training loss by step, raw and smoothed. The smoothing sees every step; storage keeps
    every `stride`-th step, and the stride doubles whenever the buffer fills up."""

    def __init__(self, capacity: int = LOSS_CAPACITY):
        self.capacity, self.stride, self.size = capacity, 1, 0
        self._steps = np.zeros(capacity, np.int64)
        self._raw = np.zeros(capacity, np.float64)
        self._smooth = np.zeros(capacity, np.float64)
        self._average, self._count = 0.0, 0

    def extend(self, steps: np.ndarray, losses: np.ndarray) -> None:
        for step, loss in zip(steps.tolist(), losses.tolist()):
            self._count += 1
            self._average = SMOOTHING * self._average + (1 - SMOOTHING) * loss
            if (self._count - 1) % self.stride == 0:
                self._store(step, loss, self._average / (1 - SMOOTHING**self._count))

    def _store(self, step: int, loss: float, smooth: float) -> None:
        if self.size == self.capacity:
            keep = slice(0, self.size, 2)
            for buffer in (self._steps, self._raw, self._smooth):
                kept = buffer[keep].copy()
                buffer[: len(kept)] = kept
            self.size, self.stride = len(kept), self.stride * 2
        self._steps[self.size], self._raw[self.size], self._smooth[self.size] = step, loss, smooth
        self.size += 1

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self.size]

    @property
    def raw(self) -> np.ndarray:
        return self._raw[: self.size]

    @property
    def smoothed(self) -> np.ndarray:
        return self._smooth[: self.size]


@dataclass
class EvalSeries:
    steps: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    metric_name: str | None = None
    baselines: dict[str, float] = field(default_factory=dict)  # forecasters: name -> loss (engine.baselines)

    def add(self, event: dict[str, Any]) -> None:
        self.steps.append(int(event["step"]))
        self.val_loss.append(float(event["val_loss"]))
        self.metric.append(np.nan if event.get("metric") is None else float(event["metric"]))
        self.metric_name = event.get("metric_name") or self.metric_name
        self.baselines = {name: float(value) for name, value in (event.get("baselines") or self.baselines).items()}


@dataclass
class RunData:
    """One run as the plots see it. `probe_index` picks the probe shown (None: the latest)."""

    title: str = ""
    loss_name: str = "loss"
    live: bool = False
    status: RunStatus = RunStatus.PREPARING
    message: str = ""
    run_dir: Path | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    loss: LossSeries = field(default_factory=LossSeries)
    grad_norm: LossSeries = field(default_factory=LossSeries)
    evals: EvalSeries = field(default_factory=EvalSeries)
    probes: list[dict[str, Any]] = field(default_factory=list)
    predictions: dict[str, Any] | None = None
    predictions_step: int | None = None
    probe_index: int | None = None
    last_step: int = 0
    versions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))

    def changed(self, part: str) -> None:
        self.versions[part] += 1

    # -- filling ------------------------------------------------------------------------
    def add_steps(self, steps: np.ndarray, losses: np.ndarray, grad_norms: np.ndarray) -> None:
        if len(steps):
            self.loss.extend(steps, losses)
            self.grad_norm.extend(steps, grad_norms)
            self.last_step = int(steps[-1])
            self.changed("steps")

    def add_event(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == EventType.EVAL:
            self.evals.add(event)
        elif kind == EventType.PROBE:
            self.add_probe(event["probe"])
        elif kind == EventType.PREDICTIONS:
            self.predictions, self.predictions_step = event["predictions"], int(event["step"])
        elif kind == EventType.STATUS:
            self.status, self.message = RunStatus(event["status"]), event["message"]
        elif kind == EventType.DONE:
            self.summary = event["summary"]
            self.run_dir = Path(event["run_dir"]) if event.get("run_dir") else None
        else:
            return
        self.changed(EVENT_PARTS[kind])

    def add_probe(self, record: dict[str, Any]) -> None:
        self.probes.append(record)
        if len(self.probes) > PROBE_CAPACITY:
            self.probes = self.probes[:-1:2] + self.probes[-1:]
            if self.probe_index is not None:
                self.probe_index = min(self.probe_index // 2, len(self.probes) - 1)

    def fail(self, message: str) -> None:
        self.status, self.message = RunStatus.FAILED, message
        self.changed("status")

    def select_probe(self, index: int | None) -> None:
        """Show probe `index`; None (or the last index while live) follows the latest."""
        if index is not None and self.live and index >= len(self.probes) - 1:
            index = None
        if index != self.probe_index:
            self.probe_index = index
            self.changed("probes")

    # -- reading ------------------------------------------------------------------------
    @property
    def current_probe_index(self) -> int | None:
        if not self.probes:
            return None
        return len(self.probes) - 1 if self.probe_index is None else min(self.probe_index, len(self.probes) - 1)

    def current_probe(self) -> dict[str, Any] | None:
        index = self.current_probe_index
        return None if index is None else self.probes[index]

    def probes_until_current(self) -> list[dict[str, Any]]:
        index = self.current_probe_index
        return [] if index is None else self.probes[: index + 1]

    def block_ids(self) -> list[str]:
        probe = self.current_probe()
        return list(probe["blocks"]) if probe else []


def loss_label(project) -> str:
    """The loss axis label for a project: what its head optimises, as the head's spec says."""
    for node in project.graph.nodes():
        if node.spec.head is not None:
            return f"loss ({node.spec.head.loss(node.params).axis})"
    return "loss"
