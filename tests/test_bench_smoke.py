"""`python -m bench --quick` runs every engine benchmark end to end and leaves its JSON.

A smoke test only: the quick sizes make the figures meaningless, so nothing here looks at
a timing. It guards the benchmarks against engine API changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.__main__ import BENCHMARKS  # noqa: E402

ENGINE = [b.name for b in BENCHMARKS if b.kind == "engine"]
# GUI benchmarks whose quick run takes a few seconds (offscreen) join the same run.
QUICK_GUI = ["startup", "canvas_redraw"]
MACHINE_KEYS = {"cpu", "cores", "torch", "torch_threads", "python", "date"}
EXPECTED_KEYS = {
    "training_step": {"cases", "worst_ratio", "target_met", "target_ratio"},
    "graph_scaling": {"results", "targets"},
    "project_files": {"save_ratio", "load_ratio", "nodes", "edges"},
    "seed_claims": {"variants", "runs", "summary", "target_mse"},
    "probe_bench": {"throughput", "single_probe"},
    "startup": {"medians", "ratio", "torch_imported_at_startup", "meets_target"},
    "canvas_redraw": {"median_ms", "ratios", "nodes", "smooth"},
    "data_memory": {"cases", "peak_ratio", "growth_ratio", "file_bytes"},
    "memory_horizon": {"rows", "claim_holds", "steps"},
}


def test_quick_bench_runs_and_writes_results(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path), *ENGINE, *QUICK_GUI],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for name in ENGINE + QUICK_GUI:
        content = json.loads((tmp_path / f"{name}.json").read_text())
        assert content["benchmark"] == name and content["quick"] is True
        assert MACHINE_KEYS <= set(content["machine"])
        assert EXPECTED_KEYS.get(name, set()) <= set(content), name
    cases = json.loads((tmp_path / "training_step.json").read_text())["cases"]
    assert {case["model"] for case in cases} == {"LSTM", "GRU", "RNN", "LSTM 2-layer bidirectional"}
    assert all(case["max_prediction_difference"] < 1e-5 for case in cases)
    # Windows are views of one series: window 256 must not cost what copied windows would.
    long = json.loads((tmp_path / "data_memory.json").read_text())["cases"][-1]
    assert long["window"] == 256 and long["status"] == "finished"
    assert long["peak_rss"] - long["baseline_rss"] < long["materialised_windows_bytes"]
