"""What to do with missing cells (NaN) in the chosen columns of a CSV time series.

"report" refuses them with a message listing where they are; "interpolate" fills each
from its neighbouring rows (linearly; at the ends, the nearest value); "drop" removes every
row with a missing cell in any chosen column, which joins the rows around a gap.
"""

from __future__ import annotations

import numpy as np

from .base import DataError
from .csv_table import CsvTable

_SHOWN_LINES = 5


def handle_missing(table: CsvTable, values: np.ndarray, names: list[str], mode: str) -> np.ndarray:
    """`values` [N, len(names)] without NaN, per `mode`; DataError if that is not possible."""
    missing = np.isnan(values)
    if not missing.any():
        return values
    if mode == "report":
        raise DataError(_report(table, missing, names))
    if mode == "drop":
        return values[~missing.any(axis=1)]
    columns = [_interpolate(table, values[:, j], name) for j, name in enumerate(names)]
    return np.column_stack(columns)


def _interpolate(table: CsvTable, column: np.ndarray, name: str) -> np.ndarray:
    known = ~np.isnan(column)
    if not known.any():
        raise DataError(
            f"Column '{name}' of '{table.path}' has no values at all, so there is nothing to "
            "interpolate from. Fill it in or leave it out of the data settings."
        )
    rows = np.arange(len(column))
    return np.interp(rows, rows[known], column[known])


def _report(table: CsvTable, missing: np.ndarray, names: list[str]) -> str:
    parts = [_where(table, np.flatnonzero(missing[:, j]), name) for j, name in enumerate(names) if missing[:, j].any()]
    return (
        f"'{table.path}' has missing values: {'; '.join(parts)}. Fill them in, or set the "
        "'missing' data setting to 'interpolate' (estimate each from its neighbouring rows) "
        "or 'drop' (leave those rows out)."
    )


def _where(table: CsvTable, rows: np.ndarray, name: str) -> str:
    lines = ", ".join(str(table.lines[i]) for i in rows[:_SHOWN_LINES])
    more = f" and {len(rows) - _SHOWN_LINES} more" if len(rows) > _SHOWN_LINES else ""
    word = "line" if len(rows) == 1 else "lines"
    return f"column '{name}' on {word} {lines}{more}"
