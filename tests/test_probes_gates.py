"""Parity: the explicit step-by-step recurrence equals PyTorch's fused RNN, LSTM and GRU."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.blocks.modules import build_recurrent
from engine.gates import GATE_NAMES, cell_type, emitted, total_hidden_grad, unroll

TOLERANCE = 1e-5  # float32
CELLS = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN": torch.nn.RNN}


def fused(cell, features, hidden, layers, bidirectional, batch_first=True, nonlinearity="tanh"):
    extra = {"nonlinearity": nonlinearity} if cell == "RNN" else {}
    return CELLS[cell](
        features, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, **extra
    )


def max_difference(a, b):
    return (a - b).abs().max().item()


@settings(max_examples=25, deadline=None)
@given(
    cell=st.sampled_from(["LSTM", "GRU", "RNN"]),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    batch=st.integers(1, 4),
    steps=st.integers(1, 9),
    features=st.integers(1, 5),
    hidden=st.integers(1, 7),
    layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_recomputed_states_equal_the_fused_output(
    cell, nonlinearity, batch, steps, features, hidden, layers, bidirectional, seed
):
    torch.manual_seed(seed)
    module = fused(cell, features, hidden, layers, bidirectional, nonlinearity=nonlinearity)
    x = torch.randn(batch, steps, features)
    with torch.no_grad():
        output, state = module(x)
        trace = unroll(module, x)
    h_n = state[0] if cell == "LSTM" else state
    assert trace.output.shape == output.shape
    assert max_difference(trace.output, output) <= TOLERANCE
    assert max_difference(trace.h_n, h_n) <= TOLERANCE
    if cell == "LSTM":
        assert max_difference(trace.c_n, state[1]) <= TOLERANCE


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_every_layer_and_direction_matches_a_fused_single_layer(cell):
    """Lower layers are checked too: each layer's recomputed sequence equals a one-layer
    fused module holding that layer's weights, fed the recomputed layer below."""
    torch.manual_seed(1)
    module = fused(cell, 3, 6, 3, True)
    x = torch.randn(4, 11, 3)
    with torch.no_grad():
        trace = unroll(module, x)
        layer_input = x
        for layer, directions in enumerate(trace.layers):
            single = fused(cell, layer_input.shape[-1], 6, 1, True)
            for name, _ in single.named_parameters():
                source = name.replace("_l0", f"_l{layer}")
                getattr(single, name).copy_(getattr(module, source))
            expected, _ = single(layer_input)
            recomputed = torch.cat([d.hidden for d in directions], dim=-1)
            assert max_difference(recomputed, expected) <= TOLERANCE
            layer_input = recomputed


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_initial_state_and_time_major_layout(cell):
    torch.manual_seed(2)
    module = fused(cell, 2, 5, 2, True, batch_first=False)
    x = torch.randn(7, 3, 2)  # (T, B, F)
    h0 = torch.randn(4, 3, 5)
    state = (h0, torch.randn(4, 3, 5)) if cell == "LSTM" else h0
    with torch.no_grad():
        output, _ = module(x, state)
        trace = unroll(module, x, state)
    assert max_difference(trace.output, output) <= TOLERANCE


def test_gates_are_the_documented_quantities():
    """LSTM: c_t = f c_{t-1} + i g and h_t = o tanh(c_t), with the recorded gates."""
    torch.manual_seed(3)
    module = fused("LSTM", 2, 4, 1, False)
    with torch.no_grad():
        d = unroll(module, torch.randn(2, 6, 2)).layers[0][0]
    i, f, g, o = (d.gates[name] for name in GATE_NAMES["LSTM"])
    cells, hidden = d.cell, d.hidden
    previous = torch.cat([torch.zeros_like(cells[:, :1]), cells[:, :-1]], dim=1)
    assert torch.allclose(cells, f * previous + i * g, atol=1e-6)
    assert torch.allclose(hidden, o * torch.tanh(cells), atol=1e-6)
    assert ((i > 0) & (i < 1)).all() and (g.abs() < 1).all()


def test_gru_hidden_bias_sits_inside_the_reset_product():
    """A GRU with a large b_hn: had the recompute put it outside r ⊙ (...), parity would fail."""
    torch.manual_seed(4)
    module = fused("GRU", 3, 5, 1, False)
    with torch.no_grad():
        module.bias_hh_l0[10:] = 2.0
        x = torch.randn(3, 8, 3)
        output, _ = module(x)
        trace = unroll(module, x)
    assert max_difference(trace.output, output) <= TOLERANCE


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("emit", ["sequence", "last"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_engine_blocks_emit_the_same_as_the_recompute(cell, emit, bidirectional):
    torch.manual_seed(5)
    block = build_recurrent(cell, 3, 4, 2, bidirectional, 0.0, emit)
    x = torch.randn(2, 5, 3)
    with torch.no_grad():
        assert max_difference(emitted(block, unroll(block, x)), block(x)) <= TOLERANCE


def test_cell_type_refuses_other_modules():
    assert cell_type(torch.nn.GRU(2, 3)) == "GRU"
    assert cell_type(torch.nn.RNN(2, 3, nonlinearity="relu")) == "RNN"
    with pytest.raises(ValueError, match="not a fused RNN"):
        cell_type(torch.nn.Linear(2, 3))
    with pytest.raises(ValueError, match="proj_size"):
        cell_type(torch.nn.LSTM(2, 3, proj_size=2))


def stepwise_hidden_grads(module, x, weight):
    """Reference ∂L/∂hₜ per layer and direction from a plain step-by-step loop in float64 with
    every hₜ kept in the graph; L = Σ weight ⊙ output, so every step gets a gradient from above
    as well as through the recurrence."""
    step = {"LSTM": torch.lstm_cell, "GRU": torch.gru_cell, "RNN": torch.rnn_tanh_cell}[cell_type(module)]
    layer_input, states, directions = x, [], 2 if module.bidirectional else 1
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            weights = [getattr(module, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            h = x.new_zeros(x.shape[0], module.hidden_size)
            state = (h, torch.zeros_like(h)) if module.mode == "LSTM" else h
            hidden = [None] * x.shape[1]
            for t in reversed(range(x.shape[1])) if direction else range(x.shape[1]):
                state = step(layer_input[:, t], state, *weights)
                h = state[0] if module.mode == "LSTM" else state
                h.retain_grad()
                hidden[t] = h
            states.append(hidden)
            outputs.append(torch.stack(hidden, 1))
        layer_input = torch.cat(outputs, -1)
    (layer_input * weight).sum().backward()
    return [torch.stack([h.grad for h in hidden], 1) for hidden in states]


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_recurrence_hook_gives_the_total_hidden_gradient(cell):
    """total_hidden_grad from one autograd call on the fused kernels equals ∂L/∂hₜ of a
    step-by-step graph, for every layer and both directions."""
    torch.manual_seed(6)
    module = fused(cell, 3, 5, 2, True).double()
    x = torch.randn(3, 9, 3, dtype=torch.float64)
    weight = torch.randn(3, 9, 10, dtype=torch.float64)
    expected = stepwise_hidden_grads(module, x, weight)
    trace = unroll(module, x, track=True)
    directions = [d for layer in trace.layers for d in layer]
    wanted = [d.hidden for d in directions] + [d.recurrent_input for d in directions]
    grads = torch.autograd.grad((trace.output * weight).sum(), wanted, allow_unused=True)
    for index, direction in enumerate(directions):
        found = total_hidden_grad(direction, grads[index], grads[len(directions) + index])
        assert max_difference(found, expected[index]) <= 1e-10
