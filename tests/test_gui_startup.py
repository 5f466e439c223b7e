"""Start-up shows the window before the heavy parts: the plots and run controls (pyqtgraph)
are installed once the window is up, and find the project already open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402

from gui.main_window import MainWindow  # noqa: E402
from gui.recovery import RecoveryStore  # noqa: E402
from gui.settings import AppSettings  # noqa: E402
from gui.testing import dialogs, small_project  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[1]
QStandardPaths.setTestModeEnabled(True)


def test_the_window_module_does_not_import_pyqtgraph():
    code = "import sys, gui.app, gui.main_window; sys.exit('pyqtgraph' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0


def test_training_installed_after_the_window_shows_follows_the_open_project(qtbot, tmp_path, dialogs):
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    window = MainWindow(settings, RecoveryStore(tmp_path / "recovery"), defer_training=True)
    qtbot.addWidget(window, before_close_func=lambda widget: widget.editor.mark_saved())
    window.show()
    assert window.training is None and not window.menus.run.menuAction().isVisible()
    window.editor.set_project(small_project())
    trainer = window.install_training()
    assert window.install_training() is trainer  # once
    assert window.menus.run.menuAction().isVisible() and "no file yet" in trainer.runs.where.text()
    assert trainer.project_runs.root.parent.name == "unsaved-runs"


def _deferred_window(qtbot, tmp_path):
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    window = MainWindow(settings, RecoveryStore(tmp_path / "recovery"), defer_training=True)
    qtbot.addWidget(window, before_close_func=lambda widget: widget.editor.mark_saved())
    return window


def test_the_training_parts_wait_for_the_windows_first_paint(qtbot, tmp_path, dialogs):
    from PySide6.QtCore import QEvent, QObject

    from gui.app import AfterFirstPaint

    window, order = _deferred_window(qtbot, tmp_path), []

    class PaintSeen(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Paint and not order:
                order.append("painted")
            return False

    seen = PaintSeen(window)
    window.installEventFilter(seen)
    AfterFirstPaint(window, lambda: order.append("installed"))
    window.show()
    qtbot.waitUntil(lambda: "installed" in order, timeout=5000)
    assert order == ["painted", "installed"]


def test_a_window_that_is_never_painted_still_gets_its_training_parts(qtbot, tmp_path, dialogs, monkeypatch):
    import gui.app

    monkeypatch.setattr(gui.app, "FIRST_PAINT_FALLBACK_MS", 50)
    monkeypatch.setattr(gui.app, "WARM_UP_DELAY_MS", 10**6)  # no worker process in this test
    window = _deferred_window(qtbot, tmp_path)
    gui.app.AfterFirstPaint(window, lambda: gui.app.finish_start_up(window))  # not shown: no paint
    qtbot.waitUntil(lambda: window.training is not None, timeout=5000)
    gui.app.finish_start_up(window)  # a second call changes nothing


def test_before_any_project_is_opened_the_inspector_shows_the_editors_project(qtbot, tmp_path, dialogs):
    window = _deferred_window(qtbot, tmp_path)  # what a big data file's reading lets paint
    rate = window.inspector.project_form.training_form.widget("learning_rate")
    assert rate.value() == window.editor.project.training["learning_rate"] > 1e-7  # not the field's floor
