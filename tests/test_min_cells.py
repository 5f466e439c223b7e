"""minGRU and minLSTM: parallel scan = step by step, padded batches, probes, training, compare."""

from __future__ import annotations

import copy

import pytest
import torch
from probe_models import adding_project, model_and_data

from engine.blocks import CATALOGUE
from engine.blocks.min_cells import probed_min_recurrent_class
from engine.compare import CELLS, parse_cells, variant_project
from engine.probes import ProbeSession
from engine.project import load_project
from engine.training import train

MIN_CELLS = ("minGRU", "minLSTM")


def block(cell, features=3, hidden=5, layers=2, bidirectional=True, emit="sequence", **extra):
    torch.manual_seed(0)
    return probed_min_recurrent_class()(cell, features, hidden, layers, bidirectional, 0.0, emit, **extra).double()


@pytest.mark.parametrize("cell", MIN_CELLS)
@pytest.mark.parametrize("emit", ["sequence", "last"])
def test_the_parallel_scan_equals_the_step_by_step_recurrence(cell, emit):
    module = block(cell, emit=emit)
    x = torch.randn(4, 30, 3, dtype=torch.float64)
    parallel = module.train()(x)  # training: the log-space parallel scan
    sequential = module.eval()(x)  # evaluation and inference: one step at a time
    assert (parallel - sequential).abs().max() <= 1e-10
    log_a, log_b, _ = module.log_coefficients(x, "_l0")
    a, b = log_a.exp(), log_b.exp()
    assert ((a > 0) & (a < 1)).all() and (b > 0).all()  # a convex-like keep, a positive drive


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_a_padded_batch_gives_each_sequence_its_own_result(cell):
    module = block(cell).eval()
    x = torch.randn(3, 9, 3, dtype=torch.float64)
    lengths = torch.tensor([9, 4, 6])
    padded = module(x, lengths)
    for row, length in enumerate(lengths.tolist()):
        alone = module(x[row : row + 1, :length])
        assert (padded[row, :length] - alone[0]).abs().max() <= 1e-10
        assert (padded[row, length:] == 0).all()
    module.emit = "last"
    finals = module(x, lengths)
    assert (finals[1] - module(x[1:2, :4])[0]).abs().max() <= 1e-10


def test_forget_bias_opens_the_minlstm_forget_gate():
    plain, opened = block("minLSTM", layers=1), block("minLSTM", layers=1, forget_bias=2.0)
    assert torch.allclose(opened.bias_ih_l0[:5], plain.bias_ih_l0[:5] + 2.0)  # added in float32
    assert torch.equal(opened.bias_ih_l0[5:], plain.bias_ih_l0[5:])
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    keep = {name: m.log_coefficients(x, "_l0")[0].exp().mean() for name, m in (("plain", plain), ("open", opened))}
    assert keep["open"] > keep["plain"] + 0.1  # f' = f / (f + i): σ(2) / (σ(2) + ½) ≈ 0.64
    assert "forget_bias" not in CATALOGUE["minGRU"].defaults()  # minGRU has no forget gate


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_probes_read_the_gates_and_the_exact_gradient_through_time(cell):
    model, data = model_and_data(adding_project(cell, length=10))
    record = ProbeSession(model, data, 4).run(0)["blocks"]["memory"]
    assert record["cell"] == cell and record["gates"] == _gate_names(cell)
    assert record["gate_mean"][record["gates"][0]].shape == (1, 1, 10)
    double = copy.deepcopy(model).double()
    x, y = data.x_val[:4].double(), data.y_val[:4].double()
    log_a, log_b, _ = double.memory.log_coefficients(x, "_l0")
    a, b = log_a.exp(), log_b.exp()
    h, states = torch.zeros_like(b[:, 0]), []
    for t in range(10):  # the recurrence step by step, every hₜ kept
        h = a[:, t] * h + b[:, t]
        h.retain_grad()
        states.append(h)
    double.loss(double.sum(states[-1]), y).backward()
    expected = torch.stack([s.grad.norm() for s in states]).numpy()
    assert record["grad_norm"][0, 0] == pytest.approx(expected, rel=1e-5)
    assert record["memory_horizon"] >= 0 and record["attribution"].shape == (10,)


def _gate_names(cell):
    return ["update", "candidate"] if cell == "minGRU" else ["forget", "input", "candidate"]


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_min_cells_train_on_the_adding_problem_and_the_sine_forecast(cell):
    project = adding_project(cell, hidden=16, n_train=1000)
    project.training.update({"learning_rate": 0.03, "eval_every": 200, "probe_every": 0})
    adding = train(project, steps=200, record=False)  # measured: validation MSE ≈ 0.02 (minGRU), 0.013 (minLSTM)
    assert adding.status == "finished" and adding.val_loss < 0.06  # always answering 1 scores ≈ 0.167
    project = load_project("projects/sine_lstm.rsproj")
    sine = train(variant_project(project, cell), steps=60, record=False, overrides={"probe_every": 0})
    assert sine.status == "finished" and sine.val_loss < sine.summary["baseline_loss"]


def test_compare_can_swap_in_the_min_cells():
    assert set(MIN_CELLS) <= set(CELLS)
    assert parse_cells("lstm, mingru, MINLSTM") == ["LSTM", "minGRU", "minLSTM"]
    lstm = adding_project("LSTM", forget_bias=1.0)
    assert variant_project(lstm, "minLSTM").graph.node("memory").params["forget_bias"] == 1.0
    assert "forget_bias" not in variant_project(lstm, "minGRU").graph.node("memory").params
