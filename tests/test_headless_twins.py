"""GUI actions done headless: exporting a run (Run ▸ Export, the code view) and the compare
dialog's hidden-size sweep, as engine calls and as `main.py` commands."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from probe_models import adding_project
from safetensors.torch import load_file

from engine.compare import CompareError, compare_hidden_sizes, parse_hidden_sizes
from engine.export import ExportError, export_run, onnx_available
from engine.run_model import trained_model
from engine.runs import WEIGHTS, RunFolderError, load_run
from engine.training import train

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    result = train(adding_project("GRU", hidden=5), steps=4, runs_dir=tmp_path_factory.mktemp("runs"))
    return result.run_dir


def test_a_run_exports_as_source_that_loads_its_weights_and_reproduces_its_model(run_dir, tmp_path):
    path = export_run(run_dir, "py", tmp_path / "model.py")
    spec = importlib.util.spec_from_file_location("exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    exported = module.RecurrentModel()
    exported.load_state_dict(load_file(str(run_dir / WEIGHTS)), strict=True)
    x = torch.randn(3, 12, 2)
    with torch.no_grad():
        assert torch.equal(exported.eval()(x), trained_model(run_dir)(x))


def test_a_run_exports_its_weights_unchanged(run_dir, tmp_path):
    path = export_run(run_dir, "safetensors", tmp_path / "weights.safetensors")
    saved, exported = load_file(str(run_dir / WEIGHTS)), load_file(str(path))
    assert saved.keys() == exported.keys() and all(torch.equal(saved[k], exported[k]) for k in saved)


@pytest.mark.skipif(not onnx_available(), reason="the optional onnx package is not installed")
def test_a_run_exports_as_onnx(run_dir, tmp_path):
    import onnx

    onnx.checker.check_model(onnx.load(str(export_run(run_dir, "onnx", tmp_path / "model.onnx"))))


def test_an_unknown_format_and_a_changed_folder_are_refused_in_words(run_dir, tmp_path):
    with pytest.raises(ExportError, match="unknown export format 'pt'; choose one of py, safetensors, onnx"):
        export_run(run_dir, "pt", tmp_path / "model.pt")
    record = load_run(run_dir)
    record.project.graph.set_param("memory", "hidden_size", 7)  # the folder's project no longer fits its weights
    with pytest.raises(RunFolderError, match="its weights do not fit the model of its project copy"):
        trained_model(record)


def test_main_py_export(run_dir, tmp_path):
    out = tmp_path / "model.py"
    command = [sys.executable, "main.py", "export", str(run_dir), "--format", "py", "-o", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}\n" and "class RecurrentModel(nn.Module)" in out.read_text()
    missing = subprocess.run(command[:3] + [str(tmp_path / "nowhere")] + command[4:], cwd=ROOT, capture_output=True)
    assert missing.returncode == 2 and missing.stderr.decode().count("\n") == 1


def test_hidden_sizes_parse_or_say_what_they_need():
    assert parse_hidden_sizes("16, 32;64") == [16, 32, 64]
    for text in ("", "16,x", "0", "99999", "-4"):
        with pytest.raises(CompareError, match="like 16,32,64"):
            parse_hidden_sizes(text)


def test_the_hidden_size_sweep_trains_every_cell_at_every_size_into_one_table(tmp_path):
    events = []
    comparison = compare_hidden_sizes(
        adding_project("GRU", hidden=4), ["RNN", "GRU"], [3, 5], steps=2, out_dir=tmp_path, on_event=events.append
    )
    assert [(r.cell, r.hidden_sizes["memory"]) for r in comparison.results] == [
        ("RNN", 3),
        ("GRU", 3),
        ("RNN", 5),
        ("GRU", 5),
    ]
    variants = [(e["group"], e["index"]) for e in events if e["type"] == "variant"]
    assert variants == [(0, 0), (0, 1), (1, 0), (1, 1)]
    with open(comparison.csv_path, newline="") as stream:
        assert [row["hidden_size"] for row in csv.DictReader(stream)] == ["3", "3", "5", "5"]


def test_main_py_compare_sweeps_hidden_sizes(tmp_path):
    project = tmp_path / "p.rsproj"
    from engine.project import save_project

    save_project(adding_project("GRU", hidden=4), project)
    result = subprocess.run(
        [sys.executable, "main.py", "compare", str(project), "--cells", "gru", "--steps", "2"]
        + ["--hidden-sizes", "3,6", "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "[1/2] GRU: hidden size 3" in result.stderr and "[2/2] GRU: hidden size 6" in result.stderr
    rows = [line.split()[:2] for line in result.stdout.splitlines()[2:4]]
    assert rows == [["GRU", "3"], ["GRU", "6"]]
    assert len(list((tmp_path / "out").glob("*/summary.json"))) == 2
