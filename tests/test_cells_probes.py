"""Drawn cells are probed like the built-ins: their marked gates by name, hₜ, the exact
gradient through time, the memory horizon and each gate's recurrent spectral radius."""

from __future__ import annotations

import numpy as np
import torch
from probe_models import adding_project, model_and_data

from engine.cells.templates import TEMPLATES, lstm_1997
from engine.probe_store import load_probes
from engine.probes import ProbeSession
from engine.report import inspect_report
from engine.training import train


def _drawn(cell: dict):
    project = adding_project("CustomCell")
    project.graph.set_param("memory", "cell", cell)
    return project


def test_every_marked_gate_is_probed_under_its_name():
    model, dataset = model_and_data(_drawn(TEMPLATES["peephole_lstm"].make()))
    assert model.recurrent_ids() == ["memory"]
    record = ProbeSession(model, dataset, samples=4).run(step=0)["blocks"]["memory"]
    assert record["cell"] == "Peephole LSTM (drawn)"
    assert record["gates"] == ["input", "forget", "output"]
    assert record["gate_kinds"] == {"input": "sigmoid", "forget": "sigmoid", "output": "sigmoid"}
    length = dataset.x_val.shape[1]
    assert record["gate_mean"]["forget"].shape == (1, 1, length)
    assert record["gate_sample"]["input"].shape == (1, 1, length, 6)
    assert record["hidden_sample"].shape == (1, 1, length, 6)
    assert ((record["gate_mean"]["output"] > 0) & (record["gate_mean"]["output"] < 1)).all()
    assert record["spectral_radius"]["forget"].shape == (1, 1) and record["spectral_radius"]["forget"][0, 0] > 0
    assert record["memory_horizon"] >= 0 and record["attribution"].shape == (length,)


def test_the_gradient_through_time_is_exact():
    model, dataset = model_and_data(_drawn(lstm_1997()))
    record = ProbeSession(model, dataset, samples=4).run(step=0)["blocks"]["memory"]
    cell, head = model.memory, model.sum
    run = cell.trace(dataset.x_val[:4])
    loss = head.loss(head(run.output[:, -1]), dataset.y_val[:4])
    grads = torch.autograd.grad(loss, run.states["h"])  # each hₜ as the next step and the output read it
    expected = np.array([float(g.norm()) for g in grads])
    assert np.allclose(record["grad_norm"][0, 0], expected, rtol=1e-4, atol=1e-12)


def test_a_run_with_a_drawn_cell_writes_probe_records_and_the_inspect_report(tmp_path):
    project = _drawn(TEMPLATES["gru_no_reset"].make())
    events = []
    result = train(project, events.append, steps=5, runs_dir=tmp_path)
    probes = [e["probe"] for e in events if e["type"] == "probe"]
    assert probes and probes[-1]["blocks"]["memory"]["gates"] == ["update"]
    stored = load_probes(result.run_dir)
    assert stored[-1]["blocks"]["memory"]["cell"] == "GRU without reset gate (drawn)"
    report = inspect_report(result.run_dir)
    assert "GRU without reset gate (drawn) 'memory': 1 layer of 6 units" in report and "update" in report
