"""Memory horizon: how far back the model's output still depends on its input.

The attribution of lag k is ‖∂ŷₛ/∂xₛ₋ₖ‖: the gradient of the prediction score at output
position s with respect to a recurrent block's input k steps earlier, its norm over the
input features, averaged over the attribution samples and (for per-step heads) over the
output positions that have a k-step-earlier input. The *memory horizon* is the longest lag
whose attribution is still at least 1 % of the largest attribution at any lag.

The prediction score ŷ is one number per sample and position, so the gradient is exact and
costs one backward pass for all of them (engine.probes puts the attribution rows beside the
probe batch): a regression's predicted value (the mean when it predicts several), and for a
classifier or a token model the log-probability of the class it predicts.

Pure numpy and torch; no Qt. Used by engine.probes (per probe), engine.report (inspect) and
engine.compare (the table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the window's horizon dock reads curves without loading torch
    import torch

THRESHOLD = 0.01  # a lag still counts while its attribution is ≥ 1 % of the maximum
ATTRIBUTION_SAMPLES = 8  # probe samples whose attribution is measured (one backward pass for all)
OUTPUT_POSITIONS = 8  # output positions a per-step head is measured at


def output_positions(length: int, per_step: bool) -> list[int]:
    """The output positions measured: the last step for a sequence-level prediction, else up to
    OUTPUT_POSITIONS positions spread evenly over the sequence, always including the last one."""
    if not per_step:
        return [length - 1]
    return sorted({int(round(p)) for p in np.linspace(0, length - 1, min(OUTPUT_POSITIONS, length))})


def prediction_score(prediction: torch.Tensor, position: int | None, target_kind: str) -> torch.Tensor:
    """One score per sample (B,): see the module docstring. `position` picks a step of a
    per-step prediction (B, T, ·); None for a sequence-level one (B, ·)."""
    import torch

    values = prediction if position is None else prediction[:, position]
    if target_kind == "regression":
        return values.reshape(len(values), -1).mean(dim=1)
    log_probability = torch.log_softmax(values, dim=-1)
    return log_probability.gather(-1, values.detach().argmax(dim=-1, keepdim=True)).squeeze(-1)


def attribution_by_lag(per_position: np.ndarray, positions: list[int]) -> np.ndarray:
    """(T,) float64 attribution by lag 0..T-1 from (P, T) ‖∂ŷₛ/∂xₜ‖, one row per output
    position s in `positions`: lag k averages the positions s ≥ k at t = s − k. Inputs after
    s (a bidirectional block sees them) carry no lag and are left out."""
    length = per_position.shape[1]
    total, count = np.zeros(length), np.zeros(length)
    for row, s in zip(per_position, positions):
        lags = np.arange(s + 1)
        total[lags] += row[s - lags]
        count[lags] += 1
    return np.divide(total, count, out=np.zeros(length), where=count > 0)


def memory_horizon(attribution: np.ndarray, threshold: float = THRESHOLD) -> int:
    """The longest lag whose attribution is at least `threshold` times the largest; 0 when the
    output depends on no input at all."""
    attribution = np.nan_to_num(np.asarray(attribution, dtype=np.float64), nan=0.0, posinf=0.0)
    peak = attribution.max(initial=0.0)
    if peak <= 0:
        return 0
    return int(np.nonzero(attribution >= threshold * peak)[0].max())


def horizon_curve(records: list[dict], node_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, horizons) of one block over a run's probe records; records without the
    attribution (written before it existed) are skipped."""
    pairs = [
        (record["step"], record["blocks"][node_id]["memory_horizon"])
        for record in records
        if "memory_horizon" in record["blocks"].get(node_id, {})
    ]
    steps, horizons = zip(*pairs) if pairs else ((), ())
    return np.array(steps, dtype=np.int64), np.array(horizons, dtype=np.int64)
