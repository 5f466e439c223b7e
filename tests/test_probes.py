"""ProbeSession: the record layout, exact gradients through time, and no effect on training."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from probe_models import adding_project, model_and_data, stacked_project, token_project

from engine import probes
from engine.gates import unroll
from engine.probes import ProbeError, ProbeSession, spectral_radius
from engine.training import train

PROJECTS = {"lstm": lambda: adding_project("LSTM"), "stacked": stacked_project, "tokens": token_project}
DIRECTION_KEYS = {
    "gate_mean": "T",
    "gate_unit_mean": "H",
    "saturation_low": "",
    "saturation_high": "",
    "gate_sample": "TH",
    "spectral_radius": "",
}


def check_layout(record, model, samples, length):
    assert record["format"] == 1 and record["samples"] == samples and record["length"] == length
    assert isinstance(record["step"], int) and isinstance(record["loss"], float) and record["seconds"] > 0
    assert list(record["blocks"]) == model.recurrent_ids()
    for node_id, block in record["blocks"].items():
        fused = getattr(model, node_id)
        layers, directions, hidden = fused.num_layers, 1 + fused.bidirectional, fused.hidden_size
        assert (block["layers"], block["directions"], block["hidden_size"]) == (layers, directions, hidden)
        assert block["cell"] == model.block_types[node_id]
        sizes = {"T": length, "H": hidden}
        for key, extra in DIRECTION_KEYS.items():
            assert list(block[key]) == block["gates"]
            for array in block[key].values():
                assert array.shape == (layers, directions, *(sizes[c] for c in extra)), key
                assert array.dtype == (np.float64 if key == "spectral_radius" else np.float32)
        assert block["hidden_sample"].shape == (layers, directions, length, hidden)
        assert block["grad_norm"].shape == (layers, directions, length) and block["grad_norm"].dtype == np.float64
        assert block["grad_ratio"].shape == (layers, directions)
        assert ("cell_sample" in block) == ("forget_bias" in block) == (block["cell"] == "LSTM")
        trajectory = block["trajectory"]
        assert trajectory["pca2"].shape == (samples, length, 2) and trajectory["pca3"].shape == (samples, length, 3)
        assert trajectory["explained2"].shape == (2,) and trajectory["explained3"].shape == (3,)
        assert 0 <= trajectory["explained3"].sum() <= 1 + 1e-5


def plain(value):
    """True when `value` holds only dicts, lists, text, numbers, None and numpy arrays."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, np.ndarray))


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_record_layout(name):
    model, data = model_and_data(PROJECTS[name]())
    record = ProbeSession(model, data, 3).run(7)
    check_layout(record, model, 3, data.x_val.shape[1])
    assert record["step"] == 7 and plain(record)


def test_hidden_states_are_the_models_own():
    model, data = model_and_data(stacked_project())
    record = ProbeSession(model, data, 2).run(0)
    with torch.no_grad():
        outputs = model.forward_all(data.x_val[:2])
    encoder = record["blocks"]["encoder"]["hidden_sample"]  # (2 layers, 2 directions, T, 4)
    top = np.concatenate([encoder[-1, 0], encoder[-1, 1]], axis=-1)
    assert np.abs(top - outputs["encoder"][0].numpy()).max() <= 1e-5
    memory = record["blocks"]["memory"]["hidden_sample"]
    assert np.abs(memory[0, 0, -1] - outputs["memory"][0].numpy()).max() <= 1e-5


def test_probing_changes_nothing_in_training(tmp_path):
    project = adding_project("GRU")
    model, data = model_and_data(project)
    model.train()
    for parameter in model.parameters():
        parameter.grad = torch.full_like(parameter, 0.5)
    weights = copy.deepcopy(model.state_dict())
    rng = torch.get_rng_state()
    session = ProbeSession(model, data, 4)
    session.run(0)
    session.run(1)
    assert torch.equal(torch.get_rng_state(), rng) and model.training
    assert all(torch.equal(p.grad, torch.full_like(p, 0.5)) for p in model.parameters())
    assert all(torch.equal(t, weights[k]) for k, t in model.state_dict().items())
    losses = {}
    for every in (0, 1):
        events = []
        train(project, events.append, steps=6, record=False, overrides={"probe_every": every})
        losses[every] = [e["loss"] for e in events if e["type"] == "step"]
        probed = [e["step"] for e in events if e["type"] == "probe"]
        assert probed == ([] if every == 0 else list(range(7)))
    assert losses[0] == losses[1]


def test_probe_follows_the_live_weights():
    model, data = model_and_data(adding_project("RNN"))
    session = ProbeSession(model, data, 2)
    before = session.run(0)["blocks"]["memory"]["gate_mean"]["preactivation"]
    with torch.no_grad():
        model.memory.bias_ih_l0 += 1.0
    after = session.run(1)["blocks"]["memory"]["gate_mean"]["preactivation"]
    assert after[0, 0, 0] == pytest.approx(before[0, 0, 0] + 1.0, abs=1e-5)  # h_{-1} = 0 at the first step
    assert not np.allclose(after[0, 0, 1:], before[0, 0, 1:] + 1.0)


def test_saturation_and_forget_bias():
    model, data = model_and_data(adding_project("LSTM"))
    session = ProbeSession(model, data, 4)
    with torch.no_grad():
        model.memory.bias_ih_l0[6:12] = 10.0  # forget gate pinned open
        model.memory.bias_hh_l0[6:12] = 5.0
        model.memory.bias_ih_l0[:6] = -20.0  # input gate pinned shut
    block = session.run(0)["blocks"]["memory"]
    assert block["forget_bias"][0, 0] == pytest.approx(15.0)
    assert block["saturation_high"]["forget"][0, 0] == 1.0 and block["saturation_low"]["forget"][0, 0] == 0.0
    assert block["saturation_low"]["input"][0, 0] == 1.0
    assert block["gate_mean"]["input"].max() < 1e-6


def test_relu_rnn_saturation_counts_inactive_units():
    model, data = model_and_data(token_project())
    with torch.no_grad():
        model.memory.bias_hh_l0[:] = -50.0
    block = ProbeSession(model, data, 2).run(0)["blocks"]["memory"]
    assert block["saturation_low"]["preactivation"][0, 0] == 1.0
    assert block["saturation_high"]["preactivation"][0, 0] == 0.0


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_gradient_through_time_equals_the_fused_chunked_gradient(cell):
    """‖∂L/∂hₜ‖ checked independently: restart the fused module at t+1 from the recomputed
    state (hₜ, cₜ) and differentiate the loss with respect to that initial hₜ."""
    model, data = model_and_data(adding_project(cell, length=10))
    record = ProbeSession(model, data, 4).run(0)
    norms = record["blocks"]["memory"]["grad_norm"][0, 0]
    double = copy.deepcopy(model).double()
    x, y = data.x_val[:4].double(), data.y_val[:4].double()
    with torch.no_grad():
        trace = unroll(double.memory, x).layers[0][0]
    for t in (0, 4, 8):
        h = trace.hidden[:, t].clone().requires_grad_()
        state = (h[None], trace.cell[:, t][None]) if cell == "LSTM" else h[None]
        fused = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN": torch.nn.RNN}[cell]
        _, final = fused.forward(double.memory, x[:, t + 1 :], state)  # the fused kernel, not the block's emit
        last = final[0][-1] if cell == "LSTM" else final[-1]
        loss = double.loss(double.sum(last), y)
        (grad,) = torch.autograd.grad(loss, h)
        assert norms[t] == pytest.approx(grad.norm().item(), rel=1e-5)  # the probe computes in float32
    h = trace.hidden[:, -1].clone().requires_grad_()
    (grad,) = torch.autograd.grad(double.loss(double.sum(h), y), h)
    assert norms[-1] == pytest.approx(grad.norm().item(), rel=1e-5)  # the probe computes in float32


def test_every_layer_and_direction_gets_a_gradient():
    model, data = model_and_data(stacked_project())
    block = ProbeSession(model, data, 2).run(0)["blocks"]["encoder"]
    assert (block["grad_norm"] > 0).all() and np.isfinite(block["grad_ratio"]).all()


def test_spectral_radius_per_gate_block():
    model, data = model_and_data(adding_project("GRU"))
    block = ProbeSession(model, data, 2).run(0)["blocks"]["memory"]
    weight = model.memory.weight_hh_l0.detach().double().numpy()
    for index, gate in enumerate(block["gates"]):
        expected = np.abs(np.linalg.eigvals(weight[index * 6 : (index + 1) * 6])).max()
        assert block["spectral_radius"][gate][0, 0] == pytest.approx(
            expected, rel=1e-5
        )  # the probe computes in float32


def test_large_matrices_use_gelfands_formula(monkeypatch):
    generator = np.random.default_rng(0)
    matrix = generator.standard_normal((60, 60)) / np.sqrt(60)
    exact = spectral_radius(matrix)
    monkeypatch.setattr(probes, "EXACT_EIGEN_LIMIT", 10)
    assert spectral_radius(matrix) == pytest.approx(exact, rel=0.02)
    assert spectral_radius(np.zeros((20, 20))) == 0.0


def test_a_model_without_recurrent_blocks_cannot_be_probed():
    project = adding_project()
    project.graph.clear()
    from probe_models import chain

    chain(project.graph, [("sequence", "SequenceInput", {}), ("pool", "MeanOverTime", {}), ("sum", "Regression", {})])
    model, data = model_and_data(project)
    with pytest.raises(ProbeError, match="has no RNN, LSTM or GRU block to probe"):
        ProbeSession(model, data, 2)
    result = train(project, steps=2, record=False)  # training simply skips probes
    assert result.status == "finished"


def test_probe_batch_larger_than_the_validation_set():
    model, data = model_and_data(adding_project(n_val=16))
    with pytest.raises(ProbeError, match="probe_samples is 20, but the validation set holds 16 sequences"):
        ProbeSession(model, data, 20)
    with pytest.raises(ProbeError, match="probe_samples"):
        train(adding_project(n_val=16), steps=2, record=False, overrides={"probe_samples": 20})
