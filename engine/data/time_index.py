"""The time axis of a CSV series: which column it is, its step, season and grid positions.

A column is a time index when it holds parseable dates or timestamps, or when it is named
like a time ("year", "date", "week", ...) and holds increasing whole numbers; a column of
YYYYMMDD numbers is read as dates. Every row gets a *position* on the series' regular grid,
in steps: consecutive rows differ by 1, a gap of three missing steps by 4, and a position
that is not a whole number marks irregular spacing. Monthly, quarterly and yearly dates are
counted in calendar months, so months of 28 to 31 days are one step each.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .base import DataError

if TYPE_CHECKING:
    import pandas as pd

    from .csv_table import CsvTable

TIME_NAME = re.compile(r"(date|time|year|month|week|day|hour|period|stamp|^t$|^ds$|^yr$)", re.IGNORECASE)
_YEAR_NAME = re.compile(r"(year|^yr$)", re.IGNORECASE)
_NS = {"hour": 3_600 * 10**9, "day": 86_400 * 10**9}
# (step in nanoseconds, words, season): the common clock steps and their natural season.
_CLOCK_STEPS = (
    (60 * 10**9, "minute", 60),
    (_NS["hour"], "hourly", 24),
    (_NS["day"], "daily", 7),
    (7 * _NS["day"], "weekly", 52),
)
_MONTH_STEPS = {1: ("monthly", 12), 3: ("quarterly", 4), 12: ("yearly", None)}


@dataclass(frozen=True)
class TimeIndex:
    """The time axis of a series: `positions[i]` is row i's place on the grid, in steps."""

    name: str
    kind: str  # "dates", "years" or "integers"
    positions: np.ndarray  # float64 [rows]
    labels: (
        np.ndarray
    )  # [rows] the times as shown (datetime64 to the day or minute, or numbers): str() of one reads well
    step: str  # the step in words: "weekly", "1 year", "every 5"
    season: int | None  # steps per natural season (24 hourly, 7 daily, 12 monthly, 52 weekly)
    dates: np.ndarray | None = None  # datetime64[ns] [rows] when kind is "dates"
    # position p is `origin + p * unit_step` in `unit`s: "month", "ns" or "number"
    unit: str = "number"
    origin: float = 0.0
    unit_step: float = 1.0

    def describe(self) -> str:
        return f"'{self.name}' ({self.step})"

    def grid_dates(self, positions: np.ndarray) -> np.ndarray:
        """datetime64[ns] of grid positions; only for kind "dates" counted in clock time."""
        units = self.origin + np.asarray(positions, dtype=np.float64) * self.unit_step
        return np.round(units).astype(np.int64).astype("datetime64[ns]")

    def grid_months(self, positions: np.ndarray) -> np.ndarray:
        """Month of the year (0-11) of grid positions; only for dates counted in months."""
        units = self.origin + np.asarray(positions, dtype=np.float64) * self.unit_step
        return np.round(units).astype(np.int64) % 12

    def grid_labels(self, positions: np.ndarray) -> np.ndarray:
        """Labels for grid positions that may have no row (rows filled in by interpolation)."""
        units = self.origin + np.asarray(positions, dtype=np.float64) * self.unit_step
        if self.unit == "number":
            return np.round(units).astype(np.int64) if self.kind in ("years", "integers") else units
        if self.unit == "month":
            months = (np.round(units).astype(np.int64) - 1970 * 12).astype("datetime64[M]")
            day = self.dates[0].astype("datetime64[D]") - self.dates[0].astype("datetime64[M]").astype("datetime64[D]")
            return months.astype("datetime64[D]") + day
        return _labels(np.round(units).astype(np.int64).astype("datetime64[ns]"))


def is_time_name(name: str) -> bool:
    return bool(TIME_NAME.search(name))


def detect_time_index(table: CsvTable, groups: np.ndarray | None = None) -> TimeIndex | None:
    """The first column that is a time index, read as one, or None (see the module docstring)."""
    for name in table.header:
        column = table.column(name)
        if column.isna().any() or column.dtype.kind == "f" and not _is_integer_column(column):
            continue
        if _is_integer_column(column):
            values = column.to_numpy(dtype=np.int64)
            if is_time_name(name) and _increasing(values, groups):
                return _integer_index(name, values)
            continue
        dates = _parse_dates(column)
        if dates is not None:
            return date_index(name, dates)
    return None


def _is_integer_column(column: pd.Series) -> bool:
    if column.dtype.kind in "iu":
        return True
    if column.dtype.kind != "f":
        return False
    values = column.to_numpy()
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def _increasing(values: np.ndarray, groups: np.ndarray | None) -> bool:
    if groups is None:
        return bool(np.all(np.diff(values) > 0))
    return all(np.all(np.diff(values[groups == g]) > 0) for g in np.unique(groups))


def _parse_dates(column: pd.Series) -> np.ndarray | None:
    """datetime64[ns] values if every cell is a date or timestamp, else None."""
    import pandas as pd

    sample = column.iloc[:200].astype(str)
    if not sample.str.contains(r"\d", regex=True).all() or sample.str.fullmatch(r"[+-]?\d+(\.\d*)?").all():
        return None  # text without digits, or plain numbers: YYYYMMDD numbers are handled by name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format, falling back": still parsed
        try:
            parsed = pd.to_datetime(column, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            return None
    if parsed.isna().any():
        return None
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.to_numpy().astype("datetime64[ns]")


def time_index_of(table: CsvTable, name: str) -> TimeIndex:
    """The named column read as a time index; DataError if it holds no times."""
    column = table.column(name)
    if column.isna().any():
        row = int(np.argmax(column.isna().to_numpy()))
        raise DataError(
            f"'{table.path}', line {table.lines[row]}: the time column '{name}' has an empty cell. "
            "Every row needs its time; fill it in or remove the row."
        )
    if _is_integer_column(column):
        return _integer_index(name, column.to_numpy(dtype=np.int64))
    dates = _parse_dates(column)
    if dates is None:
        raise DataError(
            f"The column '{name}' of '{table.path}' is neither dates (like 2024-01-31 or "
            "2024-01-31 13:00) nor whole numbers, so it cannot be the time index. Choose "
            "another time column, or leave the setting empty to detect it."
        )
    return date_index(name, dates)


def _integer_index(name: str, values: np.ndarray) -> TimeIndex:
    dates = _yyyymmdd(values)
    if dates is not None:
        return date_index(name, dates)
    labels = values
    if _YEAR_NAME.search(name):
        return TimeIndex(name, "years", values.astype(np.float64), labels, "1 year", None)
    step = _common_step(np.diff(values)) or 1
    positions = (values - values[0]) / step
    return TimeIndex(name, "integers", positions, labels, f"every {step}", None, origin=values[0], unit_step=step)


def _yyyymmdd(values: np.ndarray) -> np.ndarray | None:
    if not np.all((values >= 10_000_101) & (values <= 29_991_231)):
        return None
    import pandas as pd

    parsed = pd.to_datetime(pd.Series(values.astype(str)), format="%Y%m%d", errors="coerce")
    return None if parsed.isna().any() else parsed.to_numpy().astype("datetime64[ns]")


def _common_step(diffs: np.ndarray) -> int | float | None:
    positive = diffs[diffs > 0]
    if not len(positive):
        return None
    steps, counts = np.unique(positive, return_counts=True)
    return steps[np.argmax(counts)].item()


def date_index(name: str, dates: np.ndarray) -> TimeIndex:
    """A TimeIndex over datetime64 values, counted in months when the dates say so."""
    import pandas as pd

    stamps = pd.DatetimeIndex(dates).as_unit("ns")  # pandas may keep seconds or microseconds
    labels = _labels(stamps.to_numpy())
    months = _month_positions(stamps)
    if months is not None:
        step = _common_step(np.diff(months))
        if step in _MONTH_STEPS:
            words, season = _MONTH_STEPS[step]
            positions = (months - months[0]) / step
            return TimeIndex(
                name, "dates", positions, labels, words, season, stamps.to_numpy(), "month", months[0], step
            )
    nanoseconds = stamps.asi8.astype(np.float64)
    step = _common_step(np.diff(stamps.asi8)) or _NS["day"]
    words, season = _clock_words(step)
    positions = (nanoseconds - nanoseconds[0]) / step
    return TimeIndex(name, "dates", positions, labels, words, season, stamps.to_numpy(), "ns", nanoseconds[0], step)


def _month_positions(stamps: pd.DatetimeIndex) -> np.ndarray | None:
    """Months since year 0 when every date falls on the same day of its month (or its end)."""
    if np.any(stamps.hour | stamps.minute | stamps.second) or len(stamps) < 2:
        return None
    same_day = len(np.unique(stamps.day)) == 1 or bool(np.all(stamps.is_month_end))
    if not same_day or np.all(np.diff(stamps.asi8) < 28 * _NS["day"]):
        return None
    return (stamps.year * 12 + stamps.month - 1).to_numpy().astype(np.float64)


def _clock_words(step: int) -> tuple[str, int | None]:
    for nanoseconds, words, season in _CLOCK_STEPS:
        if step == nanoseconds:
            return words, season
    hours = step / _NS["hour"]
    return (f"every {hours:g} hours" if hours < 48 else f"every {hours / 24:g} days"), None


def _labels(dates: np.ndarray) -> np.ndarray:
    """Dates to the day, or to the minute when any has a time: str() of one is ISO 8601
    ('2024-01-31', '2024-01-31T13:00'); text is made only for the few labels shown."""
    days = dates.astype("datetime64[D]")
    return dates.astype("datetime64[m]") if bool(np.any(dates != days)) else days
