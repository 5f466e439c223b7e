"""User task: forecasting a CSV time series, k steps ahead, from windows of past rows.

Reading order: the table (csv_table) -> the time index (time_index: detected, or named) ->
series rows in time order (series_layout: long, several series, or wide) -> missing cells
(csv_missing) -> spacing and gaps (spacing: report, interpolate, split or ignore) -> the
target transform (transforms) -> windows (windows) that never cross a gap or a series.

Sample t (the window's last row): inputs are rows t-window+1 .. t of the input columns
(the target column transformed like the target) plus optional calendar features; targets
are the transformed values of rows t+1 .. t+horizon (n_outputs = horizon). The split is
chronological per series (windows.split_ends). Normalisation statistics come from the
training rows only. The time and series-id columns are never inputs unless listed in
`inputs`. The seed is unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import DataError, Dataset, DataSignature, Param, Params, TaskSpec
from .calendar import calendar_features
from .csv_missing import handle_missing
from .csv_table import CsvTable, is_numeric_column, read_csv_table
from .files import SAMPLE_CSV, resolve_path
from .forecast_info import ForecastInfo
from .real_series import builtin_path, is_builtin
from .sampling import float_tensor, make_dataset
from .series_layout import LAYOUTS, SeriesRows, long_rows, wide_rows, wide_value_columns
from .spacing import GAP_MODES, apply_gap_mode
from .time_index import TimeIndex, detect_time_index, time_index_of
from .transforms import TRANSFORMS, check_log, target_rows, targets, transform_lag, transformed_column
from .windows import Windows, sample_ends, split_ends, split_row

__all__ = ["CSV_SERIES", "csv_path", "read_series_rows", "scaling", "split_counts", "split_row"]


@dataclass(frozen=True)
class _Series:
    """A CSV series ready to window: rows in time order without NaN, and its samples."""

    path: Path
    rows: SeriesRows
    segments: list[tuple[int, int]]
    inputs: list[str]  # data columns the model reads (the target's own past possibly among them)
    target: str
    calendar: list[str]  # calendar feature names appended to the inputs
    season: int | None
    naive_season: int | None  # the season seasonal naive uses; None when the stretches are too short
    lag: int
    train_ends: np.ndarray
    val_ends: np.ndarray
    notes: list[str]

    @property
    def level(self) -> np.ndarray:
        return self.rows.values[:, self.rows.names.index(self.target)]


def csv_path(raw: str, base_dir: Path | None) -> Path:
    """The file a CSV path setting names: a built-in series, the sample, or the user's file."""
    return builtin_path(raw) if is_builtin(raw) else resolve_path(raw, base_dir, SAMPLE_CSV)


def split_counts(n_rows: int, window: int, horizon: int, split: float) -> tuple[int, int]:
    """(training, validation) sample counts for one evenly spaced series of `n_rows` rows."""
    ends = sample_ends([(0, n_rows)], window, horizon)
    train, val = split_ends(ends, horizon, [(0, n_rows)], split)
    return len(train), len(val)


def _numeric_columns(table: CsvTable, skip: set[str]) -> list[str]:
    names = [name for name in table.header if name not in skip and is_numeric_column(table, name)]
    if not names:
        raise DataError(
            f"The CSV file '{table.path}' has no column of numbers besides its time index. "
            "A time series needs at least one numeric column."
        )
    return names


def _time_index(table: CsvTable, p: Params) -> TimeIndex | None:
    if p["time_column"]:
        return time_index_of(table, p["time_column"])
    groups = table.column(p["series_column"]).astype(str).to_numpy() if p["series_column"] else None
    return detect_time_index(table, groups)


def _long(table: CsvTable, p: Params, time: TimeIndex | None) -> tuple[SeriesRows, list[str], str]:
    if p["series_column"]:
        table.column_index(p["series_column"])
    skip = {time.name} if time is not None else set()
    skip |= {p["series_column"]} if p["series_column"] else set()
    # Empty settings mean "what a forecaster usually wants": the last numeric column as the
    # target, and every numeric column but the time and series ones (the target's own past
    # included) as inputs.
    numeric = [] if p["target"] and p["inputs"] else _numeric_columns(table, skip)
    target = p["target"] or numeric[-1]
    inputs = list(p["inputs"]) or numeric
    names = list(dict.fromkeys([*inputs, target]))
    for name in names:
        table.column_index(name)  # a missing column is reported before any bad cell
    return long_rows(table, names, target, time, p["series_column"]), inputs, target


def _wide(table: CsvTable, p: Params, time: TimeIndex | None) -> tuple[SeriesRows, list[str], str]:
    if p["series_column"]:
        raise DataError(
            "The wide layout reads one series from the table; a series-id column needs the long "
            "layout (one row per time step). Clear 'series_column' or set 'layout' to 'long'."
        )
    columns = wide_value_columns(table, list(p["inputs"]), time)
    for name in columns:
        table.column_index(name)
    target = p["target"] or "value"
    return wide_rows(table, columns, target, time), [target], target


def read_series_rows(p: Params, base_dir: Path | None) -> tuple[Path, SeriesRows, TimeIndex | None, list[str], str]:
    """(file, rows in time order before missing cells and gaps are handled, time index,
    input columns, target) for resolved csv settings `p`."""
    path = csv_path(p["path"], base_dir)
    table = read_csv_table(path)
    time = _time_index(table, p)
    rows, inputs, target = (_wide if p["layout"] == "wide" else _long)(table, p, time)
    return path, rows, time, inputs, target


def _load_series(p: Params, base_dir: Path | None) -> _Series:
    path, rows, time, inputs, target = read_series_rows(p, base_dir)
    rows = handle_missing(rows, p["missing"], path)
    rows, segments, gap_note = apply_gap_mode(rows, p["gaps"], path)
    season = p["season"] or rows.season
    lag = transform_lag(p["transform"], season)
    if p["transform"] == "log":
        check_log(rows.values[:, rows.names.index(target)], rows.lines, path, target)
    calendar = calendar_features(rows.time, rows.positions[:1], path)[0] if p["calendar"] else []
    naive_season = _naive_season(season, segments, p)
    before = max(p["window"] + lag, naive_season or 1)
    ends = sample_ends(segments, before, p["horizon"])
    train, val = split_ends(ends, p["horizon"], rows.bounds, p["split"])
    notes = [f"time index {time.describe()}" if time is not None else "no time index (rows taken as evenly spaced)"]
    if p["layout"] == "wide":
        notes.append(f"each row read as {rows.season} consecutive values")
    if season and season >= 2 and not naive_season:
        notes.append(f"no seasonal naive baseline: no evenly spaced stretch holds two seasons of {season}")
    notes += [gap_note] if gap_note else []
    series = _Series(path, rows, segments, inputs, target, calendar, season, naive_season, lag, train, val, notes)
    _check_counts(series, p, before)
    return series


def _naive_season(season: int | None, segments: list[tuple[int, int]], p: Params) -> int | None:
    """The season for seasonal naive, whose samples need a season of history: only where the
    longest stretch holds two seasons (or the transform needs that history anyway)."""
    if not season or season < 2:
        return None
    longest = max(stop - start for start, stop in segments)
    return season if p["transform"] == "seasonal-diff" or longest >= 2 * season + p["horizon"] else None


def _check_counts(series: _Series, p: Params, before: int) -> None:
    need = before + p["horizon"]
    longest = max(stop - start for start, stop in series.segments)
    if longest < need:
        stretch = " in its longest evenly spaced stretch" if len(series.segments) > 1 else ""
        raise DataError(
            f"'{series.path}' has {longest} usable data rows{stretch}, but one sample needs window + "
            f"horizon = {need} rows (more with a differencing transform or a season). "
            "Use a longer file, or lower window or horizon."
        )
    if not len(series.train_ends):
        raise DataError(
            f"With split {p['split']}, the training part of '{series.path}' is too short for "
            f"one sample of window + horizon = {need} rows. Lower split, window or horizon."
        )
    if not len(series.val_ends):
        raise DataError(
            f"With split {p['split']}, the validation part of '{series.path}' holds no sample "
            f"({len(series.rows.values)} rows in all). Raise split so that some rows are kept for validation."
        )


def _signature_of(series: _Series, p: Params) -> DataSignature:
    features = len(series.inputs) + len(series.calendar)
    return DataSignature("sequence", features, None, p["window"], "regression", p["horizon"], None)


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    return _signature_of(_load_series(p, base_dir), p)


def scaling(train_rows: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (offset, scale) from training rows; normalised = (value - offset) / scale."""
    columns = train_rows.shape[1]
    if mode == "zscore":
        offset, scale = np.nanmean(train_rows, axis=0), np.nanstd(train_rows, axis=0)
    elif mode == "minmax":
        offset, scale = np.nanmin(train_rows, axis=0), np.nanmax(train_rows, axis=0) - np.nanmin(train_rows, axis=0)
    else:
        offset, scale = np.zeros(columns), np.ones(columns)
    # A column constant over the training part would divide by zero; centring it is enough.
    return offset, np.where(scale > 0, scale, 1.0)


def _model_columns(series: _Series, p: Params) -> np.ndarray:
    """The model's input columns [N, F]: data columns (the target transformed) then calendar."""
    rows = series.rows
    columns = []
    for name in series.inputs:
        column = rows.values[:, rows.names.index(name)]
        columns.append(
            transformed_column(column, series.segments, p["transform"], series.lag) if name == series.target else column
        )
    if series.calendar:
        columns += list(calendar_features(rows.time, rows.positions, series.path)[1].T)
    return np.column_stack(columns)


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    series = _load_series(p, base_dir)
    train_mask = _train_mask(series, p["split"])
    inputs = _model_columns(series, p)
    data_columns = len(series.inputs)
    offset, scale = scaling(inputs[train_mask, :data_columns], p["normalise"])
    normalised = inputs.copy()
    normalised[:, :data_columns] = (inputs[:, :data_columns] - offset) / scale
    normalised = np.nan_to_num(normalised)  # the first rows of a differenced segment start no window
    target_offset, target_scale = _target_scaling(series, p, offset, scale)
    level, horizon = series.level, p["horizon"]
    y_train = (targets(level, series.train_ends, horizon, p["transform"], series.lag) - target_offset) / target_scale
    y_val = (targets(level, series.val_ends, horizon, p["transform"], series.lag) - target_offset) / target_scale
    import torch

    from ..baselines import baseline_forecasts  # here: engine.baselines imports this package

    base = float_tensor(normalised)
    x_train = Windows(base, torch.from_numpy(series.train_ends), p["window"])
    x_val = Windows(base, torch.from_numpy(series.val_ends), p["window"])
    train_mean = float(level[target_rows(series.train_ends, horizon)].mean())
    info = ForecastInfo(
        series.target,
        horizon,
        p["window"],
        p["transform"],
        series.lag,
        series.season,
        series.rows.time.step if series.rows.time is not None else "row",
        series.rows.time.name if series.rows.time is not None else "",
        target_offset,
        target_scale,
        level,
        series.rows.labels,
        series.val_ends,
        baseline_forecasts(level, series.val_ends, horizon, train_mean, series.naive_season),
    )
    return make_dataset(
        _signature_of(series, p),
        (x_train, float_tensor(y_train)),
        (x_val, float_tensor(y_val)),
        target_scaling=(target_offset, target_scale),
        description=_describe(series, p),
        forecast=info,
    )


def _train_mask(series: _Series, split: float) -> np.ndarray:
    mask = np.zeros(len(series.rows.values), dtype=bool)
    for start, stop in series.rows.bounds:
        mask[start : start + split_row(stop - start, split)] = True
    return mask


def _target_scaling(series: _Series, p: Params, offset: np.ndarray, scale: np.ndarray) -> tuple[float, float]:
    """(offset, scale) of the transformed target: its input column's, or its own training values'."""
    if series.target in series.inputs:
        column = series.inputs.index(series.target)
        return float(offset[column]), float(scale[column])
    values = targets(series.level, series.train_ends, p["horizon"], p["transform"], series.lag)
    own_offset, own_scale = scaling(values.reshape(-1, 1), p["normalise"])
    return float(own_offset[0]), float(own_scale[0])


def _names(names: list[str], shown: int = 5) -> str:
    return ", ".join(f"'{name}'" for name in names[:shown]) + (
        f" and {len(names) - shown} more" if len(names) > shown else ""
    )


def _describe(series: _Series, p: Params) -> str:
    scaled = {"zscore": "z-scored", "minmax": "min-max scaled", "none": "not normalised"}
    transform = {
        "none": "",
        "log": " (its logarithm)",
        "diff": " (its change)",
        "seasonal-diff": " (its seasonal change)",
    }
    columns = ", ".join([*series.inputs, *series.calendar])
    parts = len(series.rows.bounds)
    return (
        f"'{series.path.name}': predict the next {p['horizon']} value(s) of '{series.target}'"
        f"{transform[p['transform']]} from each window of {p['window']} rows of "
        f"{len(series.inputs) + len(series.calendar)} column(s) ({columns}); "
        f"{len(series.train_ends)} training and {len(series.val_ends)} validation samples"
        f"{f' over {parts} series ({_names(series.rows.series_names)})' if parts > 1 else ''}; "
        f"{'; '.join(series.notes)}; "
        f"values {scaled[p['normalise']]} with training-part statistics."
    )


CSV_SERIES = TaskSpec(
    name="csv",
    title="Time series from a CSV file",
    description="Forecast one column of your CSV file (or a built-in real series) from a window of past rows.",
    params=(
        Param(
            "path",
            "path",
            "",
            help="CSV file with a header row; relative paths start at the project's folder. "
            "'builtin:nile', 'builtin:sunspots', 'builtin:co2' or 'builtin:elnino': a real public "
            "series shipped by statsmodels. Empty: the bundled sample (hourly weather).",
        ),
        Param(
            "layout",
            "choice",
            "long",
            choices=LAYOUTS,
            help="long: one row per time step. wide: one row per period whose value columns are "
            "consecutive sub-periods (a year of months), read in time order into one series.",
        ),
        Param(
            "inputs",
            "columns",
            (),
            help="Columns the model reads (wide layout: the value columns, in order). Empty: every "
            "numeric column except the time index and series id, the target included.",
        ),
        Param(
            "target",
            "column",
            "",
            help="Column to forecast. Empty: the last numeric column (wide layout: the name of the series).",
        ),
        Param(
            "time_column",
            "column",
            "",
            help="The time index: dates, timestamps, or increasing whole numbers (years, YYYYMMDD). "
            "Empty: detected. It orders the rows, checks their spacing and is never an input.",
        ),
        Param(
            "series_column",
            "column",
            "",
            help="Long layout with several series in one file: the column naming each row's series. "
            "One model trains on all of them; windows never cross from one series to another.",
        ),
        Param("window", "int", 24, 1, 5000, help="Rows the model sees per sample."),
        Param(
            "horizon",
            "int",
            1,
            1,
            1000,
            help="Predict the next this many values after the window (1 = the next row only).",
        ),
        Param(
            "transform",
            "choice",
            "none",
            choices=TRANSFORMS,
            help="What the model learns: the value (none), its logarithm (log, values above zero "
            "only), its change from the window's last value (diff: try it on trending series) or "
            "from one season earlier (seasonal-diff). Forecasts and errors are shown in the data's units.",
        ),
        Param(
            "season",
            "int",
            0,
            0,
            10000,
            help="Steps per season for seasonal naive and seasonal-diff. 0: from the time index "
            "(24 hourly, 7 daily, 52 weekly, 12 monthly, the value columns of a wide table).",
        ),
        Param(
            "calendar",
            "bool",
            False,
            help="Add hour of day, day of week and month of year (as sin/cos) as inputs; needs dates.",
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
            help="Fraction of each series, taken from its end, used for validation.",
        ),
        Param(
            "missing",
            "choice",
            "report",
            choices=("report", "interpolate", "drop"),
            help="Empty or NA cells: report them as an error, interpolate from neighbouring "
            "rows, or drop the rows that hold them (which leaves gaps in the time index).",
        ),
        Param(
            "gaps",
            "choice",
            "report",
            choices=GAP_MODES,
            help="Missing time steps: report them (where, how large), interpolate rows to fill "
            "them, split the series at them (windows never cross a gap), or ignore them.",
        ),
    ),
    signature_fn=_signature,
    build_fn=_build,
)
