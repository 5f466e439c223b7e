"""Forecasting runs end to end: `new` + `train` on small generated files, judged against the
baselines in the data's own units, keeping the best weights; early stopping, learning-rate
schedules and the finite-snapshot rule."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import main
from engine.checkpoints import LearningRateSchedule, WeightKeeper
from engine.new_project import NewProjectChoices, create_project
from engine.training import train
from tests.test_time_series import hourly, weekly_with_gaps, wide_monthly, write, yearly

QUICK = {"probe_every": 0, "eval_every": 10, "batch_size": 32}


def trending(path: Path, rows: int = 240) -> Path:
    """A rising series with a 12-step wave: validation values lie beyond the training range."""
    t = np.arange(rows)
    values = 0.8 * t + 5 * np.sin(2 * np.pi * t / 12)
    return write(path, ["period,sales"] + [f"{i},{v:.4f}" for i, v in zip(t, values)])


def new(tmp_path: Path, data: Path | str, **choices):
    return create_project(tmp_path / "p.rsproj", NewProjectChoices(data=str(data), **choices))


def run(project, steps: int = 30, **settings):
    return train(project, steps=steps, overrides={**QUICK, **settings})


def test_yearly_new_and_train_report_baselines_in_data_units_and_keep_best_weights(tmp_path):
    project, notes = new(tmp_path, yearly(tmp_path / "y.csv"))
    assert any("time index: 'YEAR' (1 year), never an input" in note for note in notes)
    assert project.signature().features == 1
    result = run(project)
    report, summary = result.summary["forecast"], result.summary
    assert set(report["baselines"]) == {"mean", "persistence"} and report["step"] == "1 year"  # no season
    assert len(report["model"]["mae"]) == 1 and report["model"]["mape"] is not None
    # predictions.csv holds the same forecasts, in flow's own units (about 100).
    with open(result.run_dir / "predictions.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    truth = np.array([float(r["flow"]) for r in rows])
    prediction = np.array([float(r["prediction"]) for r in rows])
    assert 80 < truth.mean() < 120 and rows[0]["YEAR"].isdigit()
    assert np.abs(prediction - truth).mean() == pytest.approx(report["model"]["mae_all"], rel=1e-4)
    # The kept weights are the best validation loss's; the last ones are kept beside them.
    assert summary["best_val_loss"] == min(e["val_loss"] for e in _evals(result))
    best, last = (
        load_file(result.run_dir / "weights.safetensors"),
        load_file(result.run_dir / "weights_last.safetensors"),
    )
    assert best.keys() == last.keys()
    assert summary["best_step"] == result.steps or any(not torch.equal(best[k], last[k]) for k in best)


def _evals(result):
    import json

    lines = (result.run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [event for event in map(json.loads, lines) if event["type"] == "eval"]


def test_wide_monthly_table_trains_as_one_series_with_seasonal_naive(tmp_path):
    project, notes = new(tmp_path, wide_monthly(tmp_path / "w.csv"), layout="wide")
    assert "window: 12 rows (one season of 12)" in notes
    assert project.signature().features == 1
    report = run(project, steps=10).summary["forecast"]
    assert set(report["baselines"]) == {"mean", "persistence", "seasonal"}
    # this series repeats its months plus 100 a year: seasonal naive is off by exactly 100
    assert report["baselines"]["seasonal"]["mae_all"] == pytest.approx(100.0)


def test_weekly_file_with_long_gaps_is_split_and_hourly_gets_a_day_window(tmp_path):
    project, notes = new(tmp_path, weekly_with_gaps(tmp_path / "w.csv"), window=4)
    assert project.data["params"]["gaps"] == "split"
    assert any("the largest 18 steps: split into segments" in note for note in notes)
    report = run(project, steps=5).summary["forecast"]
    assert report["samples"] > 0 and "seasonal" not in report["baselines"]  # no stretch holds 2 x 52 weeks
    project, notes = new(tmp_path, hourly(tmp_path / "h.csv"))
    assert project.data["params"]["window"] == 24 and project.signature().features == 2


def test_diff_transform_beats_persistence_on_a_trending_series(tmp_path):
    project, _ = new(tmp_path, trending(tmp_path / "t.csv"), transform="diff", window=12)
    report = run(project, steps=300, learning_rate=0.01, eval_every=50).summary["forecast"]
    persistence = report["baselines"]["persistence"]["rmse_all"]
    assert report["model"]["rmse_all"] < 0.5 * persistence
    assert report["beats_best_baseline"] and "beats the best baseline" in report["verdict"]


def test_a_model_that_loses_to_persistence_is_told_so_with_causes(tmp_path):
    project, _ = new(tmp_path, trending(tmp_path / "t.csv"), window=12)
    report = run(project, steps=20).summary["forecast"]
    assert not report["beats_best_baseline"]
    assert "does not beat the best baseline" in report["verdict"] and "'diff' transform" in report["verdict"]


def test_multi_step_horizon_reports_errors_per_step(tmp_path):
    project, _ = new(tmp_path, trending(tmp_path / "t.csv"), window=12, horizon=3)
    report = run(project, steps=10).summary["forecast"]
    assert len(report["model"]["rmse"]) == 3 and len(report["baselines"]["persistence"]["rmse"]) == 3
    # persistence on a rising series gets worse with every step ahead
    assert report["baselines"]["persistence"]["rmse"][0] < report["baselines"]["persistence"]["rmse"][2]


def test_early_stopping_after_patience_keeps_the_best(tmp_path):
    project, _ = new(tmp_path, yearly(tmp_path / "y.csv"), window=5)
    result = run(project, steps=400, eval_every=1, patience=2, learning_rate=0.05)
    assert result.steps < 400 and "stopped early" in result.message
    assert result.summary["best_step"] == result.steps - 2


def test_learning_rate_schedules():
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=1.0)
    cosine = LearningRateSchedule(optimizer, "cosine", steps=10, lr_patience=0)
    for _ in range(10):
        optimizer.step()
        cosine.after_step()
    assert cosine.learning_rate == pytest.approx(0.0, abs=1e-9)
    optimizer = torch.optim.SGD([weight], lr=1.0)
    plateau = LearningRateSchedule(optimizer, "plateau", steps=10, lr_patience=1)
    for loss in (1.0, 1.0, 1.0):
        plateau.after_evaluation(loss)
    assert plateau.learning_rate == 0.5


def test_snapshots_are_kept_only_when_loss_and_weights_are_finite():
    model = torch.nn.Linear(2, 1)
    keeper = WeightKeeper(model)
    keeper.observe(10, 0.5, 0.4)
    with torch.no_grad():
        model.weight[0, 0] = math.nan
    keeper.observe(20, 0.3, 0.2)  # finite losses, but a weight is NaN: not kept
    keeper.observe(30, math.nan, None)
    assert keeper.last_finite.step == 10 and keeper.best.step == 10
    assert keeper.restore_last_finite() == 10 and torch.isfinite(model.weight).all()


def test_a_diverged_run_says_which_step_its_weights_are_from(tmp_path):
    project, _ = new(tmp_path, trending(tmp_path / "t.csv"), window=12)
    project.data["params"]["normalise"] = "none"  # values in the hundreds with a huge rate blow up
    result = run(project, steps=200, optimizer="sgd", learning_rate=10.0, grad_clip=0.0, eval_every=1)
    assert result.status == "diverged"
    assert "the last finite weights (from step" in result.message
    weights = load_file(result.run_dir / "weights.safetensors")
    assert all(torch.isfinite(tensor).all() for tensor in weights.values())


def test_cli_new_and_train_print_the_choices_and_the_baselines(tmp_path, capsys):
    data = trending(tmp_path / "t.csv")
    project = tmp_path / "cli.rsproj"
    assert main.main(["new", str(project), "--data", str(data), "--transform", "diff", "--cell", "gru"]) == 0
    out = capsys.readouterr().out
    assert "time index: 'period' (every 1), never an input" in out and "transform: diff" in out
    assert main.main(["train", str(project), "--steps", "5", "--probe-every", "0"]) == 0
    out = capsys.readouterr().out
    for words in ("errors in the data's own units", "persistence", "training mean", "kept weights"):
        assert words in out


def test_new_on_a_text_file_makes_a_character_model(tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 40, encoding="utf-8")
    project, notes = new(tmp_path, text, cell="rnn")
    assert project.data["task"] == "text" and project.signature().target_kind == "tokens"
    assert project.data["params"]["path"] == "story.txt"  # relative to the project's folder


def test_inspect_and_the_compare_table_show_the_baselines(tmp_path):
    from engine.compare import compare_cells, results_table
    from engine.report import inspect_report

    project, _ = new(tmp_path, trending(tmp_path / "t.csv"), window=12)
    result = run(project, steps=5)
    report = inspect_report(result.run_dir)
    assert "errors in the data's own units" in report and "persistence" in report and "kept weights" in report
    project.training.update(QUICK)
    comparison = compare_cells(project, ["GRU", "RNN"], False, 5, None, tmp_path / "cmp", lambda event: None)
    table = results_table(comparison.results)
    column = table[0].index("RMSE: model / best baseline")
    assert all(row[column].endswith(("persistence", "training mean")) for row in table[1:])


def test_a_run_of_a_project_with_a_relative_data_path_reads_its_data_again(tmp_path):
    from engine.data import load_dataset
    from engine.predictions import predictions
    from engine.run_model import trained_model
    from engine.runs import load_run

    project, _ = new(tmp_path, trending(tmp_path / "t.csv"), window=12)
    assert project.data["params"]["path"] == "t.csv"
    record = load_run(run(project, steps=3).run_dir)
    assert record.project.data["params"]["path"] == str((tmp_path / "t.csv").resolve())
    data = load_dataset(record.project.data, record.project.base_dir)
    assert predictions(trained_model(record, data.signature), data)["units"] == "sales"
