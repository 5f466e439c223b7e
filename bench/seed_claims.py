"""The seeds' claims, measured: RNN, LSTM and GRU on the adding problem.

Claims under test: GRUs train faster than LSTMs with fewer parameters and match them; plain
RNNs fail on long dependencies. For sequence lengths 50, 100 and 200, each cell is trained
(SequenceInput -> cell, last state -> Regression) at an equal hidden size, and GRU and RNN
again at the hidden size whose parameter count is closest to the LSTM's (the matching of
engine.compare, which the compare dialog uses). Each variant trains on 3 seeds (the seed sets
data, weights and batch order; the same for every variant) with engine.training.train:
Adam (lr 0.01), batch 64, gradient clipping 1.0, evaluation every 50 steps on 256
validation sequences, no probes, stopping at the first evaluation with validation MSE < 0.01
or at the budget of 1000 steps. `--forget-bias 1.0` initialises the LSTM's forget-gate bias
1.0 higher (the block's forget_bias setting, Jozefowicz et al. 2015) and writes
seed_claims_forget_bias_1.json beside the default results; `--lengths 200` runs one length.

Reported per variant: parameters; time per training step, measured by interleaving the
variants' engine training steps in one process; steps to reach the target, or "not
reached", and seconds to reach it (those steps times the interleaved step time; the runs'
own training seconds, which vary with load, are kept in the JSON); final validation MSE.
Runs go to min(2, cores) worker processes with one torch thread each, so the set fits
`make bench`'s budget; `python -m bench.seed_claims --steps N` runs a longer budget.
Writes a summary paragraph to bench/results/seed_claims.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass

import torch

from engine.compare import matched_hidden_sizes, parameter_count
from engine.project import Project
from engine.training import RunControl, train

from .common import RESULTS_DIR, interleave, median, out_dir, print_table, write_result
from .summary_claims import summary_paragraph

TARGET_MSE = 0.01
FULL = {
    "lengths": (50, 100, 200),
    "seeds": (0, 1, 2),
    "hidden": 32,
    "steps": 1000,
    "eval_every": 50,
    "learning_rate": 0.01,
    "batch_size": 64,
    "n_train": 4000,
    "n_val": 256,
    "timing_repeats": 21,
    "workers": 2,
    "forget_bias": 0.0,
}
# Quick runs in this process: spawning workers would cost more than the runs themselves.
QUICK = {
    "lengths": (10,),
    "seeds": (0, 1),
    "hidden": 8,
    "steps": 20,
    "eval_every": 10,
    "learning_rate": 0.01,
    "batch_size": 16,
    "n_train": 128,
    "n_val": 32,
    "timing_repeats": 2,
    "workers": 1,
    "forget_bias": 0.0,
}


@dataclass(frozen=True)
class Variant:
    length: int
    cell: str
    sizing: str  # "equal" hidden size, "matched" parameter count, or "both" (the LSTM)
    hidden: int
    parameters: int

    @property
    def label(self) -> str:
        return f"{self.cell} ({self.sizing})" if self.sizing != "both" else self.cell


def adding_project(cell: str, hidden: int, length: int, config: dict, seed: int = 0) -> Project:
    data = {"task": "adding", "params": {"length": length, "n_train": config["n_train"], "n_val": config["n_val"]}}
    project = Project(data=data, name=f"adding-{length}-{cell.lower()}-{hidden}")
    project.refresh_signature()
    doc = project.graph
    doc.add_node("SequenceInput", node_id="sequence")
    params = {"hidden_size": hidden, "output": "last"}
    if cell == "LSTM" and config["forget_bias"]:
        params["forget_bias"] = config["forget_bias"]
    doc.add_node(cell, params, node_id="memory")
    doc.add_node("Regression", node_id="sum")
    doc.connect("sequence", "out", "memory", "in")
    doc.connect("memory", "out", "sum", "in")
    project.training.update(
        {
            "learning_rate": config["learning_rate"],
            "batch_size": config["batch_size"],
            "steps": config["steps"],
            "eval_every": config["eval_every"],
            "probe_every": 0,
            "grad_clip": 1.0,
            "seed": seed,
            "device": "cpu",
        }
    )
    return project


def variants_for(length: int, config: dict) -> list[Variant]:
    hidden = config["hidden"]
    lstm = adding_project("LSTM", hidden, length, config)
    found = [Variant(length, "LSTM", "both", hidden, parameter_count(lstm))]
    for cell in ("GRU", "RNN"):
        found.append(
            Variant(length, cell, "equal", hidden, parameter_count(adding_project(cell, hidden, length, config)))
        )
        matched = matched_hidden_sizes(lstm, cell)["memory"]
        found.append(
            Variant(length, cell, "matched", matched, parameter_count(adding_project(cell, matched, length, config)))
        )
    return found


class Tracker:
    """Event sink of one run: keeps evaluations and stops the run at the target."""

    def __init__(self, control: RunControl):
        self.control, self.seconds = control, 0.0
        self.evals: list[tuple[int, float]] = []
        self.reached: tuple[int, float] | None = None  # (step, training seconds)

    def __call__(self, event: dict) -> None:
        if event["type"] == "step":
            self.seconds = event["seconds"]
        elif event["type"] == "eval":
            self.evals.append((event["step"], event["val_loss"]))
            if self.reached is None and event["val_loss"] < TARGET_MSE:
                self.reached = (event["step"], self.seconds)
                self.control.stop()


def train_variant(job: tuple[Variant, int, dict]) -> dict:
    """One training run (in a worker process): the variant on one seed."""
    variant, seed, config = job
    project = adding_project(variant.cell, variant.hidden, variant.length, config, seed)
    control = RunControl()
    tracker = Tracker(control)
    result = train(project, tracker, control, record=False)
    return {
        "variant": asdict(variant),
        "seed": seed,
        "steps_run": result.steps,
        "steps_to_target": tracker.reached[0] if tracker.reached else None,
        "seconds_to_target": tracker.reached[1] if tracker.reached else None,
        "final_val_mse": tracker.evals[-1][1],
        "seconds_per_step": result.summary["seconds_per_step"],
        "evals": tracker.evals,
    }


def _init_worker(threads: int) -> None:
    torch.set_num_threads(threads)


def run_all(jobs: list[tuple[Variant, int, dict]], workers: int) -> list[dict]:
    """Runs in worker processes (spawned: never fork a process that has run torch), longest
    jobs first so the workers finish together; with one worker, in this process."""
    workers = min(workers, os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        return [train_variant(job) for job in jobs]
    threads = int(os.environ.get("BENCH_THREADS", "1"))
    jobs = sorted(jobs, key=lambda job: -job[0].length * (3 if job[0].cell != "LSTM" else 1))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(threads,)) as pool:
        return list(pool.map(train_variant, jobs))


def step_times(variants: list[Variant], config: dict) -> dict[str, float]:
    """Median seconds per engine training step of each variant, interleaved in this process."""
    from .training_step import prepared_run

    runs = {v.label: prepared_run(adding_project(v.cell, v.hidden, v.length, config)) for v in variants}
    times = interleave({label: run._train_step for label, run in runs.items()}, config["timing_repeats"], warmup=2)
    return {label: median(samples) for label, samples in times.items()}


def aggregate(variant: Variant, runs: list[dict], step_seconds: float) -> dict:
    reached = [r["steps_to_target"] for r in runs]
    # Seconds are steps x the interleaved step time: the runs' own clocks share the machine
    # with the other worker and whatever else runs, and vary by 2x under load (kept in JSON).
    seconds = [None if steps is None else steps * step_seconds for steps in reached]
    return {
        **asdict(variant),
        "label": variant.label,
        "seconds_per_step": step_seconds,
        "reached": sum(s is not None for s in reached),
        "seeds": len(runs),
        "steps_to_target": reached,
        "seconds_to_target": seconds,
        "run_seconds_to_target": [r["seconds_to_target"] for r in runs],
        "median_steps_to_target": _median_or_none(reached),
        "median_seconds_to_target": _median_or_none(seconds),
        "final_val_mse": [r["final_val_mse"] for r in runs],
        "median_final_val_mse": statistics.median(r["final_val_mse"] for r in runs),
    }


def _median_or_none(values: list[float | None]) -> float | None:
    """Median with "not reached" counted as infinitely slow; None if it lands there."""
    ordered = sorted(values, key=lambda v: float("inf") if v is None else v)
    middle = ordered[(len(ordered) - 1) // 2] if len(ordered) % 2 else None
    if len(ordered) % 2 == 0:
        low, high = ordered[len(ordered) // 2 - 1], ordered[len(ordered) // 2]
        middle = None if high is None else (low + high) / 2
    return middle


def run(quick: bool = False, steps: int | None = None, summary_name: str = "seed_claims.md", **changes) -> dict:
    config = {**(QUICK if quick else FULL), **changes}
    if steps:
        config["steps"] = steps
    variants = [v for length in config["lengths"] for v in variants_for(length, config)]
    runs = run_all([(v, seed, config) for v in variants for seed in config["seeds"]], config["workers"])
    rows = []
    for length in config["lengths"]:
        group = [v for v in variants if v.length == length]
        timing = step_times(group, config)
        for v in group:
            mine = sorted((r for r in runs if Variant(**r["variant"]) == v), key=lambda r: r["seed"])
            rows.append(aggregate(v, mine, timing[v.label]))
    print_table(
        f"Adding problem, target validation MSE < {TARGET_MSE}, budget {config['steps']} steps, "
        f"seeds {list(config['seeds'])}, batch {config['batch_size']}, Adam lr {config['learning_rate']}, "
        f"LSTM forget_bias {config['forget_bias']:g}; "
        f"ms/step interleaved in one process, torch threads {torch.get_num_threads()}",
        table(rows),
    )
    text = summary_paragraph(rows, config, TARGET_MSE)
    print("\n" + text)
    if not quick:
        out_dir().mkdir(parents=True, exist_ok=True)
        (out_dir() / summary_name).write_text(text + "\n")
    return {"config": config, "target_mse": TARGET_MSE, "variants": rows, "runs": runs, "summary": text}


def table(rows: list[dict]) -> list[tuple]:
    out = [
        (
            "length",
            "variant",
            "hidden",
            "params",
            "ms/step",
            "vs LSTM",
            "reached",
            "steps to target",
            "s to target (steps x ms/step)",
            "final val MSE",
        )
    ]
    for r in rows:
        lstm = next(x for x in rows if x["length"] == r["length"] and x["cell"] == "LSTM")
        out.append(
            (
                r["length"],
                r["label"],
                r["hidden"],
                f"{r['parameters']:,}",
                f"{1000 * r['seconds_per_step']:.1f}",
                f"{r['seconds_per_step'] / lstm['seconds_per_step']:.2f}x",
                f"{r['reached']}/{r['seeds']}",
                _with_seeds(r["median_steps_to_target"], r["steps_to_target"], "{:.0f}"),
                _with_seeds(r["median_seconds_to_target"], r["seconds_to_target"], "{:.1f}"),
                _with_seeds(r["median_final_val_mse"], r["final_val_mse"], "{:.4f}"),
            )
        )
    return out


def _with_seeds(middle, values, form: str) -> str:
    def show(value):
        return "-" if value is None else form.format(value)

    shown = "not reached" if middle is None else show(middle)
    return f"{shown} ({' / '.join(show(v) for v in values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help=f"step budget per run (default {FULL['steps']})")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--forget-bias", type=float, default=0.0, help="the LSTM's forget_bias (default 0)")
    parser.add_argument("--lengths", type=lambda text: tuple(int(n) for n in text.split(",")), help="e.g. 200")
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))
    name = "seed_claims" if not args.steps else f"seed_claims_{args.steps}_steps"
    changes = {"forget_bias": args.forget_bias}
    if args.forget_bias:
        name += f"_forget_bias_{args.forget_bias:g}"
    if args.lengths:
        changes["lengths"] = args.lengths
        name += "_length_" + "_".join(map(str, args.lengths))
    result = run(args.quick, args.steps, f"{name}.md", **changes)
    write_result(name, {"quick": args.quick, **result}, RESULTS_DIR / "quick" if args.quick else RESULTS_DIR)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
