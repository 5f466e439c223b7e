"""The Conv1d block: a causal convolution over time, added as one spec (docs/adding-a-block.md).
Its parameter count and exported source are checked with every block in test_block_specs.py."""

from __future__ import annotations

import pytest
import torch
from conftest import FakeSignature, make_chain

from engine.compiler import compile_graph
from engine.graph import GraphDocument, PortKindError
from engine.project import Project
from engine.training import train
from engine.validation import validate


def conv_model(**params):
    data = FakeSignature(features=2, length=12, n_outputs=1)
    doc = GraphDocument()
    doc.data = data
    make_chain(doc, "SequenceInput", ("Conv1d", {"features": 3, **params}), "LastStep", "Regression")
    torch.manual_seed(0)
    return compile_graph(doc, data), doc, data


@pytest.mark.parametrize(("kernel_size", "dilation"), [(1, 1), (3, 1), (3, 2), (4, 3)])
def test_each_step_sees_exactly_its_kernel_in_the_past(kernel_size, dilation):
    model, _, _ = conv_model(kernel_size=kernel_size, dilation=dilation)
    x = torch.randn(1, 12, 2, requires_grad=True)
    out = model.forward_all(x)["conv1d_1"]  # (1, 12, 3)
    assert out.shape == (1, 12, 3)
    step = 10
    out[0, step].sum().backward()
    reached = {t for t in range(12) if x.grad[0, t].abs().sum() > 0}
    assert reached == {step - j * dilation for j in range(kernel_size)}


def test_it_refuses_a_vector_and_says_so():
    doc = GraphDocument()
    doc.data = FakeSignature(features=2, length=12, n_outputs=1)
    _, pooled = make_chain(doc, "SequenceInput", "LastStep")
    conv = doc.add_node("Conv1d").id
    with pytest.raises(PortKindError, match="input 'in' takes a sequence; LastStep 'last_step_1' gives a vector"):
        doc.connect(pooled, "out", conv, "in")


def test_a_conv1d_forecaster_trains(tmp_path):
    project = Project(data={"task": "sine", "params": {"n_train": 64, "n_val": 32, "window": 16}})
    doc = project.graph
    make_chain(doc, "SequenceInput", ("Conv1d", {"features": 8, "kernel_size": 4}), "LastStep", "Regression")
    project.refresh_signature()
    assert validate(doc, doc.data).ok
    events = []
    settings = {"probe_every": 0, "eval_every": 40, "batch_size": 16, "learning_rate": 0.01}
    train(project, events.append, steps=40, record=False, overrides=settings)
    evals = [e["val_loss"] for e in events if e["type"] == "eval"]
    baseline = next(e for e in events if e["type"] == "done")["summary"]["baseline_loss"]
    # The last four steps of a sum of sines predict the next value well: far below the mean predictor.
    assert evals[-1] < 0.25 * baseline
