"""The status bar says the truth: counts in words ("1 block"), warnings counted, "training"
instead of "ready to train" while a run is on; the window fits on the screen; selecting a
block brings the Inspector to the front."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QByteArray  # noqa: E402
from PySide6.QtWidgets import QTabBar  # noqa: E402

from engine.project import Project  # noqa: E402
from gui.testing import dialogs, make_window, small_project, window  # noqa: E402,F401


def summary(window) -> str:
    return window._summary_label.text()


def test_counts_are_in_words_and_activity_replaces_ready(window):
    project = Project(data={"task": "adding", "params": {"length": 20}})
    project.graph.add_node("SequenceInput", node_id="input")
    window.editor.set_project(project)
    assert summary(window).startswith("1 block ·") and "problem" in summary(window)
    window.editor.set_project(small_project())
    assert "3 blocks" in summary(window) and "ready to train" in summary(window)
    window.set_activity("training")
    assert "ready to train" not in summary(window) and "training" in summary(window)
    window.set_activity("")
    assert "ready to train" in summary(window)


def test_warnings_are_counted(window):
    project = small_project()
    project.graph.add_node("Linear", position=(0.0, 400.0), node_id="spare")  # unconnected: a warning or a problem
    window.editor.set_project(project)
    analysis = window.editor.analysis
    warnings = len(analysis.diagnostics) - len(analysis.errors)
    if warnings:
        assert f"{warnings} warning" in summary(window)


def test_a_window_larger_than_the_screen_is_clamped(qtbot, tmp_path):
    first = make_window(tmp_path)
    screen = first.screen().availableGeometry()
    first.resize(screen.width() * 2, screen.height() * 2)
    first.move(screen.right() + 500, screen.bottom() + 500)
    first.settings.save_window(first.saveGeometry(), QByteArray())
    first.editor.mark_saved()
    first.close()
    again = make_window(tmp_path)
    qtbot.addWidget(again, before_close_func=lambda widget: widget.editor.mark_saved())
    assert again.width() <= screen.width() and again.height() <= screen.height()
    assert screen.contains(again.geometry().topLeft())


def test_selecting_a_block_raises_the_inspector(window, qtbot):
    window.editor.set_project(small_project())
    qtbot.wait(50)
    window.training.docks["runs"].raise_()
    assert front_tab(window, "Inspector") == "Runs"
    window.scene.select_nodes(["memory"])
    assert front_tab(window, "Inspector") == "Inspector"


def front_tab(window, title: str) -> str:
    """The tab in front in the tab bar that holds `title`."""
    [bar] = [b for b in window.findChildren(QTabBar) if title in [b.tabText(i) for i in range(b.count())]]
    return bar.tabText(bar.currentIndex())
