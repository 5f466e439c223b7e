"""Opened runs: a run folder read back into the RunData the plots show, the probe slider that
replays a run's probes, and predictions computed from a run's saved weights.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from engine.probe_store import ProbeStoreError, load_probes
from engine.run_data import RunData, loss_label
from engine.runs import PROBES, load_run

from ..plots.run_view import RunView


def run_label(run_dir: Path) -> str:
    """'2026-11-21 23:26:25' for runs/20261121-232625-<project>[-n] (its start), else the name."""
    match = re.match(r"(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-.*?(-\d+)?$", run_dir.name)
    if not match:
        return run_dir.name
    year, month, day, hour, minute, second, number = match.groups()
    return f"{year}-{month}-{day} {hour}:{minute}:{second}{f' ({number[1:]})' if number else ''}"


def load_run_data(run_dir: Path | str, with_probes: bool = True) -> RunData:
    """A run folder as RunData (raises engine.runs.RunFolderError). A run without probe
    records opens with its losses only."""
    record = load_run(run_dir)
    summary = record.summary
    data = RunData(
        title=run_label(record.path),
        loss_name=loss_label(record.project),
        status=record.status,
        message="; ".join(part for part in (summary.get("message", ""), *record.problems) if part),
        run_dir=record.path,
        summary=summary,
    )
    steps = record.steps
    data.add_steps(
        np.array([e["step"] for e in steps], np.int64),
        np.array([e["loss"] for e in steps], np.float64),
        np.array([e["grad_norm"] for e in steps], np.float64),
    )
    for event in record.evals:
        data.add_event(event)
    if with_probes:
        damaged: list[str] = []  # a damaged probe file is named; the other probes still show
        try:
            for probe in load_probes(record.path, damaged):
                data.add_probe(probe)
        except ProbeStoreError as error:
            if (record.path / PROBES).is_dir():  # no folder: probes were off, or the run died first
                damaged.append(str(error))
        if damaged:
            data.message = "; ".join(part for part in (data.message, *damaged) if part)
    return data


def predictions_from_run(run_dir: Path | str) -> dict[str, Any]:
    """engine.predictions on a run's saved weights and its project's validation data."""
    from engine.data import load_dataset
    from engine.predictions import predictions
    from engine.run_model import trained_model

    record = load_run(run_dir)
    project = record.project
    data = load_dataset(project.data, project.base_dir, seed=project.training["seed"])
    return predictions(trained_model(record, data.signature), data)


class ProbeSlider(QWidget):
    """A slider over the displayed run's probes; at the right end a live run follows the latest."""

    def __init__(self, view: RunView):
        super().__init__()
        self.view = view
        self.slider = QSlider(
            Qt.Horizontal, toolTip="Replay the probes: how gates, hidden states and gradients changed during training"
        )
        self.slider.setPageStep(1)
        self.label = QLabel("no probes", objectName="dim")
        self.label.setMinimumWidth(130)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Probe"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        self.slider.valueChanged.connect(self._moved)
        view.tick.connect(self._sync)

    def _moved(self, index: int) -> None:
        self.view.data.select_probe(index)

    def _sync(self) -> None:
        """Follow the run's probe list as it grows (called on the view's tick)."""
        data = self.view.data
        count, current = len(data.probes), data.current_probe_index
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(count - 1, 0))
        self.slider.setValue(current or 0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(count > 1)
        text = "no probes" if current is None else f"step {data.probes[current]['step']} ({current + 1} of {count})"
        if text != self.label.text():
            self.label.setText(text)
