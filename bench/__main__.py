"""`python -m bench [NAME ...] [--quick] [--threads N] [--out DIR]`: run the benchmarks.

With no names, every benchmark in BENCHMARKS runs in order (what `make bench` does; the
whole set fits in 15 minutes on 2 cores). Each prints its table and leaves
<out>/<name>.json with the figures and the machine they were measured on. `--quick` runs
every benchmark with tiny sizes in seconds (the smoke test's mode; figures meaningless)
and writes under bench/results/quick/ unless --out says otherwise.

A benchmark is a module with `run(quick: bool) -> dict`; adding one is adding a line to
BENCHMARKS. A module with only a `main(argv)` that writes its own JSON (probe_bench.py) is
called with ["--quick"] or [] and its JSON is read back.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from .common import RESULTS_DIR, machine_info, write_result


@dataclass(frozen=True)
class Benchmark:
    name: str  # command-line name and results/<name>.json
    module: str
    summary: str
    kind: str = "engine"  # "gui" for the ones that open windows (the engine smoke test skips them)


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("training_step", "bench.training_step", "compiled model vs hand-written PyTorch, per step"),
    Benchmark("probe_bench", "bench.probe_bench", "probe overhead on training throughput"),
    Benchmark("graph_scaling", "bench.graph_scaling", "validate + shape inference + compile, 10-1000 nodes"),
    Benchmark("project_files", "bench.project_files", "save/load of a 500-node project vs json"),
    Benchmark("seed_claims", "bench.seed_claims", "RNN vs LSTM vs GRU on the adding problem"),
    Benchmark("packing", "bench.packing", "variable-length training vs hand-written packing; tokenising 100k texts"),
    Benchmark("csv_read", "bench.csv_read", "read + window a 1M-row CSV vs numpy.loadtxt and csv, and memory"),
    Benchmark("data_memory", "bench.data_memory", "peak RSS training on a 10M-row CSV, window 256 vs 16"),
    Benchmark(
        "memory_horizon", "bench.memory_horizon", "memory horizon of trained RNN, GRU and LSTM on the adding problem"
    ),
    Benchmark("custom_cell", "bench.custom_cell", "a drawn LSTM cell vs fused nn.LSTM, per training step"),
    Benchmark("ddp_throughput", "bench.ddp_throughput", "--nproc 2 (DDP, 1 thread each) vs 1 process with 2 threads"),
    Benchmark("gpu_check", "bench.gpu_check", "CUDA vs CPU losses, mixed precision, cuDNN timing, NCCL (skips on CPU)"),
    Benchmark(
        "gui_responsiveness",
        "bench.gui_responsiveness",
        "event-loop stalls while a run streams into every live plot",
        kind="gui",
    ),
    Benchmark("startup", "bench.startup", "launch to main window shown vs a minimal PySide6 window", kind="gui"),
    Benchmark(
        "canvas_redraw", "bench.canvas_redraw", "redraw, pan and zoom of a 200-node graph on the canvas", kind="gui"
    ),
    Benchmark(
        "train_latency", "bench.train_latency", "Train → first step event, warm worker vs cold start", kind="gui"
    ),
    # More GUI benchmarks go here, one line each, with kind="gui".
)


def run_benchmark(bench: Benchmark, quick: bool, out_dir: Path) -> dict:
    module = importlib.import_module(bench.module)
    if hasattr(module, "run"):
        result = module.run(quick)
        write_result(bench.name, {"quick": quick, **result}, out_dir)
        return result
    return _run_main(module, bench.name, quick, out_dir)


def _run_main(module, name: str, quick: bool, out_dir: Path) -> dict:
    """Adapter for a module whose main(argv) writes its own JSON to module.RESULTS: a quick
    run is pointed at results/quick/ so it never replaces real figures; the JSON is then
    written again to out_dir with the same machine fields as the others."""
    if quick and hasattr(module, "RESULTS"):
        module.RESULTS = RESULTS_DIR / "quick" / f"{name}.json"
    status = module.main(["--quick"] if quick else [])
    if status:
        raise RuntimeError(f"{name}: main() returned {status}")
    result = json.loads(Path(module.RESULTS).read_text())
    result["machine"] = {**result.get("machine", {}), **machine_info()}
    write_result(name, {"quick": quick, **result}, out_dir)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = [b.name for b in BENCHMARKS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default all): {', '.join(names)}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds each (smoke test)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: steadier on shared machines, and what the app's "
        "training process uses on 2 cores)",
    )
    parser.add_argument("--out", type=Path, default=None, help="results folder (default bench/results)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in names]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(names)}")
    if args.out is None:
        args.out = RESULTS_DIR / "quick" if args.quick else RESULTS_DIR
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for bench in BENCHMARKS:
            print(f"{bench.name:20s} {bench.summary}")
        return 0
    os.environ["BENCH_THREADS"] = str(args.threads)  # worker processes read these
    os.environ["BENCH_OUT"] = str(args.out)
    import torch

    torch.set_num_threads(args.threads)
    selected = [b for b in BENCHMARKS if not args.names or b.name in args.names]
    failed, started = [], time.perf_counter()
    for bench in selected:
        print(f"\n=== {bench.name}: {bench.summary}", flush=True)
        began = time.perf_counter()
        try:
            run_benchmark(bench, args.quick, args.out)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(bench.name)
        print(f"--- {bench.name}: {time.perf_counter() - began:.1f} s", flush=True)
    print(
        f"\n{len(selected) - len(failed)}/{len(selected)} benchmarks done in "
        f"{time.perf_counter() - started:.0f} s; results in {args.out}"
    )
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
