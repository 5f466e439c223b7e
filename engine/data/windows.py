"""Forecast samples as windows over one series array, never copied out one by one.

A sample is named by `t`, the last row of its input window: the inputs are rows
t-window+1 .. t, the targets rows t+1 .. t+horizon. Windows never cross a segment (a series,
or a stretch between gaps). `Windows` holds the series once and the sample ends; indexing
it gathers only the requested windows, so memory stays about the size of the series rather
than window × series, while training code indexes it like a tensor [S, window, F].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch


def sample_ends(segments: list[tuple[int, int]], rows_before: int, horizon: int) -> np.ndarray:
    """Every valid t: `rows_before` rows up to t and `horizon` rows after it in one segment."""
    ends = [np.arange(start + rows_before - 1, stop - horizon) for start, stop in segments]
    return np.concatenate(ends).astype(np.int64) if ends else np.zeros(0, np.int64)


def split_ends(
    ends: np.ndarray, horizon: int, bounds: list[tuple[int, int]], split: float
) -> tuple[np.ndarray, np.ndarray]:
    """(training, validation) sample ends. Each series is cut at round(len * (1 - split)):
    a training sample's targets all lie before the cut, a validation sample's all after it,
    so no validation target is ever trained on (samples straddling the cut are left out)."""
    starts = np.array([start for start, _ in bounds])
    lengths = np.array([stop - start for start, stop in bounds])
    cuts = starts + np.round(lengths * (1 - split)).astype(np.int64)
    cut = cuts[np.searchsorted(starts, ends, side="right") - 1]
    return ends[ends + horizon < cut], ends[ends + 1 >= cut]


def split_row(n_rows: int, split: float) -> int:
    """Index of the first validation row of a series of `n_rows` rows."""
    return round(n_rows * (1 - split))


class Windows:
    """Windows [S, window, F] of a float32 series [N, F]: sample i is rows ends[i]-window+1 .. ends[i].

    Supports what training, evaluation and probes use of a tensor: len, shape, dtype, dim(),
    indexing by int, slice or index tensor (returning a real tensor of just those windows),
    .to(device), .detach() and .cpu().
    """

    def __init__(self, series: torch.Tensor, ends: torch.Tensor, window: int):
        import torch

        self.series, self.ends, self.window = series, ends, window
        self._offsets = torch.arange(1 - window, 1, device=series.device)

    @property
    def shape(self) -> torch.Size:
        import torch

        return torch.Size((len(self.ends), self.window, self.series.shape[1]))

    @property
    def dtype(self) -> torch.dtype:
        return self.series.dtype

    @property
    def device(self) -> torch.device:
        return self.series.device

    def dim(self) -> int:
        return 3

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, key: Any) -> torch.Tensor:
        if isinstance(key, tuple):  # x[:4, :, 0]: the samples first, then the rest
            first = self[key[0]]
            return first[key[1:]] if isinstance(key[0], int) else first[(slice(None), *key[1:])]
        ends = self.ends[key]
        if ends.dim() == 0:
            return self.series[ends + self._offsets]
        return self.series[ends[:, None] + self._offsets[None, :]]  # (B, window, F)

    def to(self, device: Any) -> Windows:
        return Windows(self.series.to(device), self.ends.to(device), self.window)

    def detach(self) -> Windows:
        return self

    def cpu(self) -> Windows:
        return self.to("cpu")
