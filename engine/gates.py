"""Explicit, step-by-step recurrence of PyTorch's fused nn.RNN, nn.LSTM and nn.GRU.

Training runs on the fused kernels, which expose neither gates nor per-step cell states.
`unroll` recomputes them from the fused module's own parameters, one time step at a time,
for every layer and both directions. The formulas are PyTorch's, with the rows of
`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (and their `_reverse`
twins) split in this order:

    LSTM  i, f, g, o   i = σ(W_ii x + b_ii + W_hi h + b_hi)   (f and o alike)
                       g = tanh(W_ig x + b_ig + W_hg h + b_hg)
                       c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
    GRU   r, z, n      r = σ(W_ir x + b_ir + W_hr h + b_hr)   (z alike)
                       n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   ← b_hn inside the product
                       h' = (1 − z) ⊙ n + z ⊙ h
    RNN                a = W_ih x + b_ih + W_hh h + b_hh,   h' = tanh(a) or relu(a)

Invariants:
- The recomputed top-layer sequence and final states equal the fused module's output to
  float rounding (tests/test_probes_gates.py holds the parity tests).
- Dropout between stacked layers is not applied: a probe sees the model as evaluation does.
- The reverse direction reads the sequence from the last step to the first and stores each
  state at its own time index, as the fused output lays it out.
- Gate tensors are detached; hidden states stay in the autograd graph when the caller
  tracks gradients, so ∂L/∂hₜ can be taken through the whole recurrence.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

GATE_NAMES: dict[str, tuple[str, ...]] = {
    "LSTM": ("input", "forget", "candidate", "output"),
    "GRU": ("reset", "update", "candidate"),
    "RNN": ("preactivation",),
}
# The range each gate lives in: "sigmoid" (0, 1), "tanh" (-1, 1) or an unbounded "preactivation".
GATE_KINDS: dict[str, tuple[str, ...]] = {
    "LSTM": ("sigmoid", "sigmoid", "tanh", "sigmoid"),
    "GRU": ("sigmoid", "sigmoid", "tanh"),
    "RNN": ("preactivation",),
}


@dataclass
class DirectionTrace:
    """One layer, one direction. Every tensor list is indexed by time step t = 0..T-1."""

    gates: dict[str, torch.Tensor]  # gate name -> (B, T, H), detached
    hidden: list[torch.Tensor]  # h_t, each (B, H)
    cell: list[torch.Tensor] | None  # LSTM c_t, each (B, H); None for GRU and RNN
    reverse: bool


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


def unroll(module: nn.RNNBase, x: torch.Tensor, state=None) -> Trace:
    """Recompute `module(x, state)` step by step; see the module docstring.

    x is (B, T, F) when the module is batch_first, else (T, B, F). `state` is the initial
    state as the fused module takes it (h0, or (h0, c0) for an LSTM); zeros when None.
    """
    kind = cell_type(module)
    if not module.batch_first:
        x = x.transpose(0, 1)
    batch, directions, size = x.shape[0], 2 if module.bidirectional else 1, module.hidden_size
    h0, c0 = _initial_state(kind, state, module.num_layers * directions, batch, size, x)
    layers, layer_input = [], x
    for layer in range(module.num_layers):
        traces = []
        for direction in range(directions):
            index = layer * directions + direction
            weights = _weights(module, layer, direction)
            traces.append(
                _run_direction(
                    kind,
                    module,
                    layer_input,
                    weights,
                    h0[index],
                    None if c0 is None else c0[index],
                    reverse=direction == 1,
                )
            )
        layers.append(traces)
        layer_input = torch.cat([torch.stack(t.hidden, dim=1) for t in traces], dim=-1)  # (B, T, D*H)
    finals = [t.hidden[0 if t.reverse else -1] for traces in layers for t in traces]
    h_n = torch.stack(finals)  # (L*D, B, H)
    c_n = None
    if kind == "LSTM":
        c_n = torch.stack([t.cell[0 if t.reverse else -1] for traces in layers for t in traces])
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


def _linear(x, weight, bias):
    return torch.nn.functional.linear(x, weight, bias)


def _run_direction(kind, module, x, weights, h, c, reverse: bool) -> DirectionTrace:
    w_ih, w_hh, b_ih, b_hh = weights
    steps = x.shape[1]
    # The input part of every gate for all steps at once, (B, T, G*H), split into steps with
    # unbind: indexing projected[:, t] instead would make the backward pass quadratic in T
    # (each step's gradient would be scattered into a zero tensor of the full size).
    projected = _linear(x, w_ih, b_ih).unbind(1)
    step = {"LSTM": _lstm_step, "GRU": _gru_step, "RNN": _rnn_step}[kind]
    relu = kind == "RNN" and module.nonlinearity == "relu"
    hidden, cells, gate_steps = [None] * steps, ([None] * steps if kind == "LSTM" else None), [None] * steps
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        h, c, gates = step(projected[t], _linear(h, w_hh, b_hh), h, c, relu)
        hidden[t], gate_steps[t] = h, gates
        if cells is not None:
            cells[t] = c
    names = GATE_NAMES[kind]
    stacked = {name: torch.stack([g[i] for g in gate_steps], dim=1) for i, name in enumerate(names)}
    return DirectionTrace(stacked, hidden, cells, reverse)


def _lstm_step(gx, gh, h, c, relu):
    i, f, g, o = (gx + gh).chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = torch.addcmul(f * c, i, g)  # f ⊙ c + i ⊙ g
    h = o * torch.tanh(c)
    return h, c, (i.detach(), f.detach(), g.detach(), o.detach())


def _gru_step(gx, gh, h, c, relu):
    x_r, x_z, x_n = gx.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)  # h_n already holds b_hn: it goes inside the reset product
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    h = (1 - z) * n + z * h
    return h, None, (r.detach(), z.detach(), n.detach())


def _rnn_step(gx, gh, h, c, relu):
    a = gx + gh
    h = torch.relu(a) if relu else torch.tanh(a)
    return h, None, (a.detach(),)
