"""Start-up: launch to main window shown, against a minimal PySide6 window.

Each launch is a fresh `python bench/_startup_launcher.py` process: "app" runs the real
start-up (`main.py gui projects/adding_lstm.rsproj`), "minimal" a QApplication with a
QMainWindow holding a QLabel. Both are timed the same way: from the parent's time.time()
just before starting the process to the moment the event loop has finished the main
window's first paint (the child then prints its figures and exits at once). The two
alternate launch by launch, after one untimed warm-up launch of each (disk caches).
Every launch gets fresh settings and recovery folders, so each is the same start: the
project given on the command line, no recovery prompt; the font cache folder is shared.
Also reported: whether torch was imported by then (it should not be), and when
MainWindow.show was called (imports + building the window) versus the first paint.
Target: ratio of medians ≤ 2. 7 launches each (quick: 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import median, print_table

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = Path(__file__).resolve().parent / "_startup_launcher.py"
PROJECT = ROOT / "projects" / "adding_lstm.rsproj"
TARGET_RATIO = 2.0
MODES = ("app", "minimal")


def launch(mode: str, scratch: Path, index: int) -> dict:
    home = scratch / f"{mode}-{index}"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(scratch / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    args = [sys.executable, str(LAUNCHER), mode]
    started = time.time()
    completed = subprocess.run(
        args + [repr(started)] + ([str(PROJECT)] if mode == "app" else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    wall = time.time() - started
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} launch failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return {**json.loads(lines[-1]), "process_wall_s": wall}


def run(quick: bool) -> dict:
    launches = 2 if quick else 7
    samples: dict[str, list[dict]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for mode in MODES:  # warm-up: disk caches, font cache
            launch(mode, scratch, -1)
        for index in range(launches):
            for mode in MODES if index % 2 == 0 else reversed(MODES):
                samples[mode].append(launch(mode, scratch, index))
    figures = {
        mode: {
            key: median([s[key] for s in samples[mode]])
            for key in ("shown_s", "show_called_s", "first_paint_s", "process_wall_s")
        }
        for mode in MODES
    }
    ratio = figures["app"]["shown_s"] / figures["minimal"]["shown_s"]
    result = {
        "launches": launches,
        "project": PROJECT.name,
        "medians": figures,
        "samples": samples,
        "ratio": ratio,
        "wall_ratio": figures["app"]["process_wall_s"] / figures["minimal"]["process_wall_s"],
        "torch_imported_at_startup": any(s["torch_imported"] for s in samples["app"]),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }
    _print(result)
    return result


def _print(result: dict) -> None:
    rows = [("launch", "shown + first paint", "show() called", "process wall", "torch imported")]
    for mode in MODES:
        m = result["medians"][mode]
        rows.append(
            (
                mode,
                f"{m['shown_s'] * 1000:.0f} ms",
                f"{m['show_called_s'] * 1000:.0f} ms",
                f"{m['process_wall_s'] * 1000:.0f} ms",
                "yes" if any(s["torch_imported"] for s in result["samples"][mode]) else "no",
            )
        )
    rows.append(("ratio app/minimal", f"{result['ratio']:.2f}", "", f"{result['wall_ratio']:.2f}", ""))
    print_table(
        f"Start-up, median of {result['launches']} launches each, interleaved (target: ratio ≤ "
        f"{TARGET_RATIO:g}: {'met' if result['meets_target'] else 'NOT met'})",
        rows,
    )


if __name__ == "__main__":
    run(quick=False)
