"""The forecasts every model must beat, computed from the series alone, in its own units.

mean            the training part's mean of the target, for every step ahead
persistence     the last value of the window, for every step ahead
seasonal naive  the value one season before each predicted step (the latest such value the
                window has seen, for steps beyond one season)

Each function takes the target series in the data's own units (`level`, [N]) and the last
row `t` of each sample's window (`ends`, [S]) and returns forecasts [S, horizon].
"""

from __future__ import annotations

import numpy as np

from .data.transforms import reference_rows

BASELINE_NAMES = {"mean": "training mean", "persistence": "persistence", "seasonal": "seasonal naive"}


def mean_forecast(train_mean: float, ends: np.ndarray, horizon: int) -> np.ndarray:
    return np.full((len(ends), horizon), float(train_mean))


def persistence_forecast(level: np.ndarray, ends: np.ndarray, horizon: int) -> np.ndarray:
    return np.repeat(level[ends][:, None], horizon, axis=1)


def seasonal_naive_forecast(level: np.ndarray, ends: np.ndarray, horizon: int, season: int) -> np.ndarray:
    return level[reference_rows(ends, horizon, season)]


def baseline_forecasts(
    level: np.ndarray, ends: np.ndarray, horizon: int, train_mean: float, season: int | None
) -> dict[str, np.ndarray]:
    """Every baseline that applies: seasonal naive only when a season of at least 2 is known."""
    forecasts = {
        "mean": mean_forecast(train_mean, ends, horizon),
        "persistence": persistence_forecast(level, ends, horizon),
    }
    if season and season >= 2:
        forecasts["seasonal"] = seasonal_naive_forecast(level, ends, horizon, season)
    return forecasts
