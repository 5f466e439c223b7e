"""What judging a forecaster needs beyond its tensors: the way back to the data's units,
the truth and the baselines on the validation samples, and their times.

A model's validation outputs are normalised, transformed targets [S, k]; `to_original`
turns them into values in the data's own units, comparable with `truth` and `baselines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .transforms import reference_rows, target_rows, to_level


@dataclass(frozen=True)
class ForecastInfo:
    target: str
    horizon: int
    window: int
    transform: str
    lag: int  # rows a transformed target looks back (0, 1 or the season)
    season: int | None
    step: str  # the time step in words ("weekly"), or "row"
    time_name: str  # the time index column, or "" (row numbers)
    offset: float  # transformed target = normalised * scale + offset
    scale: float
    level: np.ndarray = field(repr=False)  # float64 [N]: the target series in its own units
    labels: np.ndarray = field(repr=False)  # str [N]: time of each row
    val_ends: np.ndarray = field(repr=False)  # int64 [S]: last input row of each validation sample
    baselines: dict[str, np.ndarray] = field(repr=False, default_factory=dict)  # name -> [S, k]

    @property
    def truth(self) -> np.ndarray:
        """The validation targets in the data's own units: [S, k]."""
        return self.level[target_rows(self.val_ends, self.horizon)]

    @property
    def target_times(self) -> np.ndarray:
        """The time label of each validation target: [S, k]."""
        return self.labels[target_rows(self.val_ends, self.horizon)]

    def to_original(self, normalised: np.ndarray, count: int | None = None) -> np.ndarray:
        """Model outputs for the first `count` validation samples [count, k], in the data's units."""
        ends = self.val_ends[: len(normalised) if count is None else count]
        transformed = np.asarray(normalised, dtype=np.float64) * self.scale + self.offset
        return to_level(transformed, self.level, ends, self.transform, self.lag)

    def normalised(self, values: np.ndarray) -> np.ndarray:
        """Forecasts in the data's units for the first validation samples [S, k] as the model's
        normalised, transformed outputs: `to_original`'s inverse (the units of the loss)."""
        values = np.asarray(values, dtype=np.float64)
        if self.transform == "log":
            transformed = np.log(np.clip(values, np.finfo(np.float64).tiny, None))
        elif self.lag:
            transformed = values - self.level[reference_rows(self.val_ends[: len(values)], self.horizon, self.lag)]
        else:
            transformed = values
        return (transformed - self.offset) / self.scale

    def history(self, count: int) -> np.ndarray:
        """The target's own values over the input windows of the first `count` validation samples."""
        ends = self.val_ends[:count]
        return self.level[ends[:, None] + np.arange(1 - self.window, 1)[None, :]]
