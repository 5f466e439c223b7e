"""TensorBoard output, read back with TensorBoard's own event reader: the export of a run
folder and the live log of the same run hold the recorded losses, evaluations, baselines,
probe figures and gate heatmaps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from engine.cli import train_command
from engine.project import load_project, save_project
from engine.runs import list_runs, load_run
from engine.tensorboard_export import NOT_INSTALLED, TensorBoardError, TensorBoardSink, export_run

EXAMPLES = Path(__file__).resolve().parents[1] / "projects"
STEPS, LENGTH, HIDDEN = 12, 7, 5


def read_events(folder: Path) -> EventAccumulator:
    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def scalars(events: EventAccumulator, tag: str) -> dict[int, float]:
    return {event.step: event.value for event in events.Scalars(tag)}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One small LSTM run, trained through the CLI with a live TensorBoard log."""
    folder = tmp_path_factory.mktemp("tensorboard")
    project = load_project(EXAMPLES / "adding_lstm.rsproj")
    project.data["params"].update({"n_train": 48, "n_val": 16, "length": LENGTH})
    project.graph.set_param("memory", "hidden_size", HIDDEN)
    project.training.update({"eval_every": 4, "probe_every": 6, "probe_samples": 4, "batch_size": 16})
    path = save_project(project, folder / "small.rsproj")
    assert train_command(path, steps=STEPS, runs_dir=folder / "runs", tensorboard=folder / "live") == 0
    (run_dir,) = list_runs(folder / "runs")
    return load_run(run_dir), folder / "live"


def test_an_exported_run_reads_back_with_tensorboards_reader(trained, tmp_path):
    run, _ = trained
    target = export_run(run.path, tmp_path / "board")
    events = read_events(target)
    assert scalars(events, "train/loss") == pytest.approx({e["step"]: e["loss"] for e in run.steps}, rel=1e-6)
    assert list(scalars(events, "train/grad_norm")) == list(range(1, STEPS + 1))
    evals = {e["step"]: e["val_loss"] for e in run.evals}
    assert scalars(events, "eval/val_loss") == pytest.approx(evals, rel=1e-6) and list(evals) == [0, 4, 8, 12]
    baseline = run.summary["baseline_loss"]
    assert scalars(events, "baseline/loss") == pytest.approx({0: baseline, STEPS: baseline}, rel=1e-6)
    tags = events.Tags()
    assert list(scalars(events, "probe/memory/memory_horizon")) == [0, 6, 12]
    assert "probe/memory/spectral_radius/forget/l0d0" in tags["scalars"]
    heatmap = events.Images("gates/memory/input/l0d0")
    assert [image.step for image in heatmap] == [0, 6, 12]
    assert (heatmap[-1].height, heatmap[-1].width) == (HIDDEN, LENGTH)  # units down, time steps across


def test_the_live_log_holds_what_the_export_holds(trained, tmp_path):
    run, live_dir = trained
    live, exported = read_events(live_dir), read_events(export_run(run.path, tmp_path / "board"))
    assert set(live.Tags()["scalars"]) == set(exported.Tags()["scalars"])
    for tag in ("train/loss", "eval/val_loss", "probe/loss", "baseline/loss"):
        assert scalars(live, tag) == pytest.approx(scalars(exported, tag), rel=1e-6)


def test_export_defaults_to_a_folder_inside_the_run(trained):
    run, _ = trained
    assert export_run(run.path) == run.path / "tensorboard"
    assert read_events(run.path / "tensorboard").Scalars("train/loss")


def test_without_the_tensorboard_package_the_message_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # makes the import fail
    with pytest.raises(TensorBoardError, match="pip install"):
        TensorBoardSink(tmp_path)
    assert "tensorboard" in NOT_INSTALLED
