"""Data-parallel training through torchrun's agent: two CPU processes on gloo follow the
single-process run, rank 0 alone records, pause and stop reach every rank, a dead rank is
named, and bad launch requests get one line within seconds."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import torch

from engine.distributed import Launch, check_launch, train_distributed
from engine.errors import UserError
from engine.project import load_project
from engine.runs import list_runs, load_run
from engine.settings import check_training
from engine.training import RunControl, TrainingError, train

EXAMPLES = Path(__file__).resolve().parents[1] / "projects"
TINY = {"eval_every": 10, "batch_size": 15, "probe_every": 10, "probe_samples": 4}  # 15: slices of 8 and 7


def tiny_project():
    project = load_project(EXAMPLES / "adding_lstm.rsproj")
    project.data["params"].update({"n_train": 60, "n_val": 16, "length": 8})
    project.graph.set_param("memory", "hidden_size", 6)
    # A branch that does not reach the head: DDP must not wait for gradients it never gets.
    project.graph.add_node("GRU", {"hidden_size": 4}, node_id="dangling")
    project.graph.connect("sequence", "out", "dangling", "in")
    return project


def step_losses(events):
    return [event["loss"] for event in events if event["type"] == "step"]


def test_two_processes_follow_the_single_process_losses_and_rank_zero_alone_records(tmp_path):
    alone = []
    train(tiny_project(), alone.append, steps=20, record=False, overrides=TINY)
    spread = []
    result = train_distributed(
        tiny_project(), Launch(nproc=2), spread.append, steps=20, runs_dir=tmp_path, overrides=TINY
    )
    assert result.status == "finished" and len(step_losses(spread)) == 20
    assert step_losses(spread) == pytest.approx(step_losses(alone), rel=1e-5, abs=1e-7)
    assert [e["step"] for e in spread if e["type"] == "probe"] == [0, 10, 20]
    (folder,) = list_runs(tmp_path)  # one run folder, from rank 0
    run = load_run(folder)
    assert run.status == "finished" and len(run.steps) == 20 and folder == result.run_dir
    assert [e["loss"] for e in run.steps] == step_losses(spread)


def test_the_windows_training_job_runs_two_processes_and_pause_and_stop_reach_every_rank(tmp_path):
    """Through the GUI child's own job function (gui.training.child imports no Qt): the
    project's 'processes' setting spreads the run, the predictions view still gets its data."""
    from gui.training.child import JOBS

    control, events, finished = RunControl(), [], threading.Event()
    paused = threading.Event()

    def on_event(event):
        events.append(event)
        if event["type"] == "step" and event["step"] == 3:
            control.pause()
        if event["type"] == "status" and event["status"] == "paused":
            paused.set()

    job = {
        "kind": "train",
        "project": tiny_project().to_dict(),
        "steps": 100_000,
        "runs_dir": str(tmp_path),
        "overrides": {**TINY, "processes": 2},
    }
    worker = threading.Thread(target=lambda: (JOBS["train"](job, on_event, control), finished.set()))
    worker.start()
    assert paused.wait(120)
    steps_when_paused = len(step_losses(events))
    time.sleep(2.5)  # longer than the heartbeat: the waiting rank must neither time out nor run on
    assert len(step_losses(events)) == steps_when_paused
    control.resume()
    while len(step_losses(events)) < steps_when_paused + 2:
        time.sleep(0.05)
    control.stop()
    worker.join(60)
    assert finished.is_set(), "a rank kept training after stop"
    assert [e["status"] for e in events if e["type"] == "status"][-3:] == ["paused", "running", "stopped"]
    assert any(e["type"] == "predictions" for e in events)  # rank 0 ran the window's evaluation hook
    (folder,) = list_runs(tmp_path)
    assert load_run(folder).status == "stopped"


def _worker_pids(rank: int) -> list[int]:
    """This test process's children (the agent's workers) whose global rank is `rank`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            environment = (entry / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and f"RANK={rank}".encode() in environment:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the worker through /proc (Linux)")
def test_a_rank_that_dies_ends_the_run_with_a_message_naming_it(tmp_path):
    def kill_rank_one(event):
        if event["type"] == "step" and event["step"] == 2:
            for pid in _worker_pids(1):
                os.kill(pid, signal.SIGKILL)

    started = time.monotonic()
    with pytest.raises(TrainingError, match=r"rank 1 \(pid \d+\) died \(signal SIGKILL\)"):
        train_distributed(
            tiny_project(), Launch(nproc=2), kill_rank_one, steps=100_000, runs_dir=tmp_path, overrides=TINY
        )
    assert time.monotonic() - started < 60
    (folder,) = list_runs(tmp_path)
    # Rank 0 records the failure if it sees it before the agent ends it; either way not "finished".
    assert load_run(folder).status in ("failed", "interrupted")


def test_a_machine_that_never_joins_times_out_with_a_message(tmp_path):
    launch = Launch(nnodes=2, node_rank=0, rdzv_endpoint="127.0.0.1:29513", join_timeout=2)
    started = time.monotonic()
    with pytest.raises(TrainingError, match="not every machine joined within 2 s.*--node-rank 1"):
        train_distributed(tiny_project(), launch, steps=5, runs_dir=tmp_path, overrides=TINY)
    assert time.monotonic() - started < 30
    assert list_runs(tmp_path) == []


def test_an_endpoint_that_cannot_be_reached_gets_a_message():
    launch = Launch(nnodes=2, node_rank=1, rdzv_endpoint="127.0.0.1:9", join_timeout=1)  # port 9: nobody listens
    with pytest.raises(TrainingError, match="could not reach node 0 at 127.0.0.1:9 within 1 s"):
        train_distributed(tiny_project(), launch, steps=5, overrides=TINY)


SETTINGS = check_training(TINY)


@pytest.mark.parametrize(
    "launch, settings, message",
    [
        (dict(nproc=10_000), SETTINGS, "far more than this machine's"),
        (dict(nproc=2, backend="nccl"), SETTINGS, "NCCL backend needs CUDA"),
        (dict(nproc=2), {**SETTINGS, "batch_size": 1}, "batch size 1 cannot be split over 2 processes"),
        (dict(nnodes=2), SETTINGS, "--rdzv-endpoint is missing"),
        (dict(nnodes=2, rdzv_endpoint="node0"), SETTINGS, "is not HOST:PORT"),
        (dict(nnodes=2, rdzv_endpoint="no-such-host.invalid:29500"), SETTINGS, "cannot be found"),
    ],
)
def test_launch_requests_that_cannot_work_are_refused(launch, settings, message):
    if "nccl" in message and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(TrainingError, match=message):
        check_launch(Launch(**launch), settings)


@pytest.mark.parametrize("launch", [dict(nproc=0), dict(nnodes=2, node_rank=2), dict(join_timeout=0)])
def test_launch_options_out_of_range_are_refused(launch):
    with pytest.raises(TrainingError):
        Launch(**launch)


def test_more_processes_than_cores_is_a_warning():
    warnings = []
    cores = os.cpu_count() or 1
    assert check_launch(Launch(nproc=cores + 1), {**SETTINGS, "batch_size": 64}, warnings.append) == "gloo"
    assert len(warnings) == 1 and "exceeds this machine's" in warnings[0]


def test_mixed_precision_on_the_cpu_is_refused_before_any_process_starts():
    with pytest.raises(UserError, match="precision 'bf16' trains only on a CUDA GPU.*set precision to float32"):
        check_launch(Launch(nproc=2), {**SETTINGS, "precision": "bf16", "device": "cpu"})


def test_a_schedule_only_rank_zero_could_follow_is_refused():
    with pytest.raises(TrainingError, match="'plateau' learning-rate schedule needs one process"):
        check_launch(Launch(nproc=2), {**SETTINGS, "lr_schedule": "plateau"})
