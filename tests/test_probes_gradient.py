"""The textbook result, measured by the probes: on the adding problem over 100 steps, how much
of the loss gradient reaches the first step (‖∂L/∂h₀‖ / ‖∂L/∂h₉₉‖, loss on the last step).

Measured at PyTorch's default initialisation with the blocks' default 64 units, 8 probe
sequences, seeds 0-4 (log10 of the ratio):
    tanh RNN  -20.7 -25.0 -21.3 -23.9 -24.0   (median ≈ 1e-24)
    LSTM      -20.1 -19.8 -20.2 -19.3 -20.5   (median ≈ 1e-20)
    LSTM, forget-gate biases b_if = b_hf = 1:  ≈ 1e-2
A default LSTM's forget gate sits near σ(0) = 0.5, so its cell path also halves the gradient
every step: it keeps four orders of magnitude more than the RNN, not the whole signal. With
the forget gate biased open (or once training has opened it) the gradient survives.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch
from probe_models import adding_project, model_and_data

from engine.probes import ProbeSession

SEEDS = range(5)


@cache
def ratios(cell: str, forget_bias: float | None = None) -> np.ndarray:
    project = adding_project(cell, length=100, hidden=64, n_val=8, n_train=8)
    found = []
    for seed in SEEDS:
        model, data = model_and_data(project, seed)
        if forget_bias is not None:
            with torch.no_grad():
                model.memory.bias_ih_l0[64:128] = forget_bias
                model.memory.bias_hh_l0[64:128] = forget_bias
        block = ProbeSession(model, data, 8).run(0)["blocks"]["memory"]
        assert block["grad_norm"][0, 0, -1] > 0
        found.append(block["grad_ratio"][0, 0])
    return np.array(found)


def test_a_tanh_rnn_loses_the_gradient_over_100_steps():
    assert (ratios("RNN") < 1e-15).all()


def test_an_lstm_keeps_more_of_it_than_a_tanh_rnn():
    rnn, lstm = np.median(ratios("RNN")), np.median(ratios("LSTM"))
    assert lstm > 100 * rnn


def test_an_lstm_with_its_forget_gate_open_keeps_it_far_better():
    rnn, lstm = ratios("RNN"), ratios("LSTM", forget_bias=1.0)
    assert (lstm > 1e-4).all() and lstm.min() > 1e10 * rnn.max()
