"""Runs in the window: the run list, opening a run trained headless and replaying its probes
with the slider, overlaying losses, predictions from saved weights, a small comparison in a
real training process, and the code view."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from gui_run_helpers import RUN_TIMEOUT_MS, open_in_window, tiny_project  # noqa: E402
from PySide6.QtCore import QStandardPaths, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage  # noqa: E402

from engine.export import MISSING_ONNX, onnx_available  # noqa: E402
from engine.project import Project, load_project  # noqa: E402
from engine.training import train  # noqa: E402
from gui.code_view import CodeViewDialog  # noqa: E402
from gui.compare_dialog import CompareDialog  # noqa: E402
from gui.runs.replay import run_label  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401

QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(scope="module")
def headless_runs(tmp_path_factory):
    """A saved project and two headless runs of it (as `python main.py train` makes them)."""
    folder = tmp_path_factory.mktemp("project")
    project = tiny_project(folder)
    runs = [train(project, runs_dir=folder / "runs", overrides={"seed": seed}).run_dir for seed in (0, 1)]
    return project.path, runs


@pytest.fixture
def two_runs(headless_runs):
    """A fresh copy of the project (the window may edit it) and its two run folders."""
    path, runs = headless_runs
    return load_project(path), runs


def test_the_run_list_shows_headless_runs_and_a_run_opens_with_its_probes(window, qtbot, two_runs):
    project, runs = two_runs
    open_in_window(window, project)
    trainer = window.training
    items = trainer.runs.items()
    assert [item.data(0, Qt.UserRole) for item in items] == runs[::-1]  # newest first
    assert [items[0].text(column) for column in (1, 2)] == ["finished", "40"]

    trainer.runs.tree.itemDoubleClicked.emit(items[-1], 0)
    data = trainer.view.data
    assert data.run_dir == runs[0] and len(data.probes) == 9 and data.loss.size == 40
    trainer.docks["gates"].raise_()
    gates, slider = trainer.panels["gates"], trainer.runs.slider
    qtbot.waitUntil(lambda: slider.slider.maximum() == 8 and gates.image.image is not None, timeout=3000)
    last = gates.image.image.copy()
    assert slider.slider.value() == 8 and "step 40" in slider.label.text()

    slider.slider.setValue(0)
    qtbot.waitUntil(lambda: not np.array_equal(gates.image.image, last), timeout=3000)
    assert "step 0 (1 of 9)" in slider.label.text()
    assert len(gates.low.getData()[0]) == 1
    hidden = trainer.panels["hidden"]
    trainer.docks["hidden"].raise_()
    qtbot.waitUntil(lambda: len(hidden.points.data) > 0, timeout=3000)
    first = hidden.points.data["x"].copy()
    slider.slider.setValue(8)
    qtbot.waitUntil(lambda: not np.array_equal(hidden.points.data["x"], first), timeout=3000)


def test_ticked_runs_are_overlaid_on_the_loss_plot(window, qtbot, two_runs):
    project, runs = two_runs
    open_in_window(window, project)
    trainer = window.training
    for item in trainer.runs.items():
        item.setCheckState(0, Qt.Checked)
    loss = trainer.panels["loss"]
    qtbot.waitUntil(lambda: len(loss.overlay_curves) == 2, timeout=3000)
    assert {loss.legend.getLabel(curve).text for curve in loss.overlay_curves} == {run_label(run) for run in runs}
    trainer.runs.items()[0].setCheckState(0, Qt.Unchecked)
    qtbot.waitUntil(lambda: len(loss.overlay_curves) == 1, timeout=3000)


def test_an_opened_run_computes_its_predictions_from_its_weights(window, qtbot, two_runs):
    project, runs = two_runs
    open_in_window(window, project)
    trainer = window.training
    trainer.runs.open_run(runs[0])
    trainer.docks["predictions"].raise_()
    panel = trainer.panels["predictions"]
    qtbot.waitUntil(lambda: panel.compute_button.isVisible(), timeout=3000)
    panel.compute_button.click()
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.pages["regression"], timeout=10_000)
    assert len(panel.pages["regression"].scatter.data) == 32


def test_a_small_comparison_runs_and_exports_its_table_and_plot(qtbot, tmp_path):
    project = tiny_project(tmp_path, steps=10)
    dialog = CompareDialog(None, project, tmp_path / "runs")
    qtbot.addWidget(dialog)
    dialog.show()
    for cell, box in dialog.cells.items():  # every recurrent cell of the catalogue is offered
        box.setChecked(cell in ("RNN", "GRU"))
    assert "train the project once" in dialog.estimate.text()  # no run yet: no pace to go by
    dialog.steps.setValue(10)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.process.running, timeout=RUN_TIMEOUT_MS)

    assert dialog.table.rowCount() == 2, dialog.status.text()
    assert dialog.run_button.isEnabled() and not dialog.stop_button.isEnabled()
    assert [dialog.table.item(row, 0).text() for row in range(2)] == ["RNN 8", "GRU 8"]
    assert all(dialog.table.item(row, 5).text() == "finished" for row in range(2))
    assert all(curves.loss.size == 10 for curves in dialog.variants.values())
    table = dialog.export_csv(tmp_path / "table.csv")
    rows = list(csv.DictReader(table.open()))
    assert [row["cell"] for row in rows] == ["RNN", "GRU"] and all(float(row["val_loss"]) > 0 for row in rows)
    picture = dialog.export_png(tmp_path / "plot.png")
    assert not QImage(str(picture)).isNull()
    assert (dialog.out_dir / "comparison.csv").exists()
    dialog.done(0)  # the worker goes with the dialog


def test_the_comparison_starts_from_a_short_budget_with_a_time_estimate(qtbot, tmp_path, headless_runs):
    path, runs = headless_runs
    project = load_project(path)
    project.training["steps"] = 20_000
    dialog = CompareDialog(None, project, runs[0].parent)
    qtbot.addWidget(dialog)
    assert dialog.steps.value() == 2_000
    assert "variants, about" in dialog.estimate.text() and "at the last run's pace" in dialog.estimate.text()


def test_the_code_view_shows_the_source_and_exports(qtbot, two_runs, tmp_path):
    project, runs = two_runs
    dialog = CodeViewDialog(None, project, runs[0])
    qtbot.addWidget(dialog)
    source = dialog.editor.toPlainText()
    assert "class RecurrentModel(nn.Module)" in source and "self.memory = nn.LSTM(" in source
    assert dialog.source.currentData() == "run" and dialog.weights_button.isEnabled()
    dialog.copy()
    assert QGuiApplication.clipboard().text() == source
    saved = dialog.save_source(tmp_path / "model.py")
    assert saved.read_text() == source
    assert dialog.export_weights(tmp_path / "weights.safetensors").stat().st_size > 0
    if not onnx_available():
        assert dialog.export_onnx(tmp_path / "model.onnx") is None and dialog.status.text() == MISSING_ONNX
    dialog.source.setCurrentIndex(dialog.source.findData("project"))
    assert not dialog.weights_button.isEnabled() and "Train the model" in dialog.status.text()


def test_the_run_menu_holds_the_run_controls_and_unsaved_runs_have_a_home(window):
    texts = [action.text().replace("&", "") for action in window.run_menu.actions() if not action.isSeparator()]
    assert texts == ["Train", "Pause", "Stop", "Compare Cells…", "Show Code…", "Export Trained Model"]
    controls = window.training.controls
    assert [key.toString() for key in controls.train.shortcuts()] == ["Ctrl+R", "F5"]
    assert [key.toString() for key in controls.stop.shortcuts()] == ["Shift+F5", "Ctrl+."]
    assert controls.train.isEnabled() and not controls.pause.isEnabled() and not controls.stop.isEnabled()
    window.editor.set_project(Project(name="sketch"))
    assert "no file yet" in window.training.runs.where.text()
