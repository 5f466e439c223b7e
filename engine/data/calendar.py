"""Calendar features: where each row falls in the day, the week and the year, as sin/cos.

A feature is offered only when the series' step is finer than its cycle (hour of day for
steps under a day, day of week under a week, month of year under a year), and only for a
date time index. Each cycle becomes two inputs, sin and cos of its angle, so December sits
next to January.
"""

from __future__ import annotations

import numpy as np

from .base import DataError
from .time_index import TimeIndex

_DAY_NS = 86_400 * 10**9


def calendar_features(time: TimeIndex | None, positions: np.ndarray, path: object) -> tuple[list[str], np.ndarray]:
    """(names, values [N, 2 * cycles]) for rows at `positions` of the series' grid."""
    if time is None or time.kind != "dates":
        raise DataError(
            f"Calendar features need a time index of dates, and '{path}' has none here (the "
            "wide layout and numeric time columns have no calendar). Turn 'calendar' off."
        )
    cycles = _cycles(time, positions)
    names = [f"{name}_{part}" for name, _, _ in cycles for part in ("sin", "cos")]
    columns = []
    for _, value, period in cycles:
        angle = 2 * np.pi * value / period
        columns += [np.sin(angle), np.cos(angle)]
    return names, np.column_stack(columns)


def _cycles(time: TimeIndex, positions: np.ndarray) -> list[tuple[str, np.ndarray, int]]:
    if time.unit == "month":
        return [("month", time.grid_months(positions), 12)] if time.unit_step < 12 else []
    import pandas as pd

    stamps = pd.DatetimeIndex(time.grid_dates(positions))
    cycles = []
    if time.unit_step < _DAY_NS:
        cycles.append(("hour", (stamps.hour + stamps.minute / 60).to_numpy(), 24))
    if time.unit_step < 7 * _DAY_NS:
        cycles.append(("weekday", stamps.day_of_week.to_numpy(), 7))
    cycles.append(("month", (stamps.month - 1).to_numpy(), 12))
    return cycles
