"""Fair speed figures for the cell comparison: multiply-adds per step, the kernel that ran,
time to target, and the memory horizon in the compare table."""

from __future__ import annotations

import pytest
import torch
from probe_models import adding_project, model_and_data
from torch.profiler import ProfilerActivity, profile

from engine.cell_costs import kernel_name, kernels, macs_per_step
from engine.compare import compare_cells, results_table

PROFILED = {"oneDNN fused": "aten::mkldnn_rnn_layer", "generic ATen": None}


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_the_kernel_rule_matches_what_the_profiler_saw(cell):
    model, data = model_and_data(adding_project(cell, hidden=8))
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU]) as prof:
        model(data.x_val[:4])
    ran = {event.key for event in prof.key_averages()}
    named = kernel_name(model.memory)
    assert ("aten::mkldnn_rnn_layer" in ran) == (named == "oneDNN fused")
    if torch.backends.mkldnn.is_available():
        assert named == ("oneDNN fused" if cell == "LSTM" else "generic ATen")
    with torch.backends.mkldnn.flags(enabled=False):
        assert kernel_name(model.memory) == "generic ATen"
    assert kernel_name(torch.nn.Linear(2, 2)) == "PyTorch ops"


@pytest.mark.parametrize(("cell", "gates"), [("LSTM", 4), ("GRU", 3), ("RNN", 1)])
def test_multiply_adds_per_step_are_the_weight_entries(cell, gates):
    model, _ = model_and_data(adding_project(cell, hidden=6, layers=2))
    # layer 1 reads 2 features, layer 2 the 6 of layer 1; each also reads its own 6 states
    assert macs_per_step(model) == gates * 6 * (2 + 6) + gates * 6 * (6 + 6)
    assert kernels(model) in ("oneDNN fused", "generic ATen")


def test_the_compare_table_shows_costs_kernel_time_to_target_and_horizon():
    project = adding_project("LSTM", hidden=4)
    comparison = compare_cells(project, ["LSTM", "GRU"], steps=6, target_loss=10.0, record=False)
    header, *rows = results_table(comparison.results)
    for name in ("MACs/step", "kernel", "s to target", "memory horizon"):
        assert name in header
    for result in comparison.results:
        assert result.macs_per_step == {"LSTM": 4, "GRU": 3}[result.cell] * 4 * (2 + 4)
        assert result.kernel and result.memory_horizon is not None and 0 <= result.memory_horizon < 12
        assert result.steps_to_target == 0 and result.seconds_to_target == 0.0  # a target met before training
    late = compare_cells(project, ["RNN"], steps=10, target_loss=1e-9, record=False).results[0]
    assert late.steps_to_target is None and late.seconds_to_target is None
    assert dict(zip(header, rows[0]))["kernel"] == comparison.results[0].kernel
