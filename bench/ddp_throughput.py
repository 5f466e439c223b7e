"""Throughput of data-parallel training on one machine: `--nproc 2` with one torch thread per
process against one process with two threads, through the real paths (engine.distributed's
launcher with DDP on gloo, and engine.training's `train`), same project, same global batch.

Throughput is steps per second between the first and the last step event as the caller
receives them, so process start-up and the final evaluation are left out while the per-step
collectives (DDP's gradient all-reduce, the loss mean, the pause/stop broadcast) are in.
The two alternate `repeats` times; the verdict is the median of the per-pair ratios.
Target: DDP's overhead under 15 %, i.e. ratio (two processes' throughput / one process's) >= 0.85.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch

from engine.distributed import Launch, train_distributed
from engine.training import train

from .common import median, paired_ratio, print_table
from .training_step import adding_project

TARGET_RATIO = 0.85  # two processes' steps/s over one process's: at most 15 % lost to DDP
FULL = {"batch": 256, "length": 50, "hidden": 128, "steps": 60, "repeats": 3}
QUICK = {"batch": 16, "length": 8, "hidden": 8, "steps": 6, "repeats": 1}


def project_for(size: dict):
    project = adding_project("LSTM", 1, False, size)  # 16 batches of training data
    project.training.update({"eval_every": 1_000_000, "probe_every": 0})
    return project


def steps_per_second(events: list[tuple[float, dict]]) -> float:
    times = [stamp for stamp, event in events if event["type"] == "step"]
    return (len(times) - 1) / (times[-1] - times[0])


def timed_sink(store: list):
    return lambda event: store.append((time.perf_counter(), event))


def one_process(project, size: dict) -> float:
    events: list = []
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        train(project, timed_sink(events), steps=size["steps"], record=False)
    finally:
        torch.set_num_threads(threads)
    return steps_per_second(events)


def two_processes(project, size: dict) -> float:
    events: list = []
    with tempfile.TemporaryDirectory() as runs_dir:  # rank 0 always writes a run folder
        launch = Launch(nproc=2, threads=1)
        train_distributed(project, launch, timed_sink(events), steps=size["steps"], runs_dir=Path(runs_dir))
    return steps_per_second(events)


def run(quick: bool = False) -> dict:
    size = QUICK if quick else FULL
    project = project_for(size)
    one_process(project, {**size, "steps": 3})  # one-time costs (kernel set-up) out of the first sample
    alone, spread = [], []
    for _ in range(size["repeats"]):
        alone.append(one_process(project, size))
        spread.append(two_processes(project, size))
    ratio = paired_ratio(spread, alone)
    print_table(
        f"DDP throughput: LSTM hidden {size['hidden']}, length {size['length']}, global batch {size['batch']}, "
        f"{size['steps']} steps, {size['repeats']} alternating pairs",
        [
            ("path", "steps/s (median)", "ratio to one process", f">= {TARGET_RATIO}"),
            ("1 process, 2 threads", median(alone), 1.0, ""),
            (
                "2 processes (DDP, gloo), 1 thread each",
                median(spread),
                ratio,
                "met" if ratio >= TARGET_RATIO else "MISSED",
            ),
        ],
    )
    return {
        "size": size,
        "one_process_steps_per_second": alone,
        "two_processes_steps_per_second": spread,
        "ratio": ratio,
        "overhead": 1 - ratio,
        "target_ratio": TARGET_RATIO,
        "target_met": ratio >= TARGET_RATIO,
    }
