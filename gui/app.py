"""Application start-up: the QApplication, theme, settings, recovery store and window.

`run(project)` is what `main.py` calls with no sub-command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication

from .icons import app_icon
from .main_window import APP_NAME, MainWindow
from .recovery import RecoveryStore
from .settings import AppSettings
from .theme import apply_theme

ORGANISATION = "Recurrent Studio"
WARM_UP_DELAY_MS = 300
FIRST_PAINT_FALLBACK_MS = 2000  # a window that is never painted (minimised) still gets its docks
AFTER_PAINT_MS = 10  # past the paint pass and its flush to the screen, whoever else waits on it


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
    # Once the window has been painted: the plots and run controls (pyqtgraph), then a worker
    # process that imports torch and the engine for the first run. Before the first paint,
    # either would keep the user looking at nothing for a few hundred milliseconds more.
    AfterFirstPaint(window, lambda: finish_start_up(window))
    return app.exec()


def finish_start_up(window: MainWindow) -> None:
    if window.training is None:
        window.install_training()
        QTimer.singleShot(WARM_UP_DELAY_MS, window.training.session.warm_up)


class AfterFirstPaint(QObject):
    """Calls `then` once, as soon as the event loop has delivered `window`'s first paint (or
    after FIRST_PAINT_FALLBACK_MS, whichever comes first)."""

    def __init__(self, window, then):
        super().__init__(window)
        self._window, self._then = window, then
        window.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self._fire)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint:
            QTimer.singleShot(AFTER_PAINT_MS, self._fire)
        return False

    def _fire(self) -> None:
        if self._then is not None:
            self._window.removeEventFilter(self)
            then, self._then = self._then, None
            then()
