"""What to do with missing cells (NaN) in the chosen columns of a CSV time series.

"report" refuses them with a message listing where they are; "interpolate" fills each
from its neighbouring rows of the same series (linearly in time; at the ends, the nearest
value); "drop" removes every row with a missing cell in any chosen column, which leaves a
gap in the time index that the `gaps` setting then handles (or, without a time index, joins
the rows around it).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .base import DataError
from .series_layout import SeriesRows

_SHOWN_LINES = 5


def handle_missing(rows: SeriesRows, mode: str, path: object) -> SeriesRows:
    """`rows` without NaN, per `mode`; DataError if that is not possible."""
    missing = np.isnan(rows.values)
    if not missing.any():
        return rows
    if mode == "report":
        raise DataError(_report(rows, missing, path))
    if mode == "drop":
        return rows.take(np.flatnonzero(~missing.any(axis=1)))
    values = rows.values.copy()
    for start, stop in rows.bounds:
        for j, name in enumerate(rows.names):
            values[start:stop, j] = _interpolate(rows.positions[start:stop], values[start:stop, j], name, path)
    return replace(rows, values=values)


def _interpolate(positions: np.ndarray, column: np.ndarray, name: str, path: object) -> np.ndarray:
    known = ~np.isnan(column)
    if not known.any():
        raise DataError(
            f"Column '{name}' of '{path}' has no values at all, so there is nothing to "
            "interpolate from. Fill it in or leave it out of the data settings."
        )
    return np.interp(positions, positions[known], column[known])


def _report(rows: SeriesRows, missing: np.ndarray, path: object) -> str:
    parts = [
        _where(rows, np.flatnonzero(missing[:, j]), name) for j, name in enumerate(rows.names) if missing[:, j].any()
    ]
    return (
        f"'{path}' has missing values: {'; '.join(parts)}. Fill them in, or set the "
        "'missing' data setting to 'interpolate' (estimate each from its neighbouring rows) "
        "or 'drop' (leave those rows out)."
    )


def _where(rows: SeriesRows, found: np.ndarray, name: str) -> str:
    lines = ", ".join(str(line) for line in np.sort(rows.lines[found])[:_SHOWN_LINES])
    more = f" and {len(found) - _SHOWN_LINES} more" if len(found) > _SHOWN_LINES else ""
    word = "line" if len(found) == 1 else "lines"
    return f"column '{name}' on {word} {lines}{more}"
