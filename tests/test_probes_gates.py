"""Parity: the explicit step-by-step recurrence equals PyTorch's fused RNN, LSTM and GRU."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.blocks.modules import build_recurrent
from engine.gates import GATE_NAMES, cell_type, emitted, unroll

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
            recomputed = torch.cat([torch.stack(d.hidden, 1) for d in directions], dim=-1)
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
    cells, hidden = torch.stack(d.cell, 1), torch.stack(d.hidden, 1)
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
