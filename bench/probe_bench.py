"""Probe cost: training throughput with the default probe schedule against probes off, and the
time of one large probe. Run: `python bench/probe_bench.py [--quick]`.

1. Throughput: the adding problem (length 50, batch 64, one 64-unit LSTM), trained with
   probe_every 100 (the default, 8 samples) and with probes off, in alternating runs of the
   same process; steps per second between the first and the last step event (probes,
   evaluations and writing the run folder included), median over the rounds.
2. One probe of 32 validation sequences of 200 steps through a 2-layer, 128-unit LSTM:
   median of repeated `ProbeSession.run` calls after one warm-up, beside the fused
   forward + backward of the same batch for scale.

Both are measured in wall-clock time and in this process's CPU time. On a machine shared with
other work the wall clock measures the neighbours as much as the code; with one torch thread
(`--threads 1`, as the GUI's training process uses on 2 cores) the CPU time still measures the
work itself. Prints a table and writes bench/results/probe_bench.json (with --quick:
bench/results/quick/probe_bench.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from engine.compiler import compile_graph  # noqa: E402
from engine.data import load_dataset  # noqa: E402
from engine.graph import GraphDocument  # noqa: E402
from engine.probes import ProbeSession  # noqa: E402
from engine.project import Project  # noqa: E402
from engine.training import train  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "probe_bench.json"
DEFAULT_RESULTS = RESULTS


def adding_project(length: int, hidden: int, layers: int, output: str, n_train: int, n_val: int) -> Project:
    project = Project(
        data={"task": "adding", "params": {"length": length, "n_train": n_train, "n_val": n_val}}, name="probe bench"
    )
    project.refresh_signature()
    doc: GraphDocument = project.graph
    doc.add_node("SequenceInput", {}, node_id="sequence")
    doc.add_node("LSTM", {"hidden_size": hidden, "layers": layers, "output": output}, node_id="memory")
    doc.add_node("Regression", {}, node_id="sum")
    doc.connect("sequence", "out", "memory", "in")
    doc.connect("memory", "out", "sum", "in")
    project.training.update({"batch_size": 64, "learning_rate": 0.003})
    return project


def steps_per_second(project: Project, steps: int, probe_every: int, runs_dir: Path) -> dict:
    """Training throughput between the first and last step events (wall clock and CPU time)."""
    stamps, probes = [], []

    def on_event(event):
        if event["type"] == "step":
            stamps.append((time.perf_counter(), time.process_time()))
        elif event["type"] == "probe":
            probes.append(event["step"])

    train(project, on_event, steps=steps, runs_dir=runs_dir, overrides={"probe_every": probe_every})
    (wall0, cpu0), (wall1, cpu1) = stamps[0], stamps[-1]
    return {
        "wall": (len(stamps) - 1) / (wall1 - wall0),
        "cpu": (len(stamps) - 1) / (cpu1 - cpu0),
        "probes": len(probes),
    }


def throughput(rounds: int, steps: int, quick: bool = False) -> dict:
    project = adding_project(50, 64, 1, "last", *((512, 64) if quick else (4000, 500)))
    measured: dict[str, list[dict]] = {"off": [], "on": []}
    with tempfile.TemporaryDirectory() as runs:
        steps_per_second(project, 10 if quick else 50, 0, Path(runs))  # warm-up: first backward passes are slow
        for _ in range(rounds):
            for name, every in (("off", 0), ("on", 100)):  # interleaved, so drifts hit both
                measured[name].append(steps_per_second(project, steps, every, Path(runs)))
    result = {
        "task": "adding, length 50, batch 64, LSTM 64 units",
        "steps_per_run": steps,
        "rounds": rounds,
        "probe_every": 100,
        "probe_samples": 8,
        "runs": measured,
    }
    for clock in ("wall", "cpu"):
        off = statistics.median(run[clock] for run in measured["off"])
        on = statistics.median(run[clock] for run in measured["on"])
        result[clock] = {
            "steps_per_second_off": off,
            "steps_per_second_on": on,
            "slowdown_percent": 100 * (1 - on / off),
        }
    return result


def single_probe(repeats: int) -> dict:
    project = adding_project(200, 128, 2, "last", 32, 32)
    data = load_dataset(project.data, None, seed=0)
    torch.manual_seed(0)
    model = compile_graph(project.graph, data.signature)
    session = ProbeSession(model, data, 32)
    session.run(0)
    probe_times, probe_cpu = [], []
    for step in range(1, repeats + 1):
        started, cpu = time.perf_counter(), time.process_time()
        session.run(step)
        probe_times.append(time.perf_counter() - started)
        probe_cpu.append(time.process_time() - cpu)
    fused_times = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.loss(model(data.x_val), data.y_val).backward()
        fused_times.append(time.perf_counter() - started)
    model.zero_grad(set_to_none=True)
    return {
        "batch": "32 sequences x 200 steps",
        "model": "LSTM, 2 layers x 128 units",
        "repeats": repeats,
        "probe_seconds": probe_times,
        "median_probe_seconds": statistics.median(probe_times),
        "median_probe_cpu_seconds": statistics.median(probe_cpu),
        "median_fused_forward_backward_seconds": statistics.median(fused_times),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one round of 150 steps and 2 probe repeats: a smoke run of seconds, figures meaningless",
    )
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    rounds, steps, repeats = (1, 150, 2) if args.quick else (5, 1000, 7)
    probe = single_probe(repeats)
    rate = throughput(rounds, steps, args.quick)
    result = {
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "cores": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "throughput": rate,
        "single_probe": probe,
    }
    results = RESULTS
    if args.quick and RESULTS == DEFAULT_RESULTS:  # a smoke run never replaces real figures
        results = RESULTS.parent / "quick" / RESULTS.name
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(result, indent=2) + "\n")
    wall, cpu = rate["wall"], rate["cpu"]
    rows = [
        ("training, probes off (steps/s, median)", wall["steps_per_second_off"], cpu["steps_per_second_off"]),
        (
            "training, probe every 100 steps, 8 samples (steps/s)",
            wall["steps_per_second_on"],
            cpu["steps_per_second_on"],
        ),
        ("slowdown with probes (%)", wall["slowdown_percent"], cpu["slowdown_percent"]),
        (
            "one probe: 32 x 200 steps, LSTM 2 x 128 (s, median)",
            probe["median_probe_seconds"],
            probe["median_probe_cpu_seconds"],
        ),
        ("  fused forward + backward of that batch (s)", probe["median_fused_forward_backward_seconds"], None),
    ]
    print(f"{'measurement':54s} {'wall clock':>11s} {'CPU time':>11s}")
    for label, by_wall, by_cpu in rows:
        print(f"{label:54s} {by_wall:11.3f} " + ("" if by_cpu is None else f"{by_cpu:11.3f}"))
    print(f"torch threads {torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}")
    print(f"written to {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
