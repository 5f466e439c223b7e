"""Cell comparison: the same project trained with RNN, LSTM and GRU cells, tabulated."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from probe_models import adding_project, chain, stacked_project

from engine.compare import (
    CompareError,
    compare_cells,
    matched_hidden_sizes,
    parameter_count,
    parse_cells,
    results_table,
    steps_to_target,
    variant_project,
)
from engine.project import load_project, save_project
from engine.training import RunControl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "projects" / "adding_compare.rsproj"


def test_parse_cells():
    assert parse_cells("rnn, LSTM,gru") == ["RNN", "LSTM", "GRU"]
    for bad in ("", "lstm,transformer", "gru,gru"):
        with pytest.raises(CompareError, match="--cells"):
            parse_cells(bad)


def test_a_variant_changes_only_the_cell():
    project = stacked_project()
    project.graph.set_param("encoder", "dropout", 0.25)
    variant = variant_project(project, "RNN")
    for node_id in ("encoder", "memory"):
        node = variant.graph.node(node_id)
        assert node.type_name == "RNN" and node.params["nonlinearity"] == "tanh"
    kept = {k: v for k, v in project.graph.node("encoder").params.items() if k != "forget_bias"}  # LSTM only
    assert variant.graph.node("encoder").params == {**kept, "nonlinearity": "tanh"}
    back = variant_project(variant, "GRU", {"encoder": 7})
    encoder = back.graph.node("encoder").params
    assert encoder["hidden_size"] == 7 and "nonlinearity" not in encoder
    assert back.graph.node("mix").params == project.graph.node("mix").params
    assert variant.training == project.training and variant.data == project.data
    assert [e.to_dict() for e in variant.graph.edges()] == [e.to_dict() for e in project.graph.edges()]


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_matched_sizes_give_the_closest_parameter_count(cell):
    project = adding_project("LSTM", hidden=32)
    target = parameter_count(project)
    sizes = matched_hidden_sizes(project, cell)
    count = parameter_count(variant_project(project, cell, sizes))
    for other in (sizes["memory"] - 1, sizes["memory"] + 1):
        assert abs(count - target) <= abs(parameter_count(variant_project(project, cell, {"memory": other})) - target)
    assert {"LSTM": 32}.get(cell, sizes["memory"]) == sizes["memory"]
    assert abs(count - target) / target < 0.05


def test_matched_sizes_scale_every_recurrent_block_alike():
    sizes = matched_hidden_sizes(stacked_project(), "RNN")
    assert sizes["encoder"] > 4 and sizes["memory"] > 5
    assert sizes["encoder"] / 4 == pytest.approx(sizes["memory"] / 5, rel=0.25)


def test_steps_to_target():
    evals = [{"step": 0, "val_loss": 1.0}, {"step": 5, "val_loss": 0.3}, {"step": 10, "val_loss": 0.1}]
    assert steps_to_target(evals, 0.3) == 5 and steps_to_target(evals, 0.01) is None
    assert steps_to_target(evals, None) is None


def test_compare_trains_every_variant_and_writes_a_table(tmp_path):
    project = adding_project("GRU", hidden=4)
    events = []
    comparison = compare_cells(
        project,
        ["RNN", "LSTM", "GRU"],
        match_params=True,
        steps=6,
        target_loss=10.0,
        out_dir=tmp_path / "out",
        on_event=events.append,
    )
    cells = [r.cell for r in comparison.results]
    assert cells == ["RNN", "LSTM", "GRU"] and all(r.status == "finished" for r in comparison.results)
    assert [e["cell"] for e in events if e["type"] == "variant"] == cells
    assert all(e["variant"] in cells for e in events if e["type"] == "step")
    assert [r.steps_to_target for r in comparison.results] == [0, 0, 0]
    assert comparison.results[2].hidden_sizes == {"memory": 4}
    for result in comparison.results:
        assert result.run_dir.parent == tmp_path / "out" and (result.run_dir / "probes" / "index.json").exists()
        assert result.seconds_per_step > 0 and result.train_loss is not None and result.val_loss is not None
    with open(comparison.csv_path, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["cell"] for row in rows] == cells and rows[0]["parameters"] == str(comparison.results[0].parameters)
    table = results_table(comparison.results)
    assert table[0][6] == "steps to val loss <= 10" and len(table) == 4


def test_the_same_seed_gives_every_cell_the_same_batches(tmp_path):
    project = adding_project("GRU", hidden=4)
    first = compare_cells(project, ["GRU"], steps=4, record=False).results[0]
    again = compare_cells(project, ["GRU"], steps=4, record=False).results[0]
    assert first.train_loss == again.train_loss and first.run_dir is None


def test_stop_ends_the_comparison(tmp_path):
    control = RunControl()

    def stop_after_first_variant(event):
        if event["type"] == "variant_done":
            control.stop()

    comparison = compare_cells(
        adding_project(hidden=3),
        ["LSTM", "GRU"],
        steps=3,
        out_dir=tmp_path,
        on_event=stop_after_first_variant,
        control=control,
    )
    assert [r.cell for r in comparison.results] == ["LSTM"]
    assert len(list(csv.DictReader(open(comparison.csv_path)))) == 1


def test_a_project_without_recurrent_blocks(tmp_path):
    project = adding_project()
    project.graph.clear()
    chain(project.graph, [("sequence", "SequenceInput", {}), ("pool", "MeanOverTime", {}), ("sum", "Regression", {})])
    with pytest.raises(CompareError, match="no RNN, LSTM, GRU, minGRU or minLSTM block"):
        compare_cells(project, ["LSTM"], steps=1, out_dir=tmp_path)


def run(*args):
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_main_py_compare(tmp_path):
    project = adding_project("LSTM", hidden=4, name="tiny compare")
    path = save_project(project, tmp_path / "tiny.rsproj")
    result = run(
        "compare",
        path,
        "--cells",
        "rnn,gru",
        "--match-params",
        "--steps",
        "4",
        "--target-loss",
        "5",
        "--out",
        tmp_path / "out",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["cell", "hidden", "size"] and lines[2].startswith("RNN")
    assert lines[3].startswith("GRU") and "finished" in lines[3]
    assert (tmp_path / "out" / "comparison.csv").exists()
    assert "[1/2] RNN: hidden size" in result.stderr and "4/4" in result.stderr
    assert (
        run("compare", path, "--steps", "0").stderr == "error: the number of training steps must be at least 1; got 0\n"
    )
    bad = run("compare", path, "--cells", "lstm,cnn")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --cells") and "Traceback" not in bad.stderr


def test_example_project_loads_validates_and_compares_a_few_steps():
    project = load_project(EXAMPLE)
    assert project.refresh_signature() is None
    assert project.data["task"] == "adding"
    assert [n.type_name for n in project.graph.nodes() if n.type_name in ("RNN", "LSTM", "GRU")] == ["LSTM"]
    project.data["params"].update({"n_train": 64, "n_val": 16})  # a few steps need little data
    comparison = compare_cells(project, ["RNN", "LSTM", "GRU"], match_params=True, steps=3, record=False)
    assert all(r.status == "finished" for r in comparison.results)
    counts = [r.parameters for r in comparison.results]
    assert max(counts) / min(counts) < 1.02 and comparison.results[1].hidden_sizes == {"memory": 64}
