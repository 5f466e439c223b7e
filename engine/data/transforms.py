"""Target transforms: what the model learns to predict, and the way back to the data's units.

none           the value itself
log            its logarithm (refused when any value is zero or negative)
diff           the change from the last value of the window: y[t+j] - y[t]
seasonal-diff  the change from the same point one season earlier: y[t+j] - y[t+j-m*ceil(j/m)],
               so the reference is always a value the window's end has already seen

The target column's own past, when it is an input, is transformed the same way (one-step or
one-season differences, or logarithms), so inputs and targets stay in the same units; the
first `lag` rows of each segment have no difference and start no window.
"""

from __future__ import annotations

import numpy as np

from .base import DataError

TRANSFORMS = ("none", "log", "diff", "seasonal-diff")


def transform_lag(kind: str, season: int | None) -> int:
    """Rows a transformed value looks back: 1 for diff, the season for seasonal-diff."""
    if kind == "diff":
        return 1
    if kind == "seasonal-diff":
        if not season or season < 2:
            raise DataError(
                "The 'seasonal-diff' transform needs a season length: set the 'season' data "
                "setting (e.g. 12 for monthly data), or use a file whose time index shows it."
            )
        return season
    return 0


def check_log(level: np.ndarray, lines: np.ndarray, path: object, target: str) -> None:
    bad = np.flatnonzero(~(level > 0))
    if len(bad):
        raise DataError(
            f"'{path}', line {lines[bad[0]]}: the 'log' transform needs values above zero, but "
            f"'{target}' is {level[bad[0]]:g} there ({len(bad)} such value(s)). Choose the "
            "transform 'none' or 'diff', or shift the values above zero."
        )


def transformed_column(level: np.ndarray, segments: list[tuple[int, int]], kind: str, lag: int) -> np.ndarray:
    """The target column as the model reads it; NaN where a difference has no reference."""
    if kind == "none":
        return level.copy()
    if kind == "log":
        return np.log(level)
    out = np.full_like(level, np.nan)
    for start, stop in segments:
        out[start + lag : stop] = level[start + lag : stop] - level[start : stop - lag]
    return out


def target_rows(ends: np.ndarray, horizon: int) -> np.ndarray:
    """Rows of the k values to predict after each window ending at row t: [S, k]."""
    return ends[:, None] + np.arange(1, horizon + 1)[None, :]


def reference_rows(ends: np.ndarray, horizon: int, lag: int) -> np.ndarray:
    """Rows whose values a differenced target is measured from: [S, k] (t for diff)."""
    steps = np.arange(1, horizon + 1)
    return ends[:, None] + steps[None, :] - lag * np.ceil(steps / lag).astype(np.int64)[None, :]


def targets(level: np.ndarray, ends: np.ndarray, horizon: int, kind: str, lag: int) -> np.ndarray:
    """The transformed targets [S, k] of the windows ending at `ends`."""
    values = level[target_rows(ends, horizon)]
    if kind == "log":
        return np.log(values)
    if lag:
        return values - level[reference_rows(ends, horizon, lag)]
    return values


def to_level(transformed: np.ndarray, level: np.ndarray, ends: np.ndarray, kind: str, lag: int) -> np.ndarray:
    """Transformed predictions [S, k] back in the data's own units."""
    if kind == "log":
        return np.exp(np.clip(transformed, None, 700.0))  # exp of more overflows float64
    if lag:
        return transformed + level[reference_rows(ends, len(transformed[0]) if len(transformed) else 1, lag)]
    return transformed
