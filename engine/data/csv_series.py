"""User task: forecasting one column of a CSV time series from windows of rows.

Sample i: the inputs are rows i .. i+window-1 of the input columns; the target is the target
column `horizon` rows after the window's last row (row i+window-1+horizon): one value, so
n_outputs is 1. The split is chronological: rows before cut = round(N * (1 - split)) are the
training part; a sample whose target row lies before cut is a training sample, the others
are validation samples (their windows may reach back into training rows, as a real forecast
would). Normalisation statistics come from the training rows only. The seed is unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import DataError, Dataset, DataSignature, Param, Params, TaskSpec
from .csv_missing import handle_missing
from .csv_table import CsvTable, is_numeric_column, numeric_column, read_csv_table
from .files import SAMPLE_CSV, resolve_path
from .sampling import Pair, float_tensor, make_dataset


@dataclass(frozen=True)
class _Series:
    """The chosen columns of a CSV file after missing-value handling."""

    path: Path
    names: list[str]  # distinct columns used: the inputs, then the target if not an input
    inputs: list[str]
    target: str
    values: np.ndarray  # [N, len(names)] float64, no NaN


def split_row(n_rows: int, split: float) -> int:
    """Index of the first validation row: rows before it are the training part."""
    return round(n_rows * (1 - split))


def split_counts(n_rows: int, window: int, horizon: int, split: float) -> tuple[int, int]:
    """(training, validation) sample counts for a series of `n_rows` rows (may be <= 0)."""
    first_target = window + horizon - 1
    cut = split_row(n_rows, split)
    return cut - first_target, n_rows - max(cut, first_target)


def _numeric_columns(table: CsvTable) -> list[str]:
    names = [name for name in table.header if is_numeric_column(table, name)]
    if not names:
        raise DataError(
            f"The CSV file '{table.path}' has no column of numbers. A time series needs at least one numeric column."
        )
    return names


def _fix_hint(name: str, target: str) -> str:
    return "choose another target column" if name == target else "leave the column out of inputs"


def _load_series(p: Params, base_dir: Path | None) -> _Series:
    table = read_csv_table(resolve_path(p["path"], base_dir, SAMPLE_CSV))
    # Empty settings mean "what a forecaster usually wants": the last numeric column as the
    # target, and every numeric column (the target's own past included) as inputs.
    numeric = [] if p["target"] and p["inputs"] else _numeric_columns(table)
    target = p["target"] or numeric[-1]
    inputs = p["inputs"] or numeric
    names = list(dict.fromkeys([*inputs, target]))
    for name in names:
        table.column_index(name)  # a missing column is reported before any bad cell
    columns = [numeric_column(table, name, _fix_hint(name, target)) for name in names]
    values = handle_missing(table, np.column_stack(columns), names, p["missing"])
    return _Series(table.path, names, list(inputs), target, values)


def _check_counts(series: _Series, p: Params) -> tuple[int, int]:
    n_rows, need = len(series.values), p["window"] + p["horizon"]
    if n_rows < need:
        raise DataError(
            f"'{series.path}' has {n_rows} usable data rows, but one sample needs window + "
            f"horizon = {need} rows. Use a longer file, or lower window or horizon."
        )
    n_train, n_val = split_counts(n_rows, p["window"], p["horizon"], p["split"])
    if n_train < 1:
        raise DataError(
            f"With split {p['split']}, the training part of '{series.path}' is too short for "
            f"one sample of window + horizon = {need} rows. Lower split, window or horizon."
        )
    if n_val < 1:
        raise DataError(
            f"With split {p['split']}, the validation part of '{series.path}' holds no sample "
            f"({n_rows} rows in all). Raise split so that some rows are kept for validation."
        )
    return n_train, n_val


def _signature_of(series: _Series, p: Params) -> DataSignature:
    return DataSignature("sequence", len(series.inputs), None, p["window"], "regression", 1, None)


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    series = _load_series(p, base_dir)
    _check_counts(series, p)
    return _signature_of(series, p)


def scaling(train_rows: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (offset, scale) from training rows; normalised = (value - offset) / scale."""
    columns = train_rows.shape[1]
    if mode == "zscore":
        offset, scale = train_rows.mean(axis=0), train_rows.std(axis=0)
    elif mode == "minmax":
        offset, scale = train_rows.min(axis=0), np.ptp(train_rows, axis=0)
    else:
        offset, scale = np.zeros(columns), np.ones(columns)
    # A column constant over the training part would divide by zero; centring it is enough.
    return offset, np.where(scale > 0, scale, 1.0)


def _samples(series: _Series, normalised: np.ndarray, p: Params) -> Pair:
    """All samples in time order: x [S, window, F] and y [S, 1]."""
    window, horizon = p["window"], p["horizon"]
    count = len(normalised) - window - horizon + 1
    inputs = normalised[:, [series.names.index(name) for name in series.inputs]]
    x = sliding_window_view(inputs, window, axis=0)[:count].transpose(0, 2, 1)
    target = normalised[:, series.names.index(series.target)]
    y = target[window + horizon - 1 :][:count, None]
    return float_tensor(x), float_tensor(y)


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    series = _load_series(p, base_dir)
    n_train, n_val = _check_counts(series, p)
    cut = split_row(len(series.values), p["split"])
    offset, scale = scaling(series.values[:cut], p["normalise"])
    x, y = _samples(series, (series.values - offset) / scale, p)
    column = series.names.index(series.target)
    return make_dataset(
        _signature_of(series, p),
        (x[:n_train], y[:n_train]),
        (x[-n_val:], y[-n_val:]),
        target_scaling=(float(offset[column]), float(scale[column])),
        description=_describe(series, p, n_train, n_val),
    )


def _describe(series: _Series, p: Params, n_train: int, n_val: int) -> str:
    scaled = {"zscore": "z-scored", "minmax": "min-max scaled", "none": "not normalised"}
    return (
        f"'{series.path.name}': predict '{series.target}' {p['horizon']} row(s) after each "
        f"window of {p['window']} rows of {len(series.inputs)} column(s) "
        f"({', '.join(series.inputs)}); {n_train} training and {n_val} validation samples; "
        f"values {scaled[p['normalise']]} with training-part statistics."
    )


CSV_SERIES = TaskSpec(
    name="csv",
    title="Time series from a CSV file",
    description="Forecast one column of your CSV file from a window of past rows.",
    params=(
        Param(
            "path",
            "path",
            "",
            help="CSV file with a header row; relative paths start at the project's folder. "
            "Empty: the bundled sample (hourly weather).",
        ),
        Param(
            "inputs",
            "columns",
            (),
            help="Columns the model reads. Empty: every numeric column, the target included.",
        ),
        Param(
            "target",
            "column",
            "",
            help="Column to forecast. Empty: the last numeric column.",
        ),
        Param("window", "int", 24, 1, 5000, help="Rows the model sees per sample."),
        Param(
            "horizon",
            "int",
            1,
            1,
            1000,
            help="Predict the target this many rows after the window's last row (1 = next row).",
        ),
        Param(
            "normalise",
            "choice",
            "zscore",
            choices=("zscore", "minmax", "none"),
            help="Rescale each column with statistics of the training part only: zscore "
            "(mean 0, std 1), minmax (0 to 1) or none.",
        ),
        Param(
            "split",
            "float",
            0.2,
            0.01,
            0.9,
            help="Fraction of rows, taken from the end, used for validation.",
        ),
        Param(
            "missing",
            "choice",
            "report",
            choices=("report", "interpolate", "drop"),
            help="Empty or NA cells: report them as an error, interpolate from neighbouring "
            "rows, or drop the rows that hold them.",
        ),
    ),
    signature_fn=_signature,
    build_fn=_build,
)
