"""Reading and windowing a large CSV series: engine.data (pandas + window views) against
numpy.loadtxt and the csv module reading the same file.

The file: an hourly timestamp and four numeric columns, 1,000,000 rows (quick: 20,000).
Timed, each in the same run and interleaved: `load_dataset` (read, detect the time index,
check spacing, normalise, window with window 48) against `numpy.loadtxt` of the four numeric
columns and a `csv.reader` loop converting them to floats (neither parses dates or windows
anything, so both are lower bounds for a reader). Memory: the bytes the dataset's windows
hold (one copy of the series) against what materialised windows would take
(samples x window x features x 4 bytes), and the peak memory allocated while loading
(tracemalloc: the file's text, pandas' columns and the arrays made from them).
Targets: load_dataset within a few seconds at 1M rows; window memory about the series size.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from .common import median, print_table

WINDOW = 48


def write_file(path: Path, rows: int) -> Path:
    stamps = np.datetime64("2000-01-01T00:00") + np.arange(rows).astype("timedelta64[h]")
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, 4)).cumsum(axis=0).round(4)
    text = np.char.add(np.datetime_as_string(stamps, unit="m").astype(str), "")
    body = "\n".join(f"{t},{a},{b},{c},{d}" for t, (a, b, c, d) in zip(text, values))
    path.write_text("time,load,temperature,wind,price\n" + body + "\n", encoding="utf-8")
    return path


def load_engine(path: Path):
    from engine.data import load_dataset

    return load_dataset({"task": "csv", "params": {"path": str(path), "window": WINDOW}})


def load_numpy(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=(1, 2, 3, 4))


def load_csv_module(path: Path) -> list[list[float]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [[float(cell) for cell in row[1:]] for row in reader]


def peak_traced(path: Path) -> int:
    """Peak bytes allocated while loading (tracemalloc sees numpy's and so pandas' arrays; the
    tensors are made from numpy arrays, so they are counted too)."""
    import tracemalloc

    tracemalloc.start()
    try:
        data = load_engine(path)
        return tracemalloc.get_traced_memory()[1] if data is not None else 0
    finally:
        tracemalloc.stop()


def run(quick: bool) -> dict:
    rows = 20_000 if quick else 1_000_000
    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        path = write_file(Path(folder) / "series.csv", rows)
        size = path.stat().st_size
        load_engine(path)  # warm-up: imports
        times: dict[str, list[float]] = {"engine": [], "numpy.loadtxt": [], "csv module": []}
        for _ in range(repeats):
            for name, function in (
                ("engine", load_engine),
                ("numpy.loadtxt", load_numpy),
                ("csv module", load_csv_module),
            ):
                started = time.perf_counter()
                result = function(path)
                times[name].append(time.perf_counter() - started)
                if name == "engine":
                    data = result
                del result
        growth = peak_traced(path)
    samples = len(data.x_train) + len(data.x_val)
    features = data.signature.features
    window_bytes = data.x_train.series.numel() * data.x_train.series.element_size()
    materialised = samples * WINDOW * features * 4
    seconds = {name: median(values) for name, values in times.items()}
    payload = {
        "rows": rows,
        "file_bytes": size,
        "window": WINDOW,
        "seconds": seconds,
        "engine_over_numpy_loadtxt": seconds["engine"] / seconds["numpy.loadtxt"],
        "engine_over_csv_module": seconds["engine"] / seconds["csv module"],
        "windows_bytes": window_bytes,
        "materialised_windows_bytes": materialised,
        "peak_traced_bytes": growth,
        "description": data.description,
    }
    print_table(
        f"Reading + windowing {rows:,} rows x 5 columns ({size / 1e6:.0f} MB)",
        [("reader", "median s", "engine / this")]
        + [(name, f"{value:.2f}", f"{seconds['engine'] / value:.2f}") for name, value in seconds.items()],
    )
    print_table(
        "Memory",
        [
            ("what", "MB"),
            ("series held by the windows", f"{window_bytes / 1e6:.1f}"),
            (f"windows materialised ({samples:,} x {WINDOW} x {features})", f"{materialised / 1e6:.0f}"),
            ("peak allocated while loading (tracemalloc)", f"{growth / 1e6:.0f}"),
        ],
    )
    return payload
