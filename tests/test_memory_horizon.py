"""Memory horizon: the attribution ‖∂ŷ/∂xₜ‖ by lag, its horizon, and what it shows."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from probe_models import adding_project, model_and_data, token_project

from engine.memory_horizon import attribution_by_lag, horizon_curve, memory_horizon, output_positions
from engine.probes import ProbeSession
from engine.report import inspect_report
from engine.training import train


def test_horizon_is_the_longest_lag_above_one_percent_of_the_peak():
    assert memory_horizon(np.array([1.0, 0.5, 0.02, 0.009, 0.011, 0.0])) == 4
    assert memory_horizon(np.array([0.0, 0.0])) == 0
    assert memory_horizon(np.array([2.0, np.nan, 0.019])) == 0  # NaN counts as nothing
    assert memory_horizon(np.array([1.0, 0.1]), threshold=0.5) == 0


def test_attribution_by_lag_averages_the_positions_that_reach_each_lag():
    per_position = np.array([[1.0, 0.0, 0.0], [3.0, 2.0, 5.0]])  # positions 0 and 2
    by_lag = attribution_by_lag(per_position, [0, 2])
    assert by_lag.tolist() == [(1.0 + 5.0) / 2, 2.0, 3.0]
    assert output_positions(100, per_step=False) == [99]
    spread = output_positions(100, per_step=True)
    assert len(spread) == 8 and spread[0] == 0 and spread[-1] == 99
    assert output_positions(3, per_step=True) == [0, 1, 2]


def test_attribution_equals_the_gradient_of_the_prediction():
    model, data = model_and_data(adding_project("GRU", length=10))
    block = ProbeSession(model, data, 4).run(0)["blocks"]["memory"]
    double = copy.deepcopy(model).double()
    x = data.x_val[:4].double().requires_grad_()
    (grad,) = torch.autograd.grad(double(x).sum(), x)  # ŷ is one value per sequence
    expected = grad.norm(dim=-1).mean(dim=0).flip(0).numpy()  # lag k is t = T-1-k
    assert block["attribution"] == pytest.approx(expected, rel=1e-4)
    assert block["memory_horizon"] == memory_horizon(expected)


def test_per_step_heads_average_the_measured_output_positions_by_lag():
    model, data = model_and_data(token_project())
    block = ProbeSession(model, data, 3).run(0)["blocks"]["memory"]
    tokens = data.x_val[:3]
    length = tokens.shape[1]
    positions = output_positions(length, per_step=True)
    embedded = model.embed(tokens).detach().requires_grad_()
    prediction = model.next(model.memory(embedded))  # (S, T, V)
    rows = []
    for s in positions:
        scores = torch.log_softmax(prediction[:, s], -1).max(dim=-1).values  # the predicted token's
        (grad,) = torch.autograd.grad(scores.sum(), embedded, retain_graph=True)
        rows.append(grad.norm(dim=-1).mean(dim=0).numpy())
    expected = attribution_by_lag(np.array(rows), positions)
    assert block["attribution"].shape == (length,)
    assert block["attribution"] == pytest.approx(expected, rel=1e-4, abs=1e-9)


def test_horizon_over_training_and_in_inspect(tmp_path):
    result = train(adding_project("LSTM"), steps=10, runs_dir=tmp_path)
    from engine.probe_store import load_probes

    records = load_probes(result.run_dir)
    steps, horizons = horizon_curve(records, "memory")
    assert steps.tolist() == [r["step"] for r in records] and len(horizons) == len(records)
    assert horizons.tolist() == [r["blocks"]["memory"]["memory_horizon"] for r in records]
    report = inspect_report(result.run_dir)
    assert f"memory horizon {horizons[0]} -> {horizons[-1]} steps (of 12)" in report


def test_forget_bias_shifts_only_the_forget_gate_bias():
    plain, _ = model_and_data(adding_project("LSTM", hidden=6))
    opened, _ = model_and_data(adding_project("LSTM", hidden=6, forget_bias=1.0))
    for name, tensor in plain.state_dict().items():
        shifted = opened.state_dict()[name]
        if name == "memory.bias_ih_l0":
            assert torch.equal(shifted[6:12], tensor[6:12] + 1.0)
            assert torch.equal(shifted[:6], tensor[:6]) and torch.equal(shifted[12:], tensor[12:])
        else:
            assert torch.equal(shifted, tensor), name  # same seed, same draws


def horizon_at_start(cell: str, seed: int, **block) -> int:
    model, data = model_and_data(adding_project(cell, length=100, hidden=16, n_val=8, n_train=8, **block), seed)
    return ProbeSession(model, data, 8).run(0)["blocks"]["memory"]["memory_horizon"]


@pytest.mark.parametrize("seed", [0, 1])
def test_an_open_forget_gate_reaches_the_first_half_and_a_tanh_rnn_does_not(seed):
    """The fast version of bench/memory_horizon.py (which trains RNN, GRU and LSTM on the adding
    problem at length 100 and checks the trained horizons): at initialisation a tanh RNN's horizon
    is a few steps, while an LSTM whose forget gate starts open (bias 3, f ≈ 0.95) reaches back
    past the first half, where the adding problem's first marker lies."""
    assert horizon_at_start("RNN", seed) < 25
    assert horizon_at_start("LSTM", seed) < 25  # PyTorch's default: f ≈ 0.5 halves the memory per step
    assert horizon_at_start("LSTM", seed, forget_bias=3.0) >= 50
