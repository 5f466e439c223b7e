"""Training runs: reproducible, controllable, safe on divergence, recorded in a run folder."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import torch

from engine.project import load_project
from engine.runs import RunFolderError, list_runs, load_run
from engine.training import RunControl, TrainingError, train

EXAMPLES = Path(__file__).resolve().parents[1] / "projects"
SMALL = {"probe_every": 0, "eval_every": 5, "batch_size": 16}


def small_project(name="adding_gru", **data_params):
    project = load_project(EXAMPLES / f"{name}.rsproj")
    project.data["params"].update({"n_train": 64, "n_val": 32, **data_params})
    project.graph.set_param("memory", "hidden_size", 8)
    return project


def test_the_same_seed_gives_the_same_numbers(tmp_path):
    losses = []
    for _ in range(2):
        events = []
        train(small_project(length=10), events.append, steps=12, runs_dir=tmp_path, overrides=SMALL)
        losses.append([e["loss"] for e in events if e["type"] == "step"])
    assert losses[0] == losses[1] and len(losses[0]) == 12
    events = []
    train(small_project(length=10), events.append, steps=12, runs_dir=tmp_path, overrides={**SMALL, "seed": 1})
    assert [e["loss"] for e in events if e["type"] == "step"] != losses[0]


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_every_optimizer_lowers_the_loss(tmp_path, optimizer):
    evals = []
    result = train(
        small_project(length=5),
        lambda e: e["type"] == "eval" and evals.append(e["val_loss"]),
        steps=60,
        runs_dir=tmp_path,
        record=False,
        overrides={**SMALL, "optimizer": optimizer, "learning_rate": 0.02},
    )
    assert result.status == "finished"
    assert result.val_loss == evals[-1] < 0.8 * evals[0]


def test_run_folder_holds_project_metrics_weights_and_summary(tmp_path):
    result = train(small_project(length=6), steps=10, runs_dir=tmp_path, overrides=SMALL)
    folder = result.run_dir
    assert sorted(p.name for p in folder.iterdir()) >= [
        "metrics.jsonl",
        "project.rsproj",
        "summary.json",
        "weights.safetensors",
    ]
    record = load_run(folder)
    assert record.status == "finished" and len(record.steps) == 10
    assert [e["step"] for e in record.evals] == [0, 5, 10]
    weights = record.weights()
    assert set(weights) == {
        "memory.weight_ih_l0",
        "memory.weight_hh_l0",
        "memory.bias_ih_l0",
        "memory.bias_hh_l0",
        "sum.weight",
        "sum.bias",
    }
    assert list_runs(tmp_path) == [folder]


def test_stop_from_another_thread_ends_the_run_cleanly(tmp_path):
    control = RunControl()
    seen = []

    def on_event(event):
        seen.append(event)
        if event["type"] == "step" and event["step"] == 3:
            threading.Thread(target=control.stop).start()

    result = train(small_project(length=6), on_event, control, steps=10_000, runs_dir=tmp_path, overrides=SMALL)
    assert result.status == "stopped" and result.steps < 100
    assert json.loads((result.run_dir / "summary.json").read_text())["status"] == "stopped"


def test_pause_waits_until_resumed(tmp_path):
    control = RunControl()
    statuses = []

    def on_event(event):
        if event["type"] == "status":
            statuses.append(event["status"])
            if event["status"] == "paused":
                threading.Timer(0.05, control.resume).start()
        if event["type"] == "step" and event["step"] == 2:
            control.pause()

    result = train(
        small_project(length=6), on_event, control, steps=5, runs_dir=tmp_path, record=False, overrides=SMALL
    )
    assert result.status == "finished" and result.steps == 5
    assert statuses == ["preparing", "running", "paused", "running", "finished"]


def test_a_diverging_run_stops_and_keeps_the_last_good_weights(tmp_path):
    project = small_project(length=6)
    result = train(
        project,
        steps=200,
        runs_dir=tmp_path,
        overrides={**SMALL, "optimizer": "sgd", "learning_rate": 9.0, "grad_clip": 0.0, "momentum": 0.99},
    )
    assert result.status == "diverged"
    assert "lower learning rate" in result.message
    weights = load_run(result.run_dir).weights()
    assert all(torch.isfinite(tensor).all() for tensor in weights.values())


def test_a_crash_inside_training_is_recorded_and_reported(tmp_path, monkeypatch):
    from engine import training

    def broken_step(self):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(training._Run, "_train_step", broken_step)
    with pytest.raises(TrainingError, match="out of memory"):
        train(small_project(length=6), steps=5, runs_dir=tmp_path, overrides=SMALL)
    assert load_run(list_runs(tmp_path)[0]).status == "failed"


def test_cuda_on_a_machine_without_one_is_a_clear_error(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(TrainingError, match="no CUDA GPU"):
        train(small_project(), steps=1, runs_dir=tmp_path, overrides={**SMALL, "device": "cuda"})


def test_run_folder_errors_are_clear(tmp_path):
    with pytest.raises(RunFolderError, match="not a folder"):
        load_run(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunFolderError, match="project.rsproj is missing"):
        load_run(tmp_path / "empty")
    result = train(small_project(length=4), steps=2, runs_dir=tmp_path, overrides=SMALL)
    summary = result.run_dir / "summary.json"
    summary.write_text(json.dumps({**json.loads(summary.read_text()), "run_format": 99}))
    with pytest.raises(RunFolderError, match="newer Recurrent Studio"):
        load_run(result.run_dir)
