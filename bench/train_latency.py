"""Train → first step: how long the window waits between pressing Train and the first step
event arriving, with the warm worker against a cold start (the baseline: what every run
paid before, spawning a process that imports torch and the engine first).

The main window (offscreen) opens each example project as a user would (File ▸ Open
Example), presses Train and times until the first training step reaches the window, then
stops the run. "cold": the worker is shut down before each press; "warm": the worker was
started ahead (as the window does once shown) and has served runs before. Cold and warm
presses alternate per project. Also reported: when each phase began (the worker's status
events: loading data, building the model, first step).
Target: warm median ≤ 1.0 s. 3 presses per project and mode (quick: 1, two projects).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .common import median, print_table  # noqa: E402
from .gui_responsiveness import run_event_loop  # noqa: E402

TARGET_SECONDS = 1.0
MODES = ("cold", "warm")


def press_train(window) -> dict:
    """Press Train, wait for the first step event, stop the run; seconds to each phase."""
    session = window.training.session
    phases: dict[str, float] = {}
    began = time.perf_counter()
    record = lambda phase: phases.setdefault(phase or "first step event", time.perf_counter() - began)  # noqa: E731
    session.phase_changed.connect(record)
    assert window.training.controls.start_training()
    while session.data.last_step == 0 and session.running:
        run_event_loop(0.005)
    first_step = time.perf_counter() - began
    session.phase_changed.disconnect(record)
    session.stop_and_wait()
    if session.data.last_step == 0:
        raise RuntimeError(f"the run ended before its first step: {session.data.message}")
    return {"first_step_s": first_step, "phases": phases}


def measure_project(window, path: Path, presses: int) -> dict[str, list[dict]]:
    window.files.open_path(path, as_example=True)
    session = window.training.session
    samples: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for index in range(presses):
        for mode in MODES if index % 2 == 0 else reversed(MODES):
            if mode == "cold":
                session.shutdown()
            else:
                session.warm_up()
                while not session.process.ready:
                    run_event_loop(0.05)
            samples[mode].append(press_train(window))
    return samples


def run(quick: bool) -> dict:
    from PySide6.QtCore import QStandardPaths

    from gui.app import create_application
    from gui.paths import example_projects
    from gui.testing import make_window

    QStandardPaths.setTestModeEnabled(True)  # scratch runs go to a test folder, not the user's
    create_application()
    projects = example_projects()[:2] if quick else example_projects()
    presses = 1 if quick else 3
    with tempfile.TemporaryDirectory() as scratch:
        window = make_window(Path(scratch))
        run_event_loop(0.3)
        per_project = {path.stem: measure_project(window, path, presses) for path in projects}
        window.training.session.shutdown()
        window.editor.mark_saved()
        window.close()
    medians = {
        mode: median([s["first_step_s"] for samples in per_project.values() for s in samples[mode]]) for mode in MODES
    }
    result = {
        "presses_per_project": presses,
        "projects": {
            name: {mode: median([s["first_step_s"] for s in samples[mode]]) for mode in MODES}
            for name, samples in per_project.items()
        },
        "samples": per_project,
        "median_s": medians,
        "cold_over_warm": medians["cold"] / medians["warm"],
        "target_s": TARGET_SECONDS,
        "meets_target": medians["warm"] <= TARGET_SECONDS,
    }
    _print(result)
    return result


def _print(result: dict) -> None:
    rows = [("project", "cold start", "warm worker", "cold / warm")]
    for name, figures in result["projects"].items():
        rows.append(
            (name, f"{figures['cold']:.2f} s", f"{figures['warm']:.2f} s", f"{figures['cold'] / figures['warm']:.1f}")
        )
    medians = result["median_s"]
    rows.append(("median", f"{medians['cold']:.2f} s", f"{medians['warm']:.2f} s", f"{result['cold_over_warm']:.1f}"))
    print_table(
        f"Train → first step event, median of {result['presses_per_project']} presses per project and mode "
        f"(target: warm ≤ {TARGET_SECONDS:g} s: {'met' if result['meets_target'] else 'NOT met'})",
        rows,
    )


if __name__ == "__main__":
    run(quick=False)
