"""Application start-up: the QApplication, theme, settings, recovery store and window.

`run(project)` is what `main.py` calls with no sub-command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication

from .icons import app_icon
from .main_window import APP_NAME, MainWindow
from .recovery import RecoveryStore
from .settings import AppSettings
from .theme import apply_theme

ORGANISATION = "Recurrent Studio"
WARM_UP_DELAY_MS = 300


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setWindowIcon(app_icon())
    apply_theme(app)
    return app


def default_recovery_store() -> RecoveryStore:
    base = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    return RecoveryStore(Path(base) / "recovery")


def run(project: Path | None = None) -> int:
    """Open the window (with `project`, recovered work, or an example on first start)."""
    app = create_application()
    window = MainWindow(AppSettings(QSettings()), default_recovery_store(), defer_training=True)
    window.show()
    window.files.start(project)
    # Once the window is up: the plots and run controls (pyqtgraph), then a worker process
    # that imports torch and the engine for the first run.
    QTimer.singleShot(0, window.install_training)
    QTimer.singleShot(WARM_UP_DELAY_MS, lambda: window.install_training().session.warm_up())
    return app.exec()
