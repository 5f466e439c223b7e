"""Child process of bench/startup.py: one launch, timed to the main window's first paint.

`python bench/_startup_launcher.py app|minimal T0 [PROJECT]`, where T0 is the parent's
time.time() just before it started this process. An event filter on the main window (put
there as the window is shown) watches for its first Paint; a zero-delay timer then fires
once the event loop has finished that paint pass, prints one JSON line and exits at once
(os._exit: teardown is not start-up). "app" runs the real start-up, `main.main(["gui",
PROJECT])`, with MainWindow.show wrapped here to install the filter (a filter on the whole
application would add a Python call to each of the ~30,000 events of start-up); "minimal"
shows a QMainWindow with a QLabel. Nothing in gui/ knows about this.
"""

import os
import sys
import time

MODE, T0 = sys.argv[1], float(sys.argv[2])
PROJECT = sys.argv[3] if len(sys.argv) > 3 else None
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import json  # noqa: E402

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: E402


class FirstPaint(QObject):
    def __init__(self):
        super().__init__()
        self.events, self.done = 0, False

    def watch(self, window) -> None:
        self.window, self.show_called = window, time.time()
        window.installEventFilter(self)

    def eventFilter(self, obj, event):
        self.events += 1
        if not self.done and event.type() == QEvent.Paint:
            self.done = True
            self.painted = time.time()
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self.finish)
        return False

    def finish(self):
        now = time.time()
        print(
            json.dumps(
                {
                    "mode": MODE,
                    "shown_s": now - T0,
                    "show_called_s": self.show_called - T0,
                    "first_paint_s": self.painted - T0,
                    "torch_imported": "torch" in sys.modules,
                    "events_filtered": self.events,
                }
            ),
            flush=True,
        )
        os._exit(0)


def launch() -> None:
    watcher = FirstPaint()
    if MODE == "app":
        import main
        from gui.main_window import MainWindow

        original_show = MainWindow.show

        def show(window):
            watcher.watch(window)
            original_show(window)

        MainWindow.show = show
        main.main(["gui", PROJECT])
    else:
        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.setCentralWidget(QLabel("Hello"))
        watcher.watch(window)
        window.show()
        app.exec()
    os._exit(3)  # the event loop ended without a paint


# The app's warm worker is a spawned process that imports this module again, as
# __mp_main__: it must not start a second app (whose figures would be printed last).
if __name__ == "__main__":
    launch()
