"""The compiler: stable names, refusal of invalid graphs, parity with hand-written PyTorch."""

from __future__ import annotations

import pytest
import torch
from conftest import FakeSignature, make_chain
from torch import nn

from engine.compiler import CompileError, compile_graph
from engine.graph import GraphDocument


def branching_graph():
    """input -> LSTM(2 layers, bidirectional) -> {Linear, LayerNorm} -> Add -> MeanOverTime -> head."""
    doc = GraphDocument()
    doc.data = FakeSignature(features=3, length=9, n_outputs=2)
    doc.add_node("SequenceInput", node_id="x")
    doc.add_node("LSTM", {"hidden_size": 5, "layers": 2, "bidirectional": True}, node_id="encoder")
    doc.add_node("Linear", {"features": 10}, node_id="proj")
    doc.add_node("LayerNorm", node_id="norm")
    doc.add_node("Add", node_id="residual")
    doc.add_node("Activation", {"function": "Tanh"}, node_id="act")
    doc.add_node("MeanOverTime", node_id="pool")
    doc.add_node("Regression", node_id="head")
    for source, target, port in [
        ("x", "encoder", "in"),
        ("encoder", "proj", "in"),
        ("encoder", "norm", "in"),
        ("proj", "residual", "a"),
        ("norm", "residual", "b"),
        ("residual", "act", "in"),
        ("act", "pool", "in"),
        ("pool", "head", "in"),
    ]:
        doc.connect(source, "out", target, port)
    return doc


class HandWritten(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
        self.proj = nn.Linear(10, 10)
        self.norm = nn.LayerNorm(10)
        self.head = nn.Linear(10, 2)

    def forward(self, x):
        h, _ = self.encoder(x)  # (B, T, 10)
        return self.head(torch.tanh(self.proj(h) + self.norm(h)).mean(dim=1))


def test_compiled_model_matches_hand_written_pytorch_in_outputs_and_gradients():
    doc = branching_graph()
    torch.manual_seed(0)
    compiled = compile_graph(doc, doc.data)
    reference = HandWritten()
    reference.load_state_dict(compiled.state_dict())  # same keys, by construction
    x, y = torch.randn(4, 9, 3), torch.randn(4, 2)
    out_compiled, out_reference = compiled(x), reference(x)
    assert torch.equal(out_compiled, out_reference)
    compiled.loss(out_compiled, y).backward()
    nn.functional.mse_loss(out_reference, y).backward()
    for (name, a), (_, b) in zip(compiled.named_parameters(), reference.named_parameters()):
        assert torch.equal(a.grad, b.grad), name


def test_state_dict_keys_are_named_by_node_id():
    doc = branching_graph()
    keys = set(compile_graph(doc, doc.data).state_dict())
    assert {"encoder.weight_ih_l0", "encoder.weight_hh_l1_reverse", "proj.weight", "norm.bias", "head.weight"} <= keys


def test_forward_all_returns_every_node_output():
    doc = branching_graph()
    values = compile_graph(doc, doc.data).forward_all(torch.randn(2, 9, 3))
    assert values["encoder"].shape == (2, 9, 10) and values["pool"].shape == (2, 10)


def test_invalid_graph_raises_with_its_diagnostics():
    doc = GraphDocument()
    doc.data = FakeSignature()
    make_chain(doc, "SequenceInput", "LSTM")
    with pytest.raises(CompileError) as caught:
        compile_graph(doc, doc.data)
    assert any("no head" in d.message for d in caught.value.diagnostics)
    assert "no head" in str(caught.value)


def test_blocks_off_the_head_path_are_not_built():
    doc = GraphDocument()
    doc.data = FakeSignature()
    make_chain(doc, "SequenceInput", ("GRU", {"output": "last"}), "Regression")
    doc.add_node("Linear", node_id="unused")
    doc.connect("sequence_input_1", "out", "unused", "in")
    assert "unused" not in dict(compile_graph(doc, doc.data).named_children())


def test_token_model_compiles_and_scores_per_step():
    doc = GraphDocument()
    doc.data = FakeSignature(
        input_kind="tokens", features=None, vocab_size=7, length=6, target_kind="tokens", n_outputs=7, metric="accuracy"
    )
    make_chain(doc, "TokenInput", ("Embedding", {"dim": 4}), ("GRU", {"hidden_size": 8}), "TokenPrediction")
    model = compile_graph(doc, doc.data)
    x = torch.randint(0, 7, (3, 6))
    logits = model(x)
    assert logits.shape == (3, 6, 7)
    assert 0.0 <= model.metric(logits, x) <= 1.0
    assert model.loss(logits, x).item() > 0
