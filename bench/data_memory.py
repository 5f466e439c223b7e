"""Peak memory of training on a large numeric CSV, at two window lengths (issue 15, item 4).

The file: two numeric columns (random walks, three decimals), 10,000,000 rows (quick:
200,000), no time index. A forecasting project is made over it with engine.new_project
(window 16); a copy of the project differs only in its window (256). Each project trains a
few steps in a fresh child process (engine.training.train, probes off, no run folder) and
the child reports its peak resident memory (VmHWM in /proc/self/status) and its peak after
the imports, before any data was read. Validation passes and the closing forecast report are
replaced by no-ops in the child: they walk every validation window (two million at full
size) one batch at a time, which takes minutes and changes the time, not the peak.

Reported: each peak against the file's size and against the series' size in memory (the
float32 tensor the windows index), and peak(window 256) / peak(window 16). Windows are
strided views of one series, so that ratio should be about 1; materialised windows would
make it about 16 (samples x window x features x 4 bytes: the figure is printed beside).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from .common import print_table

WINDOWS = (16, 256)
ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys
def high_water():  # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
import engine.training as training
from engine.project import load_project
baseline = high_water()
training.evaluate = lambda *args, **kwargs: (0.0, None)  # see the module docstring
training._Run._judge_forecast = lambda self, kept: None
seen = {}
def keep(model, data):
    seen["data"] = data
project = load_project(sys.argv[1])
result = training.train(project, steps=int(sys.argv[2]), record=False,
                        overrides={"probe_every": 0, "eval_every": 1_000_000}, on_evaluate=keep)
peak = high_water()
data = seen["data"]
series = {id(x.series): x.series for x in (data.x_train, data.x_val)}
series_bytes = sum(s.numel() * s.element_size() for s in series.values())
samples = len(data.x_train) + len(data.x_val)
print(json.dumps({"baseline_rss": baseline, "peak_rss": peak, "series_bytes": series_bytes,
                  "samples": samples, "features": data.signature.features, "status": str(result.status)}))
"""


def write_file(path: Path, rows: int) -> Path:
    rng = np.random.default_rng(0)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("load,price\n")
        for start in range(0, rows, 1_000_000):
            chunk = rng.normal(size=(min(1_000_000, rows - start), 2)).cumsum(axis=0).round(3)
            np.savetxt(handle, chunk, fmt="%.3f", delimiter=",")
    return path


def make_projects(folder: Path, csv: Path) -> dict[int, Path]:
    from engine.new_project import NewProjectChoices, create_project

    first = folder / f"window{WINDOWS[0]}.rsproj"
    create_project(first, NewProjectChoices(data=str(csv), window=WINDOWS[0]))
    paths = {WINDOWS[0]: first}
    for window in WINDOWS[1:]:
        content = json.loads(first.read_text(encoding="utf-8"))
        content["data"]["params"]["window"] = window
        paths[window] = folder / f"window{window}.rsproj"
        paths[window].write_text(json.dumps(content), encoding="utf-8")
    return paths


def measure(project: Path, steps: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(project), str(steps)],
        cwd=ROOT,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if completed.returncode:
        raise RuntimeError(f"training child failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict:
    rows = 200_000 if quick else 10_000_000
    steps = 5 if quick else 20
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        csv = write_file(folder / "series.csv", rows)
        file_bytes = csv.stat().st_size
        projects = make_projects(folder, csv)
        cases = []
        for window, project in projects.items():
            figures = measure(project, steps)
            materialised = figures["samples"] * window * figures["features"] * 4
            cases.append(
                {
                    "window": window,
                    **figures,
                    "peak_over_file": figures["peak_rss"] / file_bytes,
                    "peak_over_series": figures["peak_rss"] / figures["series_bytes"],
                    "growth_over_file": (figures["peak_rss"] - figures["baseline_rss"]) / file_bytes,
                    "growth_over_series": (figures["peak_rss"] - figures["baseline_rss"]) / figures["series_bytes"],
                    "materialised_windows_bytes": materialised,
                }
            )
    by_window = {case["window"]: case for case in cases}
    ratio = by_window[WINDOWS[-1]]["peak_rss"] / by_window[WINDOWS[0]]["peak_rss"]
    growth_ratio = (by_window[WINDOWS[-1]]["peak_rss"] - by_window[WINDOWS[-1]]["baseline_rss"]) / (
        by_window[WINDOWS[0]]["peak_rss"] - by_window[WINDOWS[0]]["baseline_rss"]
    )
    mb = 1e6
    print_table(
        f"Training {steps} steps on {rows:,} rows x 2 columns ({file_bytes / mb:.0f} MB file)",
        [
            (
                "window",
                "peak RSS MB",
                "after imports MB",
                "series MB",
                "peak / file",
                "peak / series",
                "windows if copied MB",
            )
        ]
        + [
            (
                str(c["window"]),
                f"{c['peak_rss'] / mb:.0f}",
                f"{c['baseline_rss'] / mb:.0f}",
                f"{c['series_bytes'] / mb:.0f}",
                f"{c['peak_over_file']:.2f}",
                f"{c['peak_over_series']:.1f}",
                f"{c['materialised_windows_bytes'] / mb:,.0f}",
            )
            for c in cases
        ],
    )
    print(f"peak RSS window {WINDOWS[-1]} / window {WINDOWS[0]}: {ratio:.3f} (growth over imports: {growth_ratio:.3f})")
    return {
        "rows": rows,
        "steps": steps,
        "file_bytes": file_bytes,
        "cases": cases,
        "peak_ratio": ratio,
        "growth_ratio": growth_ratio,
        "target": "peak_ratio about 1 (windows are strided views of one series)",
    }
