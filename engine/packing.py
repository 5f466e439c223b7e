"""Variable-length batches: lengths, step masks, padding, and fused recurrent kernels on packed input.

A batch of sequences of different lengths is padded at the end to one length T and carries
`lengths`, int64 [B], each from 1 to T. Invariant: padding never changes the result for a real
step. Bidirectional recurrent layers read packed sequences (so the backward direction starts at
each sequence's own last step); forward-only ones read the padded batch, which is exact for
them and faster on CPU; pooling reads real steps only, and per-step targets
mark padding with IGNORE_INDEX, which cross-entropy skips. Without lengths every function here
is bypassed, so fixed-length models compute exactly what they did before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

IGNORE_INDEX = -100  # the default ignore_index of torch's cross-entropy


def step_mask(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """bool [B, T]: True at each sequence's real steps."""
    return torch.arange(steps, device=lengths.device)[None, :] < lengths[:, None]


def last_real_step(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T, F) -> (B, F): each sequence's step at lengths - 1."""
    rows = torch.arange(x.shape[0], device=x.device)
    return x[rows, lengths.to(x.device) - 1]


def mean_over_real_steps(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T, F) -> (B, F): the mean over each sequence's real steps, padding excluded."""
    lengths = lengths.to(x.device)
    mask = step_mask(lengths, x.shape[1]).unsqueeze(-1).to(x.dtype)  # (B, T, 1)
    return (x * mask).sum(dim=1) / lengths.unsqueeze(-1).to(x.dtype)


def run_packed(
    forward: Callable[..., tuple[Any, Any]], x: torch.Tensor, lengths: torch.Tensor, emit: str = "sequence"
) -> tuple[torch.Tensor | None, Any]:
    """Call a batch-first fused RNN/LSTM/GRU `forward` on x packed by `lengths`.

    Returns (output (B, T, H * directions) with zeros at padding, or None when `emit` is
    "last" and only the state is wanted; final state), the state taken at each sequence's
    last real step (and, backwards, at its first), in the batch's own order.
    """
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, state = forward(packed)
    if emit != "sequence":
        return None, state
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, state


def run_forward_only(
    forward: Callable[..., tuple[Any, Any]], x: torch.Tensor, lengths: torch.Tensor, emit: str = "sequence"
) -> torch.Tensor:
    """Call a batch-first, forward-only fused RNN/LSTM/GRU `forward` on the padded batch.

    A forward recurrence (stacked layers included) computes step t from steps 0..t only, so
    its outputs at real steps never see the padding after them and equal the packed result;
    reading the padded batch keeps the fused kernels' fast path (oneDNN's LSTM on CPU, which
    packed input loses), at the cost of the padding steps' arithmetic.
    Returns the output (B, T, H) with zeros at padding ("sequence"), or each sequence's output
    at its last real step (B, H) ("last").
    """
    out, _ = forward(x)
    lengths = lengths.to(out.device)
    if emit != "sequence":
        return last_real_step(out, lengths)
    return out * step_mask(lengths, x.shape[1]).unsqueeze(-1).to(out.dtype)  # (B, T, H)


def probe_rows(
    x: torch.Tensor, y: torch.Tensor, lengths: torch.Tensor | None, samples: int
) -> tuple[torch.Tensor, torch.Tensor, list[int] | None]:
    """(x, y, each row's own length or None) of the validation rows a probe reads, on the CPU.

    Fixed-length data: the first `samples` rows. Variable-length data: the `samples` longest
    sequences (the first in data order among equals), cut to the shortest of them, so that every
    step the probe shows (gates, hidden states, gradient through time) is a real step.
    """
    if lengths is None:
        return x[:samples].detach().cpu(), y[:samples].detach().cpu(), None
    rows = torch.sort(lengths, descending=True, stable=True).indices[:samples]
    steps = int(lengths[rows].min())
    return x[rows, :steps].detach().cpu(), y[rows].detach().cpu(), [int(n) for n in lengths[rows]]


def pad_sequences(sequences: Sequence[np.ndarray], value: float | int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """(array [N, T, ...] padded at the end with `value`, lengths int64 [N]); T is the longest."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    steps = int(lengths.max()) if len(lengths) else 0
    tail = np.asarray(sequences[0]).shape[1:] if len(sequences) else ()
    padded = np.full((len(sequences), steps, *tail), value, dtype=dtype)
    for row, sequence in enumerate(sequences):
        padded[row, : len(sequence)] = sequence
    return padded, lengths


def check_lengths(name: str, lengths: torch.Tensor, count: int, steps: int) -> None:
    """ValueError unless `lengths` is int64 [count] with every value in 1..steps (a task's bug)."""
    if lengths.dtype != torch.int64 or tuple(lengths.shape) != (count,):
        raise ValueError(f"{name} is {lengths.dtype} {tuple(lengths.shape)}, needs torch.int64 ({count},)")
    if count and (int(lengths.min()) < 1 or int(lengths.max()) > steps):
        raise ValueError(f"{name} must lie in 1..{steps}; found {int(lengths.min())}..{int(lengths.max())}")


def with_lengths(lengths: torch.Tensor | None, rows: Any = None) -> dict[str, torch.Tensor]:
    """Keyword arguments for a model call on `rows` of a data set: none for fixed-length data,
    so fixed-length models are called exactly as before."""
    if lengths is None:
        return {}
    return {"lengths": lengths if rows is None else lengths[rows]}
