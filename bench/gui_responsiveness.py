"""GUI responsiveness while training: how late the window's event loop gets.

The main window (1400×900, offscreen) with every plot dock visible trains an LSTM on the
adding problem (hidden 32, length 50, batch 32) in its training process, evaluating every
20 steps and probing every 10, so step, eval, probe and prediction events stream into
every live plot. A 10 ms QTimer in the window's thread records when it fires; its lateness
(interval − 10 ms) and the longest gap between two firings (the longest stall a user could
feel) are compared with the same window idle for the same time.
Target: longest stall ≤ 50 ms while training. 30 s per phase (quick: 3 s).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from .common import print_table  # noqa: E402

TARGET_STALL_MS = 50.0
TIMER_MS = 10
STREAMING = {"steps": 10_000_000, "batch_size": 32, "eval_every": 20, "probe_every": 10, "probe_samples": 8}
PROJECT = Path(__file__).resolve().parents[1] / "projects" / "adding_lstm.rsproj"


def run_event_loop(seconds: float) -> None:
    """Run the window's own event loop (as app.exec() does) for `seconds`."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def measure_event_loop(seconds: float) -> dict:
    """Fire a 10 ms precise timer for `seconds` and summarise when it actually fired."""
    from PySide6.QtCore import Qt, QTimer

    fired: list[float] = []
    timer = QTimer(interval=TIMER_MS, timerType=Qt.PreciseTimer)
    timer.timeout.connect(lambda: fired.append(time.perf_counter()))
    timer.start()
    run_event_loop(seconds)
    timer.stop()
    gaps = np.diff(fired) * 1000
    lateness = np.maximum(gaps - TIMER_MS, 0)
    return {
        "ticks": len(fired),
        "longest_stall_ms": float(gaps.max()),
        "p99_lateness_ms": float(np.percentile(lateness, 99)),
        "median_lateness_ms": float(np.median(lateness)),
        "max_lateness_ms": float(lateness.max()),
    }


def make_window(folder: Path):
    from PySide6.QtCore import QSettings

    from gui.main_window import MainWindow
    from gui.recovery import RecoveryStore
    from gui.settings import AppSettings

    window = MainWindow(
        AppSettings(QSettings(str(folder / "settings.ini"), QSettings.IniFormat)), RecoveryStore(folder / "recovery")
    )
    window.resize(1400, 900)
    window.show()
    return window


def show_every_plot(window) -> None:
    """Un-tab the hidden-state and predictions docks, so every plot dock is on screen."""
    from PySide6.QtCore import Qt

    docks = window.training.docks
    window.splitDockWidget(docks["gradient"], docks["hidden"], Qt.Vertical)
    window.splitDockWidget(docks["gates"], docks["predictions"], Qt.Horizontal)
    for key in ("loss", "gates", "gradient", "hidden", "predictions"):
        docks[key].raise_()


def streaming_project(folder: Path):
    from engine.project import load_project, save_project

    project = load_project(PROJECT)
    project.training.update(STREAMING)
    save_project(project, folder / "streaming.rsproj")
    return project


def run(quick: bool) -> dict:
    from gui.app import create_application

    _app = create_application()  # kept alive for the whole measurement
    seconds = 3.0 if quick else 30.0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        window = make_window(folder)
        window.editor.set_project(streaming_project(folder))
        window.scene.select_nodes(["memory"])
        run_event_loop(0.5)  # let the first-start layout settle
        show_every_plot(window)
        idle = measure_event_loop(seconds)
        training, streamed = _measure_training(window, seconds)
        window.editor.mark_saved()
        window.close()
    result = {
        "seconds": seconds,
        "idle": idle,
        "training": training,
        **streamed,
        "target_longest_stall_ms": TARGET_STALL_MS,
        "meets_target": training["longest_stall_ms"] <= TARGET_STALL_MS,
    }
    _print(result)
    return result


def _measure_training(window, seconds: float) -> tuple[dict, dict]:
    session = window.training.session
    received = {"messages": 0}
    session.process.items_received.connect(lambda items: received.update(messages=received["messages"] + 1))
    window.training.controls.start_training()
    while session.data.last_step == 0 or not session.data.probes:  # the child has started streaming
        run_event_loop(0.1)
    first_step, received["messages"] = session.data.last_step, 0
    began = time.perf_counter()
    training = measure_event_loop(seconds)
    elapsed = time.perf_counter() - began
    steps = session.data.last_step - first_step
    session.stop_and_wait()
    return training, {
        "steps_per_second": steps / elapsed,
        "messages_per_second": received["messages"] / elapsed,
        "probes": len(session.data.probes),
    }


def _print(result: dict) -> None:
    rows = [("window", "longest stall", "p99 lateness", "median lateness", "10 ms ticks")]
    for phase in ("idle", "training"):
        figures = result[phase]
        rows.append(
            (
                phase,
                f"{figures['longest_stall_ms']:.1f} ms",
                f"{figures['p99_lateness_ms']:.2f} ms",
                f"{figures['median_lateness_ms']:.2f} ms",
                figures["ticks"],
            )
        )
    print_table(
        f"Event loop over {result['seconds']:.0f} s; training streamed {result['steps_per_second']:.0f} steps/s "
        f"in {result['messages_per_second']:.1f} messages/s (target: longest stall ≤ {TARGET_STALL_MS:.0f} ms "
        f"while training: {'met' if result['meets_target'] else 'NOT met'})",
        rows,
    )


if __name__ == "__main__":
    run(quick=False)
