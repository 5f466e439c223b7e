"""The Runs panel: the project's run folders with status, steps, final losses and duration;
open one into the plots, tick several to overlay their losses, and replay probes with the
slider under the list.

The list reads only each folder's summary.json (cheap for many runs); opening a run reads
its metrics and probes. A run that died in this session shows the reason it died.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.events import RunStatus
from engine.run_data import RunData
from engine.runs import RunFolderError, list_runs
from engine.runs import read_summary as read_run_summary

from ..plots.run_view import RunView
from .replay import ProbeSlider, load_run_data, run_label
from .run_files import last_step_metrics

COLUMNS = ("Started", "Status", "Steps", "Train loss", "Val loss", "Time")
STATUS_COLORS = {  # a run's status (engine.events.RunStatus), or how its worker process died
    RunStatus.FINISHED: "#56c28a",
    RunStatus.STOPPED: "#f0a33a",
    RunStatus.DIVERGED: "#ef5b5b",
    RunStatus.FAILED: "#ef5b5b",
    "terminated": "#ef5b5b",
    "killed": "#ef5b5b",
    RunStatus.INTERRUPTED: "#ef5b5b",
    RunStatus.RUNNING: "#5aa2ff",
}


def read_summary(run_dir: Path) -> dict:
    """The row's summary; a damaged one (or one from a newer version) shows as such, never raises."""
    try:
        return read_run_summary(run_dir)
    except RunFolderError as error:
        return {"status": "damaged", "message": str(error)}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def loss_text(value) -> str:
    return "" if value is None else f"{value:.4g}"


class RunsPanel(QWidget):
    def __init__(self, view: RunView, show_live: Callable[[], None]):
        super().__init__()
        self.view, self._show_live = view, show_live
        self.root: Path | None = None
        self.live_run: Path | None = None  # the folder the run in progress writes
        self.failures: dict[Path, str] = {}  # why runs of this session died
        self._overlay_cache: dict[Path, RunData] = {}
        self.where = QLabel(objectName="dim", wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.tree = QTreeWidget(rootIsDecorated=False, alternatingRowColors=True, uniformRowHeights=True)
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setToolTip("Double-click a run to show it in the plots; tick runs to overlay their losses")
        self.tree.itemDoubleClicked.connect(lambda item: self.open_run(item.data(0, Qt.UserRole)))
        self.tree.itemChanged.connect(self._overlays_changed)
        self.showing = QLabel(objectName="dim")
        self.slider = ProbeSlider(view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.where)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self._buttons())
        layout.addWidget(self.showing)
        layout.addWidget(self.slider)
        view.tick.connect(self._show_title)

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, slot, tip in (
            ("Open", self._open_selected, "Show the selected run in the plots"),
            ("Live run", self._show_live, "Show the current (or last) run started here"),
            ("Refresh", self.refresh, "Read the runs folder again"),
        ):
            button = QPushButton(text, toolTip=tip)
            button.clicked.connect(lambda checked=False, s=slot: s())
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _show_title(self) -> None:
        data = self.view.data
        text = f"Showing: {data.title} ({data.status})" if data.title else "Showing: no run yet"
        if text != self.showing.text():
            self.showing.setText(text)

    # -- the list -----------------------------------------------------------------------
    def set_root(self, root: Path, note: str = "") -> None:
        self.root = root
        self.where.setText(note or f"Runs in {root}")
        self.view.set_overlays([])
        self.refresh()

    def refresh(self) -> None:
        self.tree.blockSignals(True)
        ticked = set(self.overlay_paths())
        self.tree.clear()
        for run_dir in reversed(list_runs(self.root) if self.root else []):
            self.tree.addTopLevelItem(self._item(run_dir, run_dir in ticked))
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self.tree.blockSignals(False)

    def _item(self, run_dir: Path, ticked: bool) -> QTreeWidgetItem:
        summary = read_summary(run_dir)
        if "steps" not in summary:  # it died before its summary: show how far it got
            summary = {**last_step_metrics(run_dir), **summary}
        status = RunStatus.RUNNING if run_dir == self.live_run else summary.get("status", "unknown")
        message = self.failures.get(run_dir) or summary.get("message", "")
        if run_dir in self.failures:
            status = RunStatus.FAILED
        steps = summary.get("steps")
        item = QTreeWidgetItem(
            [
                run_label(run_dir),
                status,
                "" if steps is None else str(steps),
                loss_text(summary.get("train_loss")),
                loss_text(summary.get("val_loss")),
                duration(summary.get("seconds")),
            ]
        )
        item.setData(0, Qt.UserRole, run_dir)
        item.setCheckState(0, Qt.Checked if ticked else Qt.Unchecked)
        item.setForeground(1, QColor(STATUS_COLORS.get(status, "#8e96a3")))
        for column in range(len(COLUMNS)):
            item.setToolTip(column, f"{run_dir.name}: {message or status}")
        return item

    def items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def overlay_paths(self) -> list[Path]:
        return [item.data(0, Qt.UserRole) for item in self.items() if item.checkState(0) == Qt.Checked]

    def note_failure(self, run_dir: Path | None, message: str) -> None:
        if run_dir is not None:
            self.failures[run_dir] = message
        self.refresh()

    # -- opening and overlays -----------------------------------------------------------
    def _open_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.open_run(item.data(0, Qt.UserRole))

    def open_run(self, run_dir: Path) -> RunData | None:
        try:
            data = load_run_data(run_dir)
        except RunFolderError as error:
            QMessageBox.warning(self, "Cannot open run", str(error))
            return None
        if run_dir in self.failures:
            data.fail(self.failures[run_dir])
        data.probe_index = len(data.probes) - 1 if data.probes else None
        self.view.show(data)
        return data

    def _overlays_changed(self) -> None:
        runs = []
        for path in self.overlay_paths():
            if path not in self._overlay_cache:
                try:
                    self._overlay_cache[path] = load_run_data(path, with_probes=False)
                except RunFolderError:
                    continue
            runs.append(self._overlay_cache[path])
        self.view.set_overlays(runs)
