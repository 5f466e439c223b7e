"""The command line: train, validate, summary; errors are one line, not a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "projects" / "adding_gru.rsproj"


def run(*args):
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_train_prints_progress_metrics_and_run_folder(tmp_path):
    result = run("train", EXAMPLE, "--steps", "20", "--probe-every", "0", "--runs-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "20/20" in result.stderr and "steps/s" in result.stderr
    assert "validation loss" in result.stdout
    folder = Path(result.stdout.strip().splitlines()[-1].split("run folder: ")[1])
    assert json.loads((folder / "summary.json").read_text())["steps"] == 20


def test_validate_exit_codes(tmp_path):
    assert run("validate", EXAMPLE).returncode == 0
    broken = json.loads(EXAMPLE.read_text())
    broken["graph"]["edges"] = broken["graph"]["edges"][:1]
    path = tmp_path / "broken.rsproj"
    path.write_text(json.dumps(broken))
    result = run("validate", path)
    assert result.returncode == 1
    assert "Regression 'sum': input 'in' is not connected" in result.stdout


def test_summary_lists_blocks_shapes_and_parameters():
    result = run("summary", EXAMPLE)
    assert result.returncode == 0
    assert re.search(r"memory\s+GRU\s+vector \[batch, 32\]", result.stdout)
    assert "total parameters: 3,489" in result.stdout


def test_errors_are_one_clear_line(tmp_path):
    bad = tmp_path / "bad.rsproj"
    bad.write_text("{")
    for args in (("train", bad), ("validate", tmp_path / "missing.rsproj")):
        result = run(*args)
        assert result.returncode == 2
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
