"""Turning a CSV table into series rows in time order: the long and wide layouts.

long: one row per time step. With a series-id column, the rows of each series are kept
  together (series in order of first appearance) and each is sorted by its time index.
wide: one row per period (a year, a day) whose value columns are consecutive sub-periods
  (its months, its hours); rows are read in time order, left to right, into one series
  whose season is the number of value columns.

The result holds every chosen column as float64 (NaN where a cell is missing), the file
line of each row for messages, grid positions when there is a time index, and the row
ranges of the separate series.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .base import DataError
from .csv_table import CsvTable, is_numeric_column, numeric_column
from .time_index import TimeIndex

LAYOUTS = ("long", "wide")


@dataclass(frozen=True)
class SeriesRows:
    """Rows of one or more series, in time order. `bounds` are (start, stop) per series."""

    names: list[str]  # one name per column of `values`
    values: np.ndarray  # float64 [N, len(names)], NaN where missing
    lines: np.ndarray  # int64 [N]: file line of each row
    positions: np.ndarray  # float64 [N]: grid positions in steps (row numbers without a time index)
    labels: np.ndarray  # [N]: the time of each row as shown to the user (see TimeIndex.labels)
    bounds: list[tuple[int, int]]
    series_names: list[str]
    time: TimeIndex | None
    season: int | None
    timed: bool  # positions come from a time index (else they are row numbers)

    def take(self, rows: np.ndarray) -> SeriesRows:
        """Only the given rows (in order); the series bounds follow them."""
        keep = np.zeros(len(self.values), dtype=bool)
        keep[rows] = True
        before = np.concatenate(([0], np.cumsum(keep)))
        bounds = [(int(before[a]), int(before[b])) for a, b in self.bounds]
        # Without a time index the kept rows are taken as consecutive: renumber them.
        positions = self.positions[rows] if self.timed else _row_numbers(bounds)
        return replace(
            self,
            values=self.values[rows],
            lines=self.lines[rows],
            positions=positions,
            labels=self.labels[rows],
            bounds=bounds,
        )


def _fix_hint(name: str, target: str) -> str:
    return "choose another target column" if name == target else "leave the column out of inputs"


def long_rows(table: CsvTable, names: list[str], target: str, time: TimeIndex | None, series_column: str) -> SeriesRows:
    """The named columns of a long table, grouped by series and sorted by time."""
    columns = [numeric_column(table, name, _fix_hint(name, target)) for name in names]
    values = np.column_stack(columns)
    order, bounds, series_names = _series_order(table, time, series_column)
    positions = time.positions[order] if time is not None else _row_numbers(bounds)
    labels = time.labels if time is not None else table.lines
    season = time.season if time is not None else None
    return SeriesRows(
        names,
        values[order],
        table.lines[order],
        positions,
        labels[order],
        bounds,
        series_names,
        time,
        season,
        time is not None,
    )


def _row_numbers(bounds: list[tuple[int, int]]) -> np.ndarray:
    positions = np.empty(bounds[-1][1] if bounds else 0)
    for start, stop in bounds:
        positions[start:stop] = np.arange(stop - start)
    return positions


def _series_order(table: CsvTable, time: TimeIndex | None, series_column: str):
    """(row order, bounds, series names): rows of each series together, each in time order."""
    rows = np.arange(len(table))
    if not series_column:
        order = np.argsort(time.positions, kind="stable") if time is not None else rows
        return order, [(0, len(rows))], [""]
    ids = table.column(series_column).astype(str).to_numpy()
    names, first = np.unique(ids, return_index=True)
    names = names[np.argsort(first)]
    code = {name: number for number, name in enumerate(names)}
    codes = np.array([code[i] for i in ids])
    keys = (time.positions, codes) if time is not None else (rows, codes)
    order = np.lexsort(keys)  # by series first, then by time (or file order)
    counts = np.bincount(codes, minlength=len(names))
    stops = np.cumsum(counts)
    bounds = [(int(stop - count), int(stop)) for stop, count in zip(stops, counts)]
    return order, bounds, [str(name) for name in names]


def wide_value_columns(table: CsvTable, chosen: list[str], time: TimeIndex | None) -> list[str]:
    """The columns holding a period's sub-periods: `chosen`, or every numeric non-time column."""
    if chosen:
        return chosen
    skip = {time.name} if time is not None else set()
    columns = [name for name in table.header if name not in skip and is_numeric_column(table, name)]
    if len(columns) < 2:
        raise DataError(
            f"The wide layout reads each row of '{table.path}' as consecutive values of one "
            f"series, but it has {len(columns)} numeric value column(s). Use the long layout, "
            "or list the value columns in 'inputs'."
        )
    return columns


def wide_rows(table: CsvTable, columns: list[str], name: str, time: TimeIndex | None) -> SeriesRows:
    """One series read row by row, left to right, from the `columns` of a wide table."""
    cells = np.column_stack([numeric_column(table, column, "leave the column out of inputs") for column in columns])
    order = np.argsort(time.positions, kind="stable") if time is not None else np.arange(len(table))
    per_row = len(columns)
    row_positions = time.positions[order] if time is not None else np.arange(len(order), dtype=np.float64)
    positions = (row_positions[:, None] * per_row + np.arange(per_row)[None, :]).reshape(-1)
    row_labels = (time.labels[order] if time is not None else table.lines[order]).astype(str)
    labels = np.char.add(np.char.add(np.repeat(row_labels, per_row), " "), np.tile(np.array(columns), len(order)))
    values = cells[order].reshape(-1, 1)
    return SeriesRows(
        [name],
        values,
        np.repeat(table.lines[order], per_row),
        positions - positions[0],
        labels,
        [(0, len(values))],
        [""],
        None,  # the sub-period positions are no longer the time column's own
        per_row,
        time is not None,
    )
