"""The Compare dialog: train the project once per recurrent cell (RNN, LSTM, GRU) and per
hidden size — or with hidden sizes matched to the project's parameter count — one after
another in a training process, with the loss curves overlaid and a table of parameters,
time per step and final losses; the table exports as CSV and the plot as PNG.

The work is engine.compare.compare_cells, run by gui.training.child's "compare" job. Every
recurrent block of the model takes the chosen cell together (that is what compare_cells
varies), so the block list is shown for information.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from engine.cells.variants import variant_help, variant_names
from engine.compare import CELLS, CSV_FIELDS, parse_hidden_sizes, recurrent_ids
from engine.file_names import safe_stem
from engine.run_data import LossSeries, loss_label
from engine.runs import list_runs

from .plots.common import add_legend, log_friendly_axes, series_color, style_plot
from .runs.run_list import read_summary
from .training.controls import clock
from .training.process import TrainingProcess

TABLE_COLUMNS = (
    ("label", "Variant"),
    ("parameters", "Parameters"),
    ("seconds_per_step", "Time per step"),
    ("train_loss", "Train loss"),
    ("val_loss", "Val loss"),
    ("status", "Status"),
)
REDRAW_MS = 100
DEFAULT_STEPS = 2_000  # per variant; the project's own budget may be ten times that


def last_seconds_per_step(runs_root: Path) -> float | None:
    """Seconds per training step of the newest run under `runs_root` that says so."""
    for run_dir in reversed(list_runs(runs_root)):
        pace = read_summary(run_dir).get("seconds_per_step")
        if isinstance(pace, (int, float)) and pace > 0:
            return float(pace)
    return None


PLOT_TITLE = "solid: training loss (smoothed) · dashed: validation loss"


class VariantCurves:
    """One variant's training and validation loss, and its two curves on the plot."""

    def __init__(self, plot: pg.PlotItem, label: str, index: int):
        colour = series_color(index)
        self.loss = LossSeries()
        self.eval_steps: list[int] = []
        self.eval_losses: list[float] = []
        self.train = plot.plot(pen=pg.mkPen(colour, width=2), name=label)
        self.validation = plot.plot(
            pen=pg.mkPen(colour, width=1.5, style=Qt.DashLine),
            symbol="o",
            symbolSize=5,
            symbolBrush=colour,
            symbolPen=None,
        )

    def draw(self) -> None:
        self.train.setData(self.loss.steps, self.loss.smoothed)
        self.validation.setData(np.asarray(self.eval_steps), np.asarray(self.eval_losses))


class CompareDialog(QDialog):
    def __init__(self, parent, project, runs_root: Path):
        super().__init__(parent)
        self.setWindowTitle("Compare cells")
        self.setObjectName("compareDialog")
        self.resize(1100, 720)
        self.project, self.runs_root = project, Path(runs_root)
        self.process = TrainingProcess(self)
        self.process.items_received.connect(self._on_items)
        self.process.ended.connect(self._on_ended)
        self.variants: dict[int, VariantCurves] = {}
        self.rows: list[dict] = []
        self._dirty = False
        self._redraw_timer = QTimer(self, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)
        self._build()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        blocks = recurrent_ids(self.project)
        self.cells = {cell: QCheckBox(cell, checked=True) for cell in CELLS}
        self.sizes = QLineEdit(
            placeholderText="as in the project",
            toolTip="Hidden sizes to try, e.g. 16, 32 (every recurrent block takes each size)",
        )
        self.match = QCheckBox(
            "Match the project's parameter count",
            toolTip="Size each cell's hidden layers so every variant has about as many parameters",
        )
        self.match.toggled.connect(lambda on: self.sizes.setEnabled(not on))
        # A comparison trains several models: start from a budget that ends in minutes.
        self.steps = QSpinBox(minimum=1, maximum=10_000_000, value=min(self.project.training["steps"], DEFAULT_STEPS))
        self.estimate = QLabel(objectName="dim")
        self.steps.valueChanged.connect(self._show_estimate)
        for box in self.cells.values():
            box.toggled.connect(self._show_estimate)
        form = QFormLayout()
        form.addRow(
            "Recurrent blocks",
            QLabel(
                ", ".join(blocks) or "none: add an RNN, LSTM or GRU block",
                wordWrap=True,
                toolTip="Every recurrent block takes the cell tried",
            ),
        )
        cells_row = QHBoxLayout()
        for box in self.cells.values():
            cells_row.addWidget(box)
        cells_row.addStretch(1)
        form.addRow("Cells", cells_row)
        drawn_row = QHBoxLayout()  # drawn cells (engine.cells.variants), off unless chosen
        for name in variant_names():
            box = self.cells[name] = QCheckBox(name, checked=False, toolTip=variant_help(name))
            drawn_row.addWidget(box)
        drawn_row.addStretch(1)
        form.addRow("Drawn cells", drawn_row)
        form.addRow("Hidden sizes", self.sizes)
        form.addRow("", self.match)
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.steps)
        steps_row.addWidget(self.estimate, 1)
        form.addRow("Steps per variant", steps_row)
        self._show_estimate()
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = style_plot(
            self.graphics.addPlot(axisItems=log_friendly_axes()), PLOT_TITLE, "training step", loss_label(self.project)
        )
        add_legend(self.plot)
        self.log_scale = QCheckBox("Log scale", toolTip="Show the losses on a logarithmic axis")
        self.log_scale.toggled.connect(self._set_log)
        form.addRow("Plot", self.log_scale)
        self.table = QTableWidget(0, len(TABLE_COLUMNS), minimumHeight=120)
        self.table.setHorizontalHeaderLabels([title for _, title in TABLE_COLUMNS])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.status = QLabel(objectName="dim", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.graphics, 3)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(self._buttons(bool(blocks)))

    def _buttons(self, can_run: bool) -> QHBoxLayout:
        self.run_button = QPushButton("Run comparison", enabled=can_run, default=True)
        self.stop_button = QPushButton("Stop", enabled=False)
        self.csv_button = QPushButton("Export table (CSV)…", enabled=False)
        self.png_button = QPushButton("Export plot (PNG)…")
        self.report_button = QPushButton("Save report (HTML)…", enabled=False)
        self.report_button.setToolTip("The table, plots and verdicts on the cells' claims as one HTML file")
        close = QPushButton("Close")
        for button, slot in (
            (self.run_button, self.start),
            (self.stop_button, self.process.stop),
            (self.csv_button, self.export_csv),
            (self.png_button, self.export_png),
            (self.report_button, self.save_report),
            (close, self.close),
        ):
            button.clicked.connect(lambda checked=False, s=slot: s())
        row = QHBoxLayout()
        for button in (self.run_button, self.stop_button):
            row.addWidget(button)
        row.addStretch(1)
        for button in (self.csv_button, self.png_button, self.report_button, close):
            row.addWidget(button)
        return row

    # -- running ------------------------------------------------------------------------
    def job(self) -> dict:
        cells = [cell for cell, box in self.cells.items() if box.isChecked()]
        if not cells:
            raise ValueError("choose at least one cell")
        text = self.sizes.text()
        sizes = [] if self.match.isChecked() or not text.strip() else parse_hidden_sizes(text)
        stem = safe_stem(self.project.name, "project")
        out_dir = self.runs_root / f"compare-{time.strftime('%Y%m%d-%H%M%S')}-{stem}"
        return {
            "kind": "compare",
            "project": self.project.to_dict(),
            "path": str(self.project.path) if self.project.path else None,
            "cells": cells,
            "hidden_sizes": sizes,
            "match_params": self.match.isChecked(),
            "steps": self.steps.value(),
            "out_dir": str(out_dir),
        }

    def start(self) -> None:
        try:
            job = self.job()
        except ValueError as error:
            QMessageBox.warning(self, "Cannot compare", str(error))
            return
        self._clear()
        self.process.start(job)
        self.out_dir = Path(job["out_dir"])
        self.status.setText("Starting the training process…")
        self._set_running(True)

    def _clear(self) -> None:
        for curves in self.variants.values():
            self.plot.removeItem(curves.train)
            self.plot.removeItem(curves.validation)
        self.plot.legend.clear()
        self.variants, self.rows = {}, []
        self.table.setRowCount(0)

    def _set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self.plot.steady_range.fresh = True
        self._dirty = True
        self._redraw()

    def _show_estimate(self) -> None:
        """The comparison's length at the pace of this project's last run, if it has one."""
        variants = sum(box.isChecked() for box in self.cells.values())
        pace = last_seconds_per_step(self.runs_root)
        if pace is None:
            self.estimate.setText(f"{variants} variants; train the project once to see how long they take")
        else:
            total = pace * self.steps.value() * variants
            self.estimate.setText(f"{variants} variants, about {clock(total)} at the last run's pace")

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.csv_button.setEnabled(not running and bool(self.rows))
        self.report_button.setEnabled(not running and bool(self.rows))
        if running:
            self._redraw_timer.start()
        else:
            self._redraw_timer.stop()
            self._redraw()

    def _on_items(self, items: list[dict]) -> None:
        for item in items:
            kind, index = item["type"], item.get("run_index")
            if kind == "variant":
                self.variants[index] = VariantCurves(self.plot, item["label"], index)
                self.status.setText(f"Training {item['label']} ({item['index'] + 1} of {item['variants']} cells)…")
            elif kind == "steps" and index in self.variants:
                self.variants[index].loss.extend(item["step"], item["loss"])
            elif kind == "eval" and index in self.variants:
                self.variants[index].eval_steps.append(item["step"])
                self.variants[index].eval_losses.append(item["val_loss"])
            elif kind == "variant_done":
                self._add_row({**item["result"], "label": item["label"]})
            self._dirty = True

    def _on_ended(self, completed: bool, message: str) -> None:
        self._set_running(False)
        if completed:
            self.status.setText(f"Done. Run folders and comparison.csv are in {self.out_dir}")
        else:
            self.status.setText(f"The comparison stopped: {message}")

    def _redraw(self) -> None:
        if self._dirty:
            self._dirty = False
            for curves in self.variants.values():
                curves.draw()
            self.plot.steady_range.follow()

    def _add_row(self, row: dict) -> None:
        self.rows.append(row)
        line = self.table.rowCount()
        self.table.insertRow(line)
        for column, (key, _) in enumerate(TABLE_COLUMNS):
            self.table.setItem(line, column, QTableWidgetItem(self._cell_text(key, row.get(key))))
        self.table.resizeColumnsToContents()

    @staticmethod
    def _cell_text(key: str, value) -> str:
        if value is None:
            return "–"
        if key == "seconds_per_step":
            return f"{1000 * value:.1f} ms"
        if key == "parameters":
            return f"{value:,}"
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    # -- export -------------------------------------------------------------------------
    def export_csv(self, path: Path | None = None) -> Path | None:
        path = path or self._ask_path("Export table", "comparison.csv", "CSV files (*.csv)")
        if path is not None:
            with open(path, "w", newline="", encoding="utf-8") as stream:
                writer = csv.DictWriter(stream, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
                writer.writeheader()
                writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in self.rows)
        return path

    def save_report(self, path: Path | None = None) -> Path | None:
        """The claims report of this comparison (engine.claims_report), one seed."""
        from engine.claims_report import results_from_rows, write_claims_report

        path = path or self._ask_path("Save report", "report.html", "HTML files (*.html)")
        if path is not None:
            target = next((row["target_loss"] for row in self.rows if row.get("target_loss") is not None), None)
            write_claims_report(path, self.project, [results_from_rows(self.rows)], target)
        return path

    def export_png(self, path: Path | None = None) -> Path | None:
        path = path or self._ask_path("Export plot", "comparison.png", "PNG images (*.png)")
        if path is not None and not self.graphics.grab().save(str(path)):
            QMessageBox.warning(self, "Export failed", f"{path} could not be written")
            return None
        return path

    def _ask_path(self, title: str, name: str, file_filter: str) -> Path | None:
        start = str(getattr(self, "out_dir", self.runs_root) / name)
        chosen, _ = QFileDialog.getSaveFileName(self, title, start, file_filter)
        return Path(chosen) if chosen else None

    def done(self, result: int) -> None:
        """Closing (Close, Escape, the title bar) stops a comparison that is still running."""
        if self.process.running:
            self.process.stop_and_wait()
        self.process.shutdown()  # its worker process goes with the dialog
        super().done(result)
