"""`main.py inspect RUN_DIR`: a text report of what the probes saw; errors are one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from probe_models import adding_project, stacked_project

from engine.cli import EXIT_ERROR, EXIT_OK, inspect_command
from engine.report import inspect_report
from engine.training import train

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train(stacked_project(), steps=6, runs_dir=tmp_path_factory.mktemp("runs")).run_dir


def test_report_names_every_block_layer_and_gate(run_dir):
    report = inspect_report(run_dir)
    assert "3 probes (steps 0 to 6)" in report
    assert "LSTM 'encoder': 2 layers of 4 units, bidirectional" in report
    assert "GRU 'memory': 1 layer of 5 units" in report
    for gate in ("input", "forget", "candidate", "output", "reset", "update"):
        assert f" {gate} " in report
    assert "2 rev" in report and "spectral radius" in report
    assert report.count("gradient ratio first/last step") == 5  # 2 layers x 2 directions + 1
    assert "forget-gate bias" in report and "->" in report


def test_rnn_report_explains_its_saturation(tmp_path):
    result = train(adding_project("RNN"), steps=2, runs_dir=tmp_path)
    report = inspect_report(result.run_dir)
    assert "RNN 'memory': 1 layer of 6 units, tanh; saturation of the activation tanh(a)" in report
    assert "preactivation" in report and "forget-gate bias" not in report


def test_command_prints_the_report(run_dir, capsys):
    assert inspect_command(run_dir) == EXIT_OK
    assert "GRU 'memory'" in capsys.readouterr().out


def broken_copy(run_dir, tmp_path, damage):
    target = tmp_path / "run"
    shutil.copytree(run_dir, target)
    damage(target)
    return target


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda run: shutil.rmtree(run / "probes"), "has no probe records"),
        (lambda run: (run / "project.rsproj").unlink(), "project.rsproj is missing"),
        (lambda run: (run / "probes" / "step_00000005.npz").unlink(), "step_00000005.npz: is missing"),
        (lambda run: (run / "summary.json").write_text(json.dumps({"run_format": 7})), "newer Recurrent Studio"),
        (
            lambda run: (run / "probes" / "index.json").write_text(
                json.dumps({"format": "recurrent-studio-probes", "version": 2, "probes": []})
            ),
            "probe format 2",
        ),
        (
            lambda run: (run / "probes" / "index.json").write_text(
                json.dumps({"format": "recurrent-studio-probes", "version": 1, "probes": []})
            ),
            "has no probe records",
        ),
    ],
)
def test_bad_run_folders_give_one_line(run_dir, tmp_path, capsys, damage, message):
    folder = broken_copy(run_dir, tmp_path, damage)
    assert inspect_command(folder) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("error: ")


def test_main_py_inspect(run_dir, tmp_path):
    command = [sys.executable, "main.py", "inspect"]
    result = subprocess.run(command + [str(run_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "LSTM 'encoder'" in result.stdout, result.stderr
    missing = subprocess.run(command + [str(tmp_path / "none")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == EXIT_ERROR and "Traceback" not in missing.stderr
    assert missing.stderr.strip().endswith("is not a folder; give the path of a run folder under runs/")
