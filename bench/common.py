"""Shared helpers for the benchmarks: interleaved timing, medians and ratios, machine
information, tables and JSON results.

The machines these run on are shared and noisy, so no benchmark reports a lone absolute
time: a candidate and its baseline run alternately in one process (`interleave`), and the
figures that matter are medians and ratios of medians.
"""

from __future__ import annotations

import datetime
import gc
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def out_dir() -> Path:
    """Where this run's results go: `python -m bench --out` sets BENCH_OUT for every module."""
    return Path(os.environ.get("BENCH_OUT", RESULTS_DIR))


def interleave(
    candidates: dict[str, Callable[[], Any]], repeats: int, inner: int = 1, warmup: int = 1, no_gc: bool = False
) -> dict[str, list[float]]:
    """Seconds per call of each candidate, `repeats` samples each (every sample the mean of
    `inner` calls). Candidates alternate within every repetition and the order flips each
    time, so a drift in machine load hits all of them alike. With `no_gc`, the garbage
    collector is off while sampling (as in timeit): otherwise a full collection triggered
    by earlier samples' garbage lands in whichever sample comes next."""
    names = list(candidates)
    for name in names:
        for _ in range(warmup):
            candidates[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    if no_gc:
        gc.disable()
    try:
        for repeat in range(repeats):
            for name in names if repeat % 2 == 0 else reversed(names):
                started = time.perf_counter()
                for _ in range(inner):
                    candidates[name]()
                times[name].append((time.perf_counter() - started) / inner)
    finally:
        gc.enable()
    return times


def time_calls(function: Callable[[], Any], repeats: int, warmup: int = 1, no_gc: bool = False) -> list[float]:
    """Seconds per call, `repeats` samples after `warmup` calls (for lone stages)."""
    return interleave({"f": function}, repeats, warmup=warmup, no_gc=no_gc)["f"]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio(candidate: Sequence[float], baseline: Sequence[float]) -> float:
    """Median of the candidate over median of the baseline."""
    return median(candidate) / median(baseline)


def paired_ratio(candidate: Sequence[float], baseline: Sequence[float]) -> float:
    """Median of the per-repetition ratios: robust to load that drifts between repetitions."""
    return median([c / b for c, b in zip(candidate, baseline)])


def loglog_slope(sizes: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of log(value) against log(size): 1 is linear growth, 2 quadratic."""
    xs, ys = [math.log(s) for s in sizes], [math.log(v) for v in values]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return num / sum((x - mean_x) ** 2 for x in xs)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    import torch

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": list(os.getloadavg()),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def write_result(name: str, payload: dict[str, Any], out_dir: Path = RESULTS_DIR) -> Path:
    """Write `payload` (plus machine information) to <out_dir>/<name>.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    content = {"benchmark": name, "machine": machine_info(), **payload}
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(content, indent=2, default=_plain) + "\n")
    temporary.replace(path)
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def print_table(title: str, rows: Sequence[Sequence[Any]]) -> None:
    """Print `rows` (the first is the header) as an aligned text table under `title`."""
    text = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in text) for i in range(len(text[0]))]
    print(f"\n{title}")
    for index, row in enumerate(text):
        print(
            "  "
            + "  ".join(
                cell.rjust(width) if index and _numeric(cell) else cell.ljust(width) for cell, width in zip(row, widths)
            )
        )
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.lstrip("-")[:1].isdigit()
