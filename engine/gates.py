"""Exact gates, states and recurrence hooks of PyTorch's fused nn.RNN, nn.LSTM and nn.GRU.

Training runs on the fused kernels, which expose neither gates nor per-step cell states.
Each step's gates depend only on that step's input and the previous hidden state, and a
fused layer's output holds every hidden state. So `unroll` runs the fused kernel one layer
and one direction at a time and then recomputes *all* gates of that layer with two batched
matrix products over every step at once (no Python loop over cells); only the LSTM cell
state needs a scan, an elementwise one. The formulas are PyTorch's, with the rows of
`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (and their `_reverse`
twins) split in this order:

    LSTM  i, f, g, o   i = σ(W_ii x + b_ii + W_hi h + b_hi)   (f and o alike)
                       g = tanh(W_ig x + b_ig + W_hg h + b_hg)
                       c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
    GRU   r, z, n      r = σ(W_ir x + b_ir + W_hr h + b_hr)   (z alike)
                       n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   ← b_hn inside the product
                       h' = (1 − z) ⊙ n + z ⊙ h
    RNN                a = W_ih x + b_ih + W_hh h + b_hh,   h' = tanh(a) or relu(a)

The recurrence hook (`track=True`): the fused kernel never shows autograd its hₜ₋₁ → hₜ
step, so ∂L/∂hₜ cannot be asked of its output alone (that only holds what arrives from the
layers above). Instead each layer also reads a zero leaf `recurrent_input`, so the forward
pass is unchanged but autograd reports what step t sends back towards hₜ₋₁:

- LSTM and RNN read [xₜ, 0] through [W_ih, W_hh]: the leaf's gradient at step t is
  W_hhᵀ ∂L/∂aₜ, exactly the part of ∂L/∂hₜ₋₁ carried back through the recurrence
  (hₜ₋₁ enters step t only through W_hh).
- GRU reads [xₜ, 0] through [W_ih, I]: the leaf's gradient is ∂L/∂aₜ of the reset, update
  and candidate pre-activations. hₜ₋₁ enters step t through W_hr, W_hz, r ⊙ W_hn *and* the
  direct path zₜ ⊙ hₜ₋₁, so ∂L/∂hₜ₋₁ = fromₜ₋₁ + [∂a_r, ∂a_z, rₜ ⊙ ∂a_n] W_hh + zₜ ⊙ ∂L/∂hₜ:
  one batched matrix product and one elementwise backward scan.

So one autograd call on the fused kernels gives the exact total derivative
(`total_hidden_grad`). Invariants:
- The recomputed top-layer sequence and final states equal the fused module's output to
  float rounding (tests/test_probes_gates.py holds the parity tests).
- Dropout between stacked layers is not applied: a probe sees the model as evaluation does.
- The reverse direction reads the sequence from the last step to the first; every tensor
  here is stored in time order, as the fused output lays it out.
- Gate and cell tensors are detached; hidden states stay in the autograd graph when the
  caller tracks gradients.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .blocks.min_cells import GATE_KINDS as MIN_GATE_KINDS
from .blocks.min_cells import GATES as MIN_GATES

GATE_NAMES: dict[str, tuple[str, ...]] = {
    "LSTM": ("input", "forget", "candidate", "output"),
    "GRU": ("reset", "update", "candidate"),
    "RNN": ("preactivation",),
    **MIN_GATES,  # minGRU, minLSTM: their blocks trace themselves (engine/blocks/min_cells.py)
}
# The range each gate lives in: "sigmoid" (0, 1), "tanh" (-1, 1) or an unbounded "preactivation".
GATE_KINDS: dict[str, tuple[str, ...]] = {
    "LSTM": ("sigmoid", "sigmoid", "tanh", "sigmoid"),
    "GRU": ("sigmoid", "sigmoid", "tanh"),
    "RNN": ("preactivation",),
    **MIN_GATE_KINDS,
}


@dataclass
class DirectionTrace:
    """One layer, one direction; every (B, T, ·) tensor is indexed by time step t = 0..T-1."""

    gates: dict[str, torch.Tensor]  # gate name -> (B, T, H), detached
    hidden: torch.Tensor  # h_t for every t, (B, T, H)
    cell: torch.Tensor | None  # LSTM c_t, (B, T, H), detached; None for GRU and RNN
    reverse: bool
    recurrent_input: torch.Tensor | None = None  # the zero leaf of the recurrence hook, (B, T, H or 3H)
    recurrent_weight: torch.Tensor | None = None  # W_hh (GRU only: the hook needs it to finish)
    carry: torch.Tensor | None = None  # min-cells: aₜ of hₜ = aₜ ⊙ hₜ₋₁ + bₜ, (B, T, H), detached


@dataclass
class Trace:
    """Everything `unroll` recomputed for one fused module."""

    cell_type: str  # "LSTM", "GRU" or "RNN"
    nonlinearity: str | None  # RNN only: "tanh" or "relu"
    layers: list[list[DirectionTrace]]  # [layer][direction]
    output: torch.Tensor  # (B, T, D*H): the fused module's `output`
    h_n: torch.Tensor  # (L*D, B, H)
    c_n: torch.Tensor | None  # (L*D, B, H), LSTM only


def cell_type(module: nn.Module) -> str:
    """'LSTM', 'GRU' or 'RNN' for a fused recurrent module; ValueError for anything else."""
    mode = getattr(module, "mode", None)
    if not isinstance(module, nn.RNNBase) or mode not in ("LSTM", "GRU", "RNN_TANH", "RNN_RELU"):
        raise ValueError(f"{type(module).__name__} is not a fused RNN, LSTM or GRU module")
    if getattr(module, "proj_size", 0):
        raise ValueError("LSTMs with proj_size are not supported by the probes")
    return "RNN" if mode.startswith("RNN") else mode


def unroll(module: nn.RNNBase, x: torch.Tensor, state=None, track: bool = False, gate_rows: int | None = None) -> Trace:
    """Recompute `module(x, state)` with every gate and state; see the module docstring.

    x is (B, T, F) when the module is batch_first, else (T, B, F). `state` is the initial
    state as the fused module takes it (h0, or (h0, c0) for an LSTM); zeros when None.
    `track` adds the recurrence hook, for `total_hidden_grad`. `gate_rows` limits the gates
    and cell states to the first rows of the batch (a probe's attribution rows need only states).
    """
    kind = cell_type(module)
    if not module.batch_first:
        x = x.transpose(0, 1)
    batch, directions, size = x.shape[0], 2 if module.bidirectional else 1, module.hidden_size
    h0, c0 = _initial_state(kind, state, module.num_layers * directions, batch, size, x)
    relu = kind == "RNN" and module.nonlinearity == "relu"
    layers, layer_input = [], x
    for layer in range(module.num_layers):
        traces = []
        for direction in range(directions):
            index = layer * directions + direction
            start = (h0[index], None if c0 is None else c0[index])
            weights = _weights(module, layer, direction)
            traces.append(_run_direction(kind, relu, layer_input, weights, start, direction == 1, track, gate_rows))
        layers.append(traces)
        layer_input = torch.cat([t.hidden for t in traces], dim=-1)  # (B, T, D*H)
    h_n = torch.stack([_final(t.hidden, t.reverse) for traces in layers for t in traces])  # (L*D, B, H)
    c_n = None
    if kind == "LSTM":
        c_n = torch.stack([_final(t.cell, t.reverse) for traces in layers for t in traces])
    output = layer_input if module.batch_first else layer_input.transpose(0, 1)
    nonlinearity = getattr(module, "nonlinearity", None) if kind == "RNN" else None
    return Trace(kind, nonlinearity, layers, output, h_n, c_n)


def emitted(module: nn.Module, trace: Trace) -> torch.Tensor:
    """What an engine recurrent block returns (its `emit`), built from a trace."""
    if getattr(module, "emit", "sequence") == "sequence":
        return trace.output
    if module.bidirectional:
        return torch.cat([trace.h_n[-2], trace.h_n[-1]], dim=-1)  # (B, 2H)
    return trace.h_n[-1]  # (B, H)


def total_hidden_grad(
    direction: DirectionTrace,
    from_outputs: torch.Tensor | None,
    through_recurrence: torch.Tensor | None,
    rows: int | None = None,
) -> torch.Tensor:
    """∂L/∂hₜ (B, T, H) of one direction, from the gradients autograd gave its `hidden`
    (what the layers above and the head take) and its `recurrent_input` (see the module
    docstring). Either may be None: autograd found nothing depends on it. `rows`: only the
    first rows of the batch (those `unroll` kept gates for)."""
    hidden = direction.hidden[:rows]
    total = torch.zeros_like(hidden) if from_outputs is None else from_outputs[:rows].clone()
    if direction.carry is not None:  # a min-cell: hₜ₋₁ reaches step t only through aₜ ⊙ hₜ₋₁
        decay = _shift_back(direction.carry, direction.reverse)
        return cell_scan(decay, total, torch.zeros_like(total[:, 0]), not direction.reverse)
    if through_recurrence is None:
        return total
    through_recurrence = through_recurrence[:rows]
    sent_back = through_recurrence  # at step t: what step t sends to h_{t-1} (h_{t+1} in reverse)
    if direction.recurrent_weight is not None:  # GRU: the hook gave the pre-activation gradients
        d_r, d_z, d_n = through_recurrence.chunk(3, dim=-1)
        gates = direction.gates
        sent_back = torch.cat([d_r, d_z, gates["reset"] * d_n], dim=-1) @ direction.recurrent_weight
        decay = _shift_back(gates["update"], direction.reverse)
        return cell_scan(
            decay,
            total + _shift_back(sent_back, direction.reverse),
            torch.zeros_like(total[:, 0]),
            not direction.reverse,
        )
    return total + _shift_back(sent_back, direction.reverse)


def _shift_back(per_step: torch.Tensor, reverse: bool) -> torch.Tensor:
    """Move what step t sends back onto the step it reaches (t − 1, or t + 1 in reverse); zero
    where nothing arrives."""
    zero = torch.zeros_like(per_step[:, :1])
    if reverse:
        return torch.cat([zero, per_step[:, :-1]], dim=1)
    return torch.cat([per_step[:, 1:], zero], dim=1)


def _final(sequence: torch.Tensor, reverse: bool) -> torch.Tensor:
    return sequence[:, 0 if reverse else -1]


def _initial_state(kind, state, count, batch, size, x):
    zeros = x.new_zeros((count, batch, size), dtype=_float_dtype(x))
    if state is None:
        return zeros, (zeros if kind == "LSTM" else None)
    if kind == "LSTM":
        return state
    return state, None


def _float_dtype(x: torch.Tensor) -> torch.dtype:
    return x.dtype if x.is_floating_point() else torch.get_default_dtype()


def _weights(module, layer: int, direction: int):
    suffix = f"_l{layer}" + ("_reverse" if direction else "")
    w_ih, w_hh = getattr(module, "weight_ih" + suffix), getattr(module, "weight_hh" + suffix)
    if module.bias:
        return w_ih, w_hh, getattr(module, "bias_ih" + suffix), getattr(module, "bias_hh" + suffix)
    return w_ih, w_hh, None, None


def _run_direction(kind, relu, x, weights, start, reverse: bool, track: bool, rows: int | None) -> DirectionTrace:
    w_ih, w_hh, b_ih, b_hh = weights
    h0, c0 = start
    feed_in, w_in, hook = x, w_ih, None
    if track:  # the recurrence hook: read [x, 0] through [W_ih, W_hh], or [W_ih, I] for a GRU
        through = torch.eye(w_ih.shape[0], dtype=w_ih.dtype) if kind == "GRU" else w_hh
        hook = x.new_zeros((*x.shape[:2], through.shape[1])).requires_grad_()
        feed_in, w_in = torch.cat([x, hook], dim=-1), torch.cat([w_ih, through], dim=1)
    hidden = _fused_layer(kind, relu, feed_in.flip(1) if reverse else feed_in, (w_in, w_hh, b_ih, b_hh), h0, c0)
    hidden = hidden.flip(1) if reverse else hidden  # (B, T, H) in time order
    with torch.no_grad():
        c0 = None if c0 is None else c0.detach()[:rows]
        gates, cell = _gates(kind, x.detach()[:rows], hidden.detach()[:rows], weights, h0.detach()[:rows], c0, reverse)
    weight = w_hh.detach() if track and kind == "GRU" else None
    return DirectionTrace(gates, hidden, cell, reverse, hook, weight)


def _fused_layer(kind, relu, x, weights, h0, c0) -> torch.Tensor:
    """One fused layer and direction over x (B, T, F): PyTorch's own kernel (oneDNN for an
    LSTM on CPU), so the probe costs about what a training step costs."""
    params = [w for w in weights if w is not None]
    has_bias = len(params) == 4
    if kind == "LSTM":
        return torch.lstm(x, (h0[None], c0[None]), params, has_bias, 1, 0.0, False, False, True)[0]
    run = {"GRU": torch.gru, "RNN": torch.rnn_relu if relu else torch.rnn_tanh}[kind]
    return run(x, h0[None], params, has_bias, 1, 0.0, False, False, True)[0]


def _gates(kind, x, hidden, weights, h0, c0, reverse):
    """All gates of one direction at once from its input and its hidden states (B, T, ·)."""
    w_ih, w_hh, b_ih, b_hh = weights
    previous = _previous_hidden(hidden, h0, reverse)  # hₜ₋₁ for every t (hₜ₊₁ in reverse)
    from_x = nn.functional.linear(x, w_ih, b_ih)
    from_h = nn.functional.linear(previous, w_hh, b_hh)
    if kind == "LSTM":
        i, f, g, o = (from_x + from_h).chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        return dict(zip(GATE_NAMES["LSTM"], (i, f, g, o))), cell_scan(f, i * g, c0, reverse)
    if kind == "GRU":
        x_r, x_z, x_n = from_x.chunk(3, dim=-1)
        h_r, h_z, h_n = from_h.chunk(3, dim=-1)  # h_n already holds b_hn: it goes inside the reset product
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        return dict(zip(GATE_NAMES["GRU"], (r, z, torch.tanh(x_n + r * h_n)))), None
    return {"preactivation": from_x + from_h}, None


def _previous_hidden(hidden: torch.Tensor, h0: torch.Tensor, reverse: bool) -> torch.Tensor:
    if reverse:
        return torch.cat([hidden[:, 1:], h0[:, None]], dim=1)
    return torch.cat([h0[:, None], hidden[:, :-1]], dim=1)


def cell_scan(decay: torch.Tensor, drive: torch.Tensor, c0: torch.Tensor, reverse: bool = False) -> torch.Tensor:
    """cₜ = decayₜ ⊙ cₜ₋₁ + driveₜ for every t (B, T, H), from c₋₁ = c0 (B, H); time order kept."""
    steps = range(decay.shape[1] - 1, -1, -1) if reverse else range(decay.shape[1])
    decay_t, drive_t = decay.unbind(1), drive.unbind(1)
    cells, c = [None] * decay.shape[1], c0
    for t in steps:
        c = torch.addcmul(drive_t[t], decay_t[t], c)
        cells[t] = c
    return torch.stack(cells, dim=1)
