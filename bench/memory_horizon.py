"""Memory horizon on the adding problem: trained RNN, GRU and LSTM at length 100.

The adding problem marks one value in each half of the sequence, so a model that solves it
must reach back at least 50 steps. Each cell trains 500 steps (hidden 16, batch 32, learning
rate 0.03; the LSTM with forget_bias 1.0) and its last probe's memory horizon is reported beside
its validation MSE (always answering 1 scores about 0.167). The claim checked: the tanh RNN's
horizon stays short (< 25) while the GRU's and the LSTM's reach the marked positions (>= 50).
Run: `python -m bench memory_horizon` (or `python bench/memory_horizon.py [--quick] [--seeds N]`);
writes bench/results/memory_horizon.json.
Slow on a shared 2-core machine (a minute or more), hence a benchmark, not a test; the fast
version is tests/test_memory_horizon.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import torch  # noqa: E402
from probe_models import adding_project  # noqa: E402

from bench.common import RESULTS_DIR, write_result  # noqa: E402
from engine.training import train  # noqa: E402

CELLS = (("RNN", {}), ("GRU", {}), ("LSTM", {"forget_bias": 1.0}), ("LSTM", {}))


def trained_horizon(cell: str, block: dict, steps: int, seed: int) -> dict:
    project = adding_project(cell, length=100, hidden=16, n_val=16, n_train=2000, **block)
    project.training.update(
        {"batch_size": 32, "learning_rate": 0.03, "eval_every": steps, "probe_every": 100, "seed": seed}
    )
    events = []
    started = time.perf_counter()
    train(project, events.append, steps=steps, record=False)
    probes = [e["probe"]["blocks"]["memory"] for e in events if e["type"] == "probe"]
    return {
        "cell": cell + (f" forget_bias {block['forget_bias']:g}" if block else ""),
        "seed": seed,
        "val_loss": [e for e in events if e["type"] == "eval"][-1]["val_loss"],
        "horizon_over_training": [p["memory_horizon"] for p in probes],
        "horizon": probes[-1]["memory_horizon"],
        "seconds": time.perf_counter() - started,
    }


def run(quick: bool, seeds: int = 1) -> dict:
    """Train each cell (50 steps when quick: a smoke run, figures meaningless); print the table."""
    torch.set_num_threads(1)
    steps = 50 if quick else 500
    rows = [trained_horizon(cell, block, steps, seed) for seed in range(seeds) for cell, block in CELLS]
    print(f"{'cell':24s} {'seed':>4s} {'val MSE':>8s} {'horizon':>7s}  horizon every 100 steps")
    for row in rows:
        print(
            f"{row['cell']:24s} {row['seed']:4d} {row['val_loss']:8.4f} {row['horizon']:7d}  {row['horizon_over_training']}"
        )
    claim = all(r["horizon"] < 25 for r in rows if r["cell"] == "RNN") and all(
        r["horizon"] >= 50 for r in rows if r["cell"] in ("GRU", "LSTM forget_bias 1")
    )
    print("claim holds" if claim else "claim FAILS", "(RNN < 25; GRU and LSTM forget_bias 1 >= 50)")
    return {"steps": steps, "rows": rows, "claim_holds": claim}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 steps, one seed: a smoke run, figures meaningless")
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args(argv)
    result = run(args.quick, args.seeds)
    write_result(
        "memory_horizon", {"quick": args.quick, **result}, RESULTS_DIR / "quick" if args.quick else RESULTS_DIR
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
