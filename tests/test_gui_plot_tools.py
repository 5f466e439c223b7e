"""Plots a person can read: the loss on a log axis by default with its legend under the
plot, and every plot panel's tools (legend on/off, enlarge and back, PNG and CSV export)."""

from __future__ import annotations

import csv
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QStandardPaths  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage  # noqa: E402
from PySide6.QtWidgets import QToolButton  # noqa: E402

from gui.testing import dialogs, window  # noqa: E402,F401

QStandardPaths.setTestModeEnabled(True)


def show_a_falling_loss(trainer):
    data = type(trainer.session.data)(title="made up")
    steps = np.arange(1, 1001)
    data.add_steps(steps, 10.0 * np.exp(-steps / 100), np.ones(1000))
    trainer.view.show(data)
    return data


def test_the_loss_is_on_a_log_axis_with_the_legend_off_the_curves(window, qtbot):
    trainer = window.training
    trainer.docks["loss"].show()
    trainer.docks["loss"].raise_()
    show_a_falling_loss(trainer)
    loss = trainer.panels["loss"]
    qtbot.waitUntil(lambda: loss.raw.getData()[0] is not None, timeout=3000)
    assert loss.log_scale.isChecked() and loss.plot.getAxis("left").logMode
    legend_area = loss.legend.sceneBoundingRect()
    assert legend_area.height() > 0 and not legend_area.intersects(loss.plot.vb.sceneBoundingRect())


def test_plot_tools_hide_the_legend_enlarge_and_export(window, qtbot, tmp_path):
    trainer = window.training
    trainer.docks["loss"].show()
    trainer.docks["loss"].raise_()
    show_a_falling_loss(trainer)
    loss = trainer.panels["loss"]
    qtbot.waitUntil(lambda: loss.raw.getData()[0] is not None, timeout=3000)
    tools = loss.tools
    tools.legend.trigger()
    assert not loss.legend.isVisible()
    tools.legend.trigger()
    assert loss.legend.isVisible()

    tools.enlarge.trigger()
    dock, screen = trainer.docks["loss"], QGuiApplication.primaryScreen().availableGeometry()
    assert dock.isFloating() and dock.width() >= 0.7 * screen.width() and tools.enlarge.text() == "Dock"
    tools.enlarge.trigger()
    assert not dock.isFloating()

    png = tools.export_png(tmp_path / "loss.png")
    assert png is not None and QImage(str(png)).width() > 100
    rows = list(csv.reader((tools.export_csv(tmp_path / "loss.csv")).open()))
    assert rows[0] == ["plot", "curve", "x", "y"]
    raw = [row for row in rows[1:] if row[1] == "training (raw)"]
    assert len(raw) == 1000 and float(raw[0][2]) == 1.0 and abs(float(raw[0][3]) - 10 * np.exp(-0.01)) < 1e-9


def test_every_plot_panel_shows_the_tools(window, qtbot):
    qtbot.wait(100)
    for panel in window.training.panels.values():
        texts = [action.text() for action in panel.tools.menu().actions() if action.text()]
        assert texts == ["Show Legend", "Enlarge", "Save as PNG…", "Save Values as CSV…"]
        assert isinstance(panel.tools, QToolButton) and panel.tools.isVisibleTo(panel)


def test_the_training_layout_gives_the_plots_the_room_and_goes_back(window, qtbot):
    qtbot.wait(300)  # the first-start layout is made once the window is up
    trainer, palette = window.training, window.findChild(type(window.training.docks["loss"]), "dock_blocks")
    trainer.docks["loss"].raise_()
    qtbot.wait(100)
    before_height = trainer.docks["loss"].height()
    assert palette.isVisible()
    trainer.layout_mode.action.trigger()
    qtbot.wait(300)
    assert not palette.isVisible() and trainer.docks["loss"].height() > before_height
    trainer.layout_mode.action.trigger()
    qtbot.wait(300)
    assert palette.isVisible() and abs(trainer.docks["loss"].height() - before_height) <= 30  # a tab bar


def test_a_run_with_a_metric_shows_it_on_the_second_axis(window, qtbot):
    trainer = window.training
    trainer.docks["loss"].show()
    trainer.docks["loss"].raise_()
    data = show_a_falling_loss(trainer)
    data.add_event(
        {"type": "eval", "step": 10, "val_loss": 0.5, "metric": 0.8, "metric_name": "accuracy", "train_loss": 0.6}
    )
    loss = trainer.panels["loss"]
    qtbot.waitUntil(lambda: loss.metric_curve.getData()[0] is not None, timeout=3000)
    assert loss.plot.getAxis("right").isVisible() and list(loss.metric_curve.getData()[1]) == [80.0]
